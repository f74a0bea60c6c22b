// Package views holds the templ components of Livedash's page. It takes
// plain data only and imports nothing else from the project.
//
// page_templ.go is generated from page.templ; regenerate it with
//
//	go run github.com/a-h/templ/cmd/templ@v0.3.977 generate
package views
