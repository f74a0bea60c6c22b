// Package appmetrics holds the collector behind the dashboard's Gauge,
// Counter and Histogram: the application's own metrics, read from
// functions or fed with observations, registered at any time while it
// runs. Its names are claimed in the scheduler (internal/schedule) as they
// are registered, so a clash with a built-in collector or another
// collector is the registration's error.
//
// It is for the dashboard package alone: programs register their metrics
// with Dashboard.Gauge, Counter and Histogram, and hold the
// *collectors.Histogram the last returns.
package appmetrics
