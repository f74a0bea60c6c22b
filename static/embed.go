// Package static holds Livedash's browser client: the JavaScript modules
// (js/), the stylesheet (css/) and the vendored uPlot with its licence
// (vendor/uplot/). Nothing is fetched from a CDN, so the page works on an
// air-gapped host.
package static

import "embed"

// FS holds the client's files at their paths under static/: the modules
// in js/, css/app.css and vendor/uplot/{uPlot.iife.min.js,uPlot.min.css,
// LICENSE,VERSION}. The unit tests (js/*.test.js) are left out, which is
// why the modules are listed one by one: a new module must be added here
// (embed_test.go checks it is).
//
//go:embed js/app.js js/charts.js js/chart.js js/specs.js js/axes.js js/palette.js js/paths.js js/timewindow.js
//go:embed js/filter.js js/find.js js/timebar.js js/urlstate.js js/theme.js js/changes.js js/whatchanged.js js/export.js
//go:embed js/format.js js/socket.js js/store.js js/compare.js js/heatmap.js
//go:embed js/range.js js/rangeworker.js js/bands.js
//go:embed js/stack.js js/markers.js
//go:embed css/app.css
//go:embed vendor
var FS embed.FS
