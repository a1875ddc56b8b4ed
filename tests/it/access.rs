//! Access control, limits and the audit chain: the gate in front of every route (walked from
//! the route table), tokens made, listed and revoked through the CLI and the admin API, every
//! limit's answer, and `audit verify` against an edited and a deleted entry.

use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode};
use henkan::config::{HttpConfig, Limits, ReadAccess};
use henkan::http::{route_table, router_with, Access, AppState};
use henkan::model::Role;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use crate::common::{open, tempdir};

/// A path of the route table with its parameters filled (with values that exist nowhere: an
/// auth answer must not depend on whether the resource exists).
fn concrete(path: &str) -> String {
    path.replace("{release}", "no-such-release")
        .replace("{system}", "no-such-system")
        .replace("{code}", "0")
        .replace("{table}", "no-such-table")
        .replace("{id}", "000000000000")
}

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Value) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, headers, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn request(method: &str, uri: &str, token: Option<&str>) -> Request<Body> {
    let mut b = Request::builder().method(Method::from_bytes(method.as_bytes()).unwrap()).uri(uri);
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    b.header("content-type", "application/json").body(Body::from("{}")).unwrap()
}

#[tokio::test]
async fn every_route_that_needs_a_role_refuses_no_token_a_reader_and_a_revoked_token() {
    let dir = tempdir();
    let service = open(dir.path());
    let reader = service.create_token("rita", Role::Reader, "test").unwrap().token;
    let admin = service.create_token("ada", Role::Admin, "test").unwrap();
    service.revoke_token(&admin.info.id, "test").unwrap();
    let app = router_with(AppState::new(service), &HttpConfig::default());
    let guarded: Vec<_> = route_table().into_iter().filter(|(_, _, a)| matches!(a, Access::Needs(_))).collect();
    assert!(guarded.len() >= 7, "curation and admin routes: {guarded:?}");
    for (method, path, _) in guarded {
        let uri = concrete(path);
        for (who, token, status, code) in [
            ("no token", None, StatusCode::UNAUTHORIZED, "unauthorized"),
            ("a reader token", Some(reader.as_str()), StatusCode::FORBIDDEN, "forbidden"),
            ("a revoked admin token", Some(admin.token.as_str()), StatusCode::UNAUTHORIZED, "unauthorized"),
            ("a made-up token", Some("hk_000000000000_00"), StatusCode::UNAUTHORIZED, "unauthorized"),
        ] {
            let (got, _, body) = send(&app, request(method, &uri, token)).await;
            assert_eq!(
                (got, body["error"]["code"].as_str()),
                (status, Some(code)),
                "{method} {uri} with {who}: {body}"
            );
            let message = body["error"]["message"].as_str().unwrap();
            assert!(
                !message.contains("no-such") && !message.contains("000000000000"),
                "no hint of the resource: {message}"
            );
        }
    }
}

#[tokio::test]
async fn closed_reads_want_any_token_and_probes_stay_open() {
    let dir = tempdir();
    let service = open(dir.path());
    let reader = service.create_token("rita", Role::Reader, "test").unwrap().token;
    let app = router_with(AppState::new(service), &HttpConfig { read: ReadAccess::Token, ..HttpConfig::default() });
    let mut reads: Vec<(String, String)> = route_table()
        .into_iter()
        .filter(|(_, _, a)| *a == Access::Read)
        .map(|(m, p, _)| (m.to_owned(), concrete(p)))
        .collect();
    reads.push(("GET".into(), "/fhir/metadata".into()));
    reads.push(("GET".into(), "/fhir/CodeSystem".into()));
    for (method, uri) in &reads {
        let (status, _, body) = send(&app, request(method, uri, None)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {uri}: {body}");
        let (status, _, body) = send(&app, request(method, uri, Some(&reader))).await;
        assert!(
            status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
            "{method} {uri} with a reader token: {status} {body}"
        );
    }
    let (status, _, fhir) = send(&app, request("GET", "/fhir/metadata", None)).await;
    assert_eq!((status, fhir["resourceType"].as_str()), (StatusCode::UNAUTHORIZED, Some("OperationOutcome")));
    for probe in ["/healthz", "/readyz"] {
        let (status, _, _) = send(&app, request("GET", probe, None)).await;
        assert_ne!(status, StatusCode::UNAUTHORIZED, "{probe} is a probe");
    }
    // Open reads (the default) take no token.
    let open_app = router_with(AppState::new(open(tempdir().path())), &HttpConfig::default());
    let (status, _, _) = send(&open_app, request("GET", "/v1/releases", None)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn admins_make_list_and_revoke_tokens_through_the_api_and_each_is_audited() {
    let dir = tempdir();
    let service = open(dir.path());
    let root = service.create_token("root", Role::Admin, "cli:ops").unwrap().token;
    let app = router_with(AppState::new(service), &HttpConfig::default());

    let make = Request::post("/v1/admin/tokens")
        .header("authorization", format!("Bearer {root}"))
        .header("content-type", "application/json")
        .body(Body::from(r#"{"name":"carol","role":"curator"}"#))
        .unwrap();
    let (status, _, made) = send(&app, make).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let (token, id) = (made["token"].as_str().unwrap().to_owned(), made["id"].as_str().unwrap().to_owned());
    assert!(token.starts_with(&format!("hk_{id}_")), "{token}");
    let (status, _, _) = send(&app, request("GET", "/v1/curation/candidates?table=x", Some(&token))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the new curator token opens curation (no table x there)");

    let (_, _, list) = send(&app, request("GET", "/v1/admin/tokens", Some(&root))).await;
    let listed = list["tokens"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    let text = list.to_string();
    assert!(!text.contains(&token[token.len() - 64..]) && !text.contains("sha256"), "no secret in a list: {text}");

    let revoke = Request::delete(format!("/v1/admin/tokens/{id}"))
        .header("authorization", format!("Bearer {root}"))
        .body(Body::empty())
        .unwrap();
    let (status, _, revoked) = send(&app, revoke).await;
    assert_eq!((status, revoked["name"].as_str()), (StatusCode::OK, Some("carol")));
    assert!(revoked["revoked_at"].is_string());
    let (status, _, _) = send(&app, request("GET", "/v1/curation/candidates?table=x", Some(&token))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a revoked token is refused");
    let (status, _, body) = send(&app, request("DELETE", "/v1/admin/tokens/ffffffffffff", Some(&root))).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("token_not_found")));

    let (_, _, log) = send(&app, request("GET", "/v1/audit", Some(&root))).await;
    let actions: Vec<(&str, &str)> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(actions, [("token.revoke", "root"), ("token.create", "root"), ("token.create", "cli:ops")]);
    let revoke_entry = &log["entries"][0];
    assert!(revoke_entry["before"]["revoked_at"].is_null() && revoke_entry["after"]["revoked_at"].is_string());
    let (_, _, verified) = send(&app, request("GET", "/v1/audit/verify", Some(&root))).await;
    assert_eq!((verified["intact"].as_bool(), verified["entries"].as_u64()), (Some(true), Some(3)), "{verified}");
}

/// Runs the CLI on a data directory.
fn henkan(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_henkan"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

#[test]
fn audit_verify_names_an_edited_entry_and_a_deleted_one() {
    let dir = tempdir();
    let d = dir.path();
    for name in ["a", "b", "c", "d", "e"] {
        assert!(henkan(d, &["token", "create", "--name", name, "--role", "reader"]).status.success());
    }
    let out = henkan(d, &["token", "list"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 5);
    let ok = henkan(d, &["audit", "verify"]);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("audit log intact: 5 entries"));

    // Someone with the files edits entry 2 (hiding who made a token)…
    let copy = tempdir();
    copy_dir(d, copy.path());
    {
        let db = sled::open(copy.path()).unwrap();
        let audit = db.open_tree("audit").unwrap();
        let key = 2u64.to_be_bytes();
        let mut entry: Value = serde_json::from_slice(&audit.get(key).unwrap().unwrap()).unwrap();
        entry["actor"] = "nobody".into();
        audit.insert(key, serde_json::to_vec(&entry).unwrap()).unwrap();
        db.flush().unwrap();
    }
    let out = henkan(copy.path(), &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(7));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("entry 2 does not match its own hash"), "{err}");

    // …or deletes entry 3, or the newest.
    for (deleted, expect) in [(3u64, "entry 4 does not follow entry 2"), (5, "the newest entries were deleted")] {
        let copy = tempdir();
        copy_dir(d, copy.path());
        {
            let db = sled::open(copy.path()).unwrap();
            db.open_tree("audit").unwrap().remove(deleted.to_be_bytes()).unwrap();
            db.flush().unwrap();
        }
        let out = henkan(copy.path(), &["--json", "audit", "verify"]);
        assert_eq!(out.status.code(), Some(7), "deleting entry {deleted}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["intact"], false);
        let problem = v["first_bad"]["problem"].as_str().unwrap();
        assert!(problem.contains(expect), "deleting entry {deleted}: {problem}");
    }
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn limited(limits: Limits) -> axum::Router {
    let service = open(tempdir().path());
    router_with(AppState::new(service), &HttpConfig { limits, ..HttpConfig::default() })
}

/// A body that sends its first bytes and then nothing, as a stalled client does.
fn stalled_body() -> Body {
    let first =
        futures_util::stream::once(async { Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"{\"items\":[")) });
    Body::from_stream(futures_util::StreamExt::chain(first, futures_util::stream::pending()))
}

#[tokio::test]
async fn every_limit_answers_with_its_status_in_the_envelope() {
    // Body size: declared (Content-Length) and streamed (chunked) bodies both get 413.
    let app = limited(Limits { body_bytes: 1024, ..Limits::DEFAULT });
    let big =
        format!(r#"{{"items":[{}]}}"#, vec![r#"{"system":"jp-receipt-disease","code":"8848176"}"#; 100].join(","));
    let req =
        Request::post("/v1/translate/batch").header("content-type", "application/json").body(Body::from(big.clone()));
    let (status, _, body) = send(&app, req.unwrap()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")));
    let chunked = Body::from_stream(futures_util::stream::iter(
        big.into_bytes()
            .chunks(100)
            .map(|c| Ok::<_, std::io::Error>(axum::body::Bytes::copy_from_slice(c)))
            .collect::<Vec<_>>(),
    ));
    let req = Request::post("/v1/translate/batch").header("content-type", "application/json").body(chunked);
    let (status, _, body) = send(&app, req.unwrap()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")));
    let req =
        Request::post("/fhir/CodeSystem/$lookup").header("content-length", "5000").body(Body::from(vec![b' '; 5000]));
    let (status, _, body) = send(&app, req.unwrap()).await;
    assert_eq!((status, body["resourceType"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("OperationOutcome")));

    // Query length: 414.
    let app = limited(Limits { uri_bytes: 256, ..Limits::DEFAULT });
    let (status, _, body) = send(&app, request("GET", &format!("/v1/search?q={}", "a".repeat(300)), None)).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::URI_TOO_LONG, Some("uri_too_long")));
    let (status, _, _) = send(&app, request("GET", "/v1/releases", None)).await;
    assert_eq!(status, StatusCode::OK);

    // Rate: per client address without a token, per token with one; 429 with Retry-After.
    let dir = tempdir();
    let service = open(dir.path());
    let token = service.create_token("pipeline", Role::Reader, "test").unwrap().token;
    let config =
        HttpConfig { limits: Limits { rate_per_minute: 60, rate_burst: 3, ..Limits::DEFAULT }, ..Default::default() };
    let app = router_with(AppState::new(service), &config);
    let from = |addr: &str, token: Option<&str>| {
        let mut req = request("GET", "/v1/releases", token);
        req.extensions_mut().insert(ConnectInfo(addr.parse::<std::net::SocketAddr>().unwrap()));
        req
    };
    for _ in 0..3 {
        assert_eq!(send(&app, from("192.0.2.1:5000", None)).await.0, StatusCode::OK);
    }
    let (status, headers, body) = send(&app, from("192.0.2.1:5001", None)).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("too_many_requests")));
    assert_eq!(headers["retry-after"], "1", "one request a second comes back");
    assert!(body["error"]["message"].as_str().unwrap().contains("client address"));
    assert_eq!(send(&app, from("192.0.2.2:5000", None)).await.0, StatusCode::OK, "another address has its own");
    for _ in 0..3 {
        assert_eq!(send(&app, from("192.0.2.1:5000", Some(&token))).await.0, StatusCode::OK, "a token has its own");
    }
    let (status, _, body) = send(&app, from("192.0.2.3:5000", Some(&token))).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the token's rate follows it to any address: {body}");
    assert_eq!(send(&app, from("192.0.2.1:5000", None)).await.0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(send(&app, request("GET", "/healthz", None)).await.0, StatusCode::OK, "probes are not limited");

    // Concurrency: with one slot held by a stalled upload, the next request gets 429.
    let app = limited(Limits { concurrency: 1, ..Limits::DEFAULT });
    let stalled = Request::post("/v1/translate/batch").header("content-type", "application/json").body(stalled_body());
    let held = tokio::spawn(app.clone().oneshot(stalled.unwrap()));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, headers, body) = send(&app, request("GET", "/v1/releases", None)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("too_many_requests")),
        "{body}"
    );
    assert!(headers.contains_key("retry-after"));
    held.abort();
    let _ = held.await;
    assert_eq!(send(&app, request("GET", "/v1/releases", None)).await.0, StatusCode::OK, "the slot is free again");

    // Time: a request whose answer has not started within the limit gets 408.
    let app = limited(Limits { request_timeout_ms: 300, ..Limits::DEFAULT });
    let stalled = Request::post("/v1/translate/batch").header("content-type", "application/json").body(stalled_body());
    let (status, _, body) = send(&app, stalled.unwrap()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::REQUEST_TIMEOUT, Some("timed_out")));
}
