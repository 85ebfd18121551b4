//! Request metrics in Prometheus' text format: a count and a latency histogram per route, method
//! and status class, plus the database pool. Routes are labelled by their pattern
//! (`/patients/{id}`), never by the concrete path, so no patient id reaches a metrics system.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Series {
    count: u64,
    sum_seconds: f64,
    buckets: [u64; BUCKETS.len()],
}

/// The metrics registry, shared by every request.
#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String, &'static str), Series>>,
}

impl Metrics {
    fn observe(&self, route: String, method: String, status: u16, seconds: f64) {
        let class = match status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        let Ok(mut series) = self.series.lock() else {
            return;
        };
        let entry = series.entry((route, method, class)).or_default();
        entry.count += 1;
        entry.sum_seconds += seconds;
        for (bucket, bound) in entry.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
    }

    /// The registry in Prometheus text exposition format.
    pub fn render(&self, pool_size: u32, pool_idle: u32) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP hearth_http_requests_total HTTP requests served."
        );
        let _ = writeln!(out, "# TYPE hearth_http_requests_total counter");
        if let Ok(series) = self.series.lock() {
            for ((route, method, class), s) in series.iter() {
                let labels = format!("route=\"{route}\",method=\"{method}\",status=\"{class}\"");
                let _ = writeln!(out, "hearth_http_requests_total{{{labels}}} {}", s.count);
            }
            let _ = writeln!(
                out,
                "# HELP hearth_http_request_duration_seconds Time to serve a request."
            );
            let _ = writeln!(out, "# TYPE hearth_http_request_duration_seconds histogram");
            for ((route, method, class), s) in series.iter() {
                let labels = format!("route=\"{route}\",method=\"{method}\",status=\"{class}\"");
                for (bound, count) in BUCKETS.iter().zip(s.buckets) {
                    let _ = writeln!(
                        out,
                        "hearth_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}"
                    );
                }
                let _ = writeln!(
                    out,
                    "hearth_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                    s.count
                );
                let _ = writeln!(
                    out,
                    "hearth_http_request_duration_seconds_sum{{{labels}}} {}",
                    s.sum_seconds
                );
                let _ = writeln!(
                    out,
                    "hearth_http_request_duration_seconds_count{{{labels}}} {}",
                    s.count
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP hearth_db_pool_connections Open database connections."
        );
        let _ = writeln!(out, "# TYPE hearth_db_pool_connections gauge");
        let _ = writeln!(out, "hearth_db_pool_connections {pool_size}");
        let _ = writeln!(
            out,
            "# HELP hearth_db_pool_idle_connections Idle database connections."
        );
        let _ = writeln!(out, "# TYPE hearth_db_pool_idle_connections gauge");
        let _ = writeln!(out, "hearth_db_pool_idle_connections {pool_idle}");
        out
    }
}

/// Middleware: times each request and records it under its route pattern.
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    state.metrics.observe(
        route,
        method,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}
