// Package integration tests Livedash mounted in the routers people use:
// net/http's ServeMux (with Go 1.22 patterns), chi, gin and echo. It is a
// module of its own so that the library's go.mod stays free of gin and
// echo.
package integration
