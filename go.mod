module github.com/livedash/dashboard

go 1.26.8

require (
	github.com/a-h/templ v0.3.977 // indirect
	github.com/chromedp/cdproto v0.159.0 // indirect
	github.com/chromedp/chromedp v0.23.0 // indirect
	github.com/coder/websocket v1.8.15 // indirect
	github.com/go-chi/chi/v5 v5.5.0 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/shirou/gopsutil/v3 v3.24.5 // indirect
	go.uber.org/goleak v1.3.0 // indirect
)
