//! Operating a server: `/readyz` through a first bootstrap, `/metrics`, request ids in JSON log
//! lines. The server is the real binary on a real socket, publishing the bundled masters'
//! first release (a plan of its own that names the same official files).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;

use crate::common::{masters, tempdir, TestApp};

/// A masters directory whose plan is the bundled plan's first release, over the bundled files.
fn first_release_masters(dir: &Path) {
    let plan = std::fs::read_to_string(masters().join("default.toml")).unwrap();
    let first = plan.find("[[release]]").unwrap();
    let second = plan[first + 1..].find("[[release]]").map_or(plan.len(), |i| first + 1 + i);
    std::fs::write(dir.join("default.toml"), &plan[first..second]).unwrap();
    for sub in ["jp-receipt-disease", "icd11-mms"] {
        std::os::unix::fs::symlink(masters().join(sub), dir.join(sub)).unwrap();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// GET over a fresh connection: status and body, or none while nothing listens.
fn http_get(port: u16, path: &str, headers: &[(&str, &str)]) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let extra: String = headers.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\n{extra}Connection: close\r\n\r\n").ok()?;
    let mut raw = String::new();
    s.read_to_string(&mut raw).ok()?;
    let status = raw.split(' ').nth(1)?.parse().ok()?;
    let body = raw.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    Some((status, body))
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn readyz_is_not_ready_during_the_first_bootstrap_then_ready_and_logs_carry_request_ids() {
    let (data, m) = (tempdir(), tempdir());
    first_release_masters(m.path());
    let port = free_port();
    let log = data.path().join("server.log");
    let child = Command::new(env!("CARGO_BIN_EXE_henkan"))
        .arg("--data-dir")
        .arg(data.path().join("data"))
        .args(["--log-format", "json", "serve", "--port", &port.to_string(), "--masters-dir"])
        .arg(m.path())
        .env("RUST_LOG", "henkan=info,tower_http=debug")
        .stderr(Stdio::from(std::fs::File::create(&log).unwrap()))
        .spawn()
        .unwrap();
    let _server = Server(child);

    let started = Instant::now();
    let first = loop {
        if let Some(answer) = http_get(port, "/readyz", &[]) {
            break answer;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the server never listened");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(first.0, 503, "not ready while the bundled masters are published: {}", first.1);
    let body: serde_json::Value = serde_json::from_str(&first.1).unwrap();
    assert_eq!(body["ready"], false);
    let (health, _) = http_get(port, "/healthz", &[]).unwrap();
    assert_eq!(health, 200, "alive while not ready");

    let ready = loop {
        let (status, body) = http_get(port, "/readyz", &[]).unwrap();
        if status == 200 {
            break body;
        }
        assert!(started.elapsed() < Duration::from_secs(600), "never ready: {body}");
        std::thread::sleep(Duration::from_millis(200));
    };
    let ready: serde_json::Value = serde_json::from_str(&ready).unwrap();
    assert_eq!((ready["release"].as_str(), ready["search_index"].as_bool()), (Some("2024-01"), Some(true)));

    let (status, _) =
        http_get(port, "/v1/concepts/jp-receipt-disease/8848176", &[("X-Request-Id", "ops-test-7")]).unwrap();
    assert_eq!(status, 200);
    std::thread::sleep(Duration::from_millis(300));
    let lines = std::fs::read_to_string(&log).unwrap();
    let tagged: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap_or_else(|e| panic!("not a JSON log line ({e}): {l}"))
        })
        .filter(|v| v["span"]["request_id"] == "ops-test-7")
        .collect();
    assert!(!tagged.is_empty(), "the request's log lines carry its id:\n{lines}");
    assert!(tagged.iter().all(|v| v["span"]["uri"] == "/v1/concepts/jp-receipt-disease/8848176"));
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_report_the_release_and_memory() {
    let app = TestApp::default_data();
    for code in ["8848176", "8848176", "8848176", "0000000"] {
        app.get(&format!("/v1/concepts/jp-receipt-disease/{code}?release=2024-06")).await;
    }
    let req = Request::get("/v1/concepts/jp-receipt-disease/8848176?release=2024-06").body(Body::empty()).unwrap();
    let (_, headers, _) = app.raw(req).await;
    let tag = headers["etag"].to_str().unwrap().to_owned();
    let req = Request::get("/v1/concepts/jp-receipt-disease/8848176?release=2024-06")
        .header("if-none-match", tag)
        .body(Body::empty())
        .unwrap();
    app.raw(req).await;
    let (status, _, page) = app.raw(Request::get("/metrics").body(Body::empty()).unwrap()).await;
    assert_eq!(status, 200);
    let page = String::from_utf8(page).unwrap();
    let value = |prefix: &str| -> f64 {
        page.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in\n{page}"))
            .rsplit(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let route = r#"route="/v1/concepts/{system}/{code}""#;
    assert!(value(&format!(r#"henkan_http_requests_total{{{route},method="GET",status="200"}}"#)) >= 3.0);
    assert!(value(&format!(r#"henkan_http_requests_total{{{route},method="GET",status="404"}}"#)) >= 1.0);
    assert!(value(&format!(r#"henkan_http_request_duration_seconds_count{{{route}}}"#)) >= 4.0);
    assert!(value(r#"henkan_cache_lookups_total{cache="http_not_modified",outcome="hit"}"#) >= 1.0);
    let latest = app.service().release(None).unwrap();
    assert_eq!(value(&format!(r#"henkan_release_served{{release="{}",sha256="{}"}}"#, latest.id, latest.sha256)), 1.0);
    assert!(value("henkan_process_resident_memory_bytes") > 50e6);
    assert!(page.contains("# TYPE henkan_http_requests_in_flight gauge"));
    assert!(!page.contains("8848176"), "codes never become series");
}

#[tokio::test]
async fn cors_is_off_by_default_and_allows_only_the_configured_origins() {
    use tower::ServiceExt;
    let app = TestApp::default_data();
    let ui = axum::http::HeaderValue::from_static("https://ui.example.jp");
    let get = |origin: &'static str| {
        Request::get("/v1/releases/2024-06").header("origin", origin).body(Body::empty()).unwrap()
    };
    let off = henkan::http::router(app.state.clone()).oneshot(get("https://ui.example.jp")).await.unwrap();
    assert!(off.headers().get("access-control-allow-origin").is_none(), "off by default");

    let config = henkan::config::HttpConfig { cors_origins: vec![ui.clone()], ..Default::default() };
    let on = || henkan::http::router_with(app.state.clone(), &config);
    let allowed = on().oneshot(get("https://ui.example.jp")).await.unwrap();
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://ui.example.jp");
    let exposed = allowed.headers()["access-control-expose-headers"].to_str().unwrap().to_ascii_lowercase();
    assert!(exposed.contains("etag") && exposed.contains("link") && exposed.contains("henkan-release"), "{exposed}");
    let other = on().oneshot(get("https://elsewhere.example")).await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none(), "another origin is not allowed");

    let preflight = Request::builder()
        .method("OPTIONS")
        .uri("/v1/translate/batch")
        .header("origin", "https://ui.example.jp")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .body(Body::empty())
        .unwrap();
    let answer = on().oneshot(preflight).await.unwrap();
    assert!(answer.status().is_success(), "{}", answer.status());
    assert!(answer.headers()["access-control-allow-methods"].to_str().unwrap().contains("POST"));
}

#[test]
fn a_cors_origin_that_is_not_an_origin_fails_at_start_naming_the_flag() {
    let data = tempdir();
    let out = Command::new(env!("CARGO_BIN_EXE_henkan"))
        .arg("--data-dir")
        .arg(data.path())
        .args(["serve", "--port", "0", "--cors-origin", "ui.example.jp/"])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--cors-origin") && err.contains("scheme://host"), "{err}");
}
