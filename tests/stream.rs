//! `POST /v1/translate/stream` in bounded memory: 2,000,000 NDJSON lines of real receipt disease
//! codes go in as a chunked body and come out one answer per line, while the process's resident
//! memory stays flat. A test binary of its own, so that no other test's allocations move the
//! reading.

use std::path::Path;

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use henkan::config::StoreConfig;
use henkan::http::{router, AppState};
use henkan::{Generator, PublishRequest, Service};
use http_body_util::BodyExt;
use tower::ServiceExt;

const LINES: usize = 2_000_000;
const CHUNK: usize = 5_000;

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    kb / 1024.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_million_lines_stream_through_in_flat_memory() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::Builder::new().prefix("henkan-stream-").tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let service = Service::open(&StoreConfig::new(dir.path())).unwrap();
    let icd = root.join("masters/icd11-mms");
    let files = [
        root.join("masters/jp-receipt-disease/b_20240601.txt.gz"),
        icd.join("11To10MapToOneCategory.txt.gz"),
        icd.join("10To11MapToOneCategory.txt.gz"),
        icd.join("10To11MapToMultipleCategories.txt.gz"),
    ];
    service.import(&files, None, None, |_| {}).unwrap();
    service.derive(Generator::DiseaseIcd11, &files[2..]).unwrap();
    service.publish(&PublishRequest { id: "s".into(), publisher: "test".into(), notes: String::new() }).unwrap();
    // Real codes, cycled: every code of the master, and a malformed line every 1000.
    let codes: Vec<String> = {
        let engine = service.engine(None, &[]).unwrap();
        let mut out = Vec::new();
        let text = std::fs::read(root.join("masters/jp-receipt-disease/b_20240601.txt.gz")).unwrap();
        let mut gz = flate2::read::GzDecoder::new(&text[..]);
        let mut raw = Vec::new();
        std::io::Read::read_to_end(&mut gz, &mut raw).unwrap();
        let (decoded, _, _) = encoding_rs::SHIFT_JIS.decode(&raw);
        for line in decoded.lines() {
            if let Some(code) = line.split(',').nth(2) {
                out.push(code.trim_matches('"').to_owned());
            }
        }
        assert!(engine.release() == "s" && out.len() > 20_000);
        out
    };
    let app = router(AppState::new(service));
    let body_stream = futures_util::stream::unfold(0usize, move |start| {
        let codes = codes.clone();
        async move {
            if start >= LINES {
                return None;
            }
            let mut chunk = String::with_capacity(CHUNK * 48);
            for i in start..(start + CHUNK).min(LINES) {
                if i % 1000 == 999 {
                    chunk.push_str("{\"system\": 1}\n");
                } else {
                    chunk.push_str(&format!(
                        "{{\"system\":\"jp-receipt-disease\",\"code\":\"{}\"}}\n",
                        codes[i % codes.len()]
                    ));
                }
            }
            Some((Ok::<Bytes, std::io::Error>(Bytes::from(chunk)), start + CHUNK))
        }
    });
    let req = Request::post("/v1/translate/stream").body(Body::from_stream(body_stream)).unwrap();
    let resp = app.oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let mut body = resp.into_body();
    let (mut lines, mut mapped, mut errors) = (0usize, 0usize, 0usize);
    let mut pending = Vec::new();
    let mut rss_after_warmup = None;
    let mut rss_max: f64 = 0.0;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.unwrap().into_data() else { continue };
        pending.extend_from_slice(&data);
        let last = match pending.iter().rposition(|&b| b == b'\n') {
            Some(i) => i,
            None => continue,
        };
        for line in pending[..last].split(|&b| b == b'\n') {
            lines += 1;
            let s = std::str::from_utf8(line).unwrap();
            mapped += usize::from(s.contains("\"status\":\"mapped\""));
            errors += usize::from(s.contains("\"error\""));
        }
        pending.drain(..=last);
        if lines >= 200_000 && rss_after_warmup.is_none() {
            rss_after_warmup = Some(rss_mb());
        }
        rss_max = rss_max.max(rss_mb());
    }
    assert_eq!(lines, LINES, "one answer line per input line");
    assert_eq!(errors, LINES / 1000, "each malformed line answered as its own error");
    assert!(mapped > LINES * 9 / 10, "{mapped} mapped");
    let warm = rss_after_warmup.unwrap();
    // About 100 MB went in and 400 MB came out; memory may not grow with them.
    assert!(rss_max - warm < 40.0, "RSS grew from {warm:.0} MB to {rss_max:.0} MB");
}
