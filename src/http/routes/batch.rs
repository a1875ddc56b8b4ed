//! `POST /v1/translate/batch` (JSON, up to `--batch-max` items) and `POST /v1/translate/stream`
//! (NDJSON in, NDJSON out, chunked, any length in bounded memory): the bulk engine behind
//! `translate-file`, over HTTP. Answers come in input order with the same statuses; a bad item is
//! answered as that item's error, never as the request's.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use serde::{Deserialize, Serialize};

use super::blocking;
use crate::http::extract::{ApiJson, ApiQuery};
use crate::http::{ApiError, AppState};
use crate::model::resolve_system;
use crate::translate::{Answer, Engine, Item, Multi, Policy, ReviewFilter};

/// The default of `--batch-max`.
pub const DEFAULT_BATCH_MAX: usize = 10_000;
static BATCH_MAX: AtomicUsize = AtomicUsize::new(DEFAULT_BATCH_MAX);

/// Sets the most items a batch request may hold (`henkan serve --batch-max`).
pub fn set_batch_max(n: usize) {
    BATCH_MAX.store(n.max(1), Ordering::Relaxed);
}

/// One item of a batch or a stream line.
#[derive(Debug, Deserialize)]
pub(crate) struct BatchItem {
    system: String,
    code: String,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    target: Option<String>,
}

/// The policy of a batch or stream (query parameters of a stream, fields of a batch).
#[derive(Debug, Deserialize, Default)]
pub(crate) struct PolicyParams {
    release: Option<String>,
    multi: Option<Multi>,
    review: Option<ReviewFilter>,
    min_score: Option<f32>,
    #[serde(default)]
    provenance: bool,
}

impl PolicyParams {
    fn policy(&self) -> Policy {
        Policy {
            multi: self.multi.unwrap_or(Multi::First),
            review: self.review.unwrap_or(ReviewFilter::Any),
            min_score: self.min_score,
        }
    }
}

/// A batch request.
#[derive(Debug, Deserialize)]
pub(crate) struct BatchRequest {
    #[serde(flatten)]
    params: PolicyParams,
    items: Vec<BatchItem>,
}

/// One answer as JSON.
#[derive(Debug, Serialize)]
struct AnswerJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    target_system: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_display: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    relationship: Option<&'static str>,
    status: crate::translate::Outcome,
    release: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    forwarded_to: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    review_state: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<&'a str>,
}

impl<'a> AnswerJson<'a> {
    fn of(a: &Answer<'a>, provenance: bool) -> AnswerJson<'a> {
        let p = |v| if provenance { v } else { None };
        AnswerJson {
            target_system: a.target.map(|t| t.slug),
            target_code: a.row.map(|r| &*r.code),
            target_display: a.row.map(|r| &*r.display),
            relationship: a.row.map(|r| r.relationship.as_str()),
            status: a.outcome,
            release: a.release,
            forwarded_to: a.forwarded_to,
            method: p(a.row.map(|r| r.method.as_str())),
            score: if provenance { a.row.map(|r| r.score) } else { None },
            review_state: p(a.row.map(|r| r.review.as_str())),
            evidence: if provenance { a.row.map(|r| &*r.evidence) } else { None },
        }
    }
}

/// Writes one item's JSON result object (answers, or the item's error) to `out`, serialising
/// each answer straight from the engine's rows (no JSON tree in between).
fn write_result(out: &mut Vec<u8>, engine: &Engine, item: &BatchItem, policy: &Policy, provenance: bool) {
    #[derive(Serialize)]
    struct Failed<'a> {
        system: &'a str,
        code: &'a str,
        error: ErrorJson<'a>,
    }
    #[derive(Serialize)]
    struct ErrorJson<'a> {
        field: &'a str,
        message: &'a str,
    }
    let fail = |out: &mut Vec<u8>, field: &str, message: &str| {
        let f = Failed { system: &item.system, code: &item.code, error: ErrorJson { field, message } };
        serde_json::to_writer(out, &f).expect("answers serialise");
    };
    let target = match item.target.as_deref().map(|t| resolve_system(t).ok_or(t)) {
        Some(Err(t)) => return fail(out, "target", &format!("{t:?} is not a code system henkan knows")),
        Some(Ok(cs)) => Some(cs),
        None => None,
    };
    let it = Item { system: &item.system, code: &item.code, date: item.date.as_deref(), target };
    let mut answers: Vec<u8> = Vec::with_capacity(256);
    let outcome = engine.translate(&it, policy, &mut |a| {
        if !answers.is_empty() {
            answers.push(b',');
        }
        serde_json::to_writer(&mut answers, &AnswerJson::of(a, provenance)).expect("answers serialise");
    });
    match outcome {
        Ok(()) => {
            out.extend_from_slice(b"{\"system\":");
            serde_json::to_writer(&mut *out, &item.system).expect("answers serialise");
            out.extend_from_slice(b",\"code\":");
            serde_json::to_writer(&mut *out, &item.code).expect("answers serialise");
            out.extend_from_slice(b",\"answers\":[");
            out.extend_from_slice(&answers);
            out.extend_from_slice(b"]}");
        }
        Err(e) => fail(out, e.field, &e.message),
    }
}

pub(crate) async fn translate_batch(
    State(AppState(service)): State<AppState>,
    ApiJson(req): ApiJson<BatchRequest>,
) -> Result<Response, ApiError> {
    let max = BATCH_MAX.load(Ordering::Relaxed);
    crate::metrics::batch(req.items.len());
    if req.items.len() > max {
        return Err(crate::Error::LimitExceeded {
            field: "items".into(),
            message: format!(
                "{} items; a batch holds at most {max}: split it, or use POST /v1/translate/stream",
                req.items.len()
            ),
        }
        .into());
    }
    let body = blocking(move || {
        let engine = service.shared_engine(req.params.release.as_deref())?;
        let policy = req.params.policy();
        let mut out = Vec::with_capacity(req.items.len() * 160 + 160);
        out.extend_from_slice(b"{\"release\":");
        serde_json::to_writer(&mut out, engine.release()).expect("answers serialise");
        out.extend_from_slice(b",\"release_sha256\":");
        serde_json::to_writer(&mut out, engine.release_sha256()).expect("answers serialise");
        out.extend_from_slice(b",\"results\":[");
        for (i, item) in req.items.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_result(&mut out, &engine, item, &policy, req.params.provenance);
        }
        out.extend_from_slice(b"]}");
        Ok(out)
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// Lines read ahead of the answers written; the output channel holds this many chunks.
const STREAM_CHUNKS: usize = 8;

pub(crate) async fn translate_stream(
    State(AppState(service)): State<AppState>,
    ApiQuery(params): ApiQuery<PolicyParams>,
    body: Body,
) -> Result<Response, ApiError> {
    let engine = blocking(move || service.shared_engine(params.release.as_deref()).map(|e| (e, params))).await?;
    let (engine, params): (Arc<Engine>, PolicyParams) = engine;
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(STREAM_CHUNKS);
    tokio::spawn(async move {
        let policy = params.policy();
        let mut body = body;
        let mut pending: Vec<u8> = Vec::new();
        let mut line_no: u64 = 0;
        loop {
            let frame = match body.frame().await {
                None => break,
                Some(Ok(f)) => f,
                Some(Err(_)) => return,
            };
            let Ok(data) = frame.into_data() else { continue };
            pending.extend_from_slice(&data);
            let Some(last) = pending.iter().rposition(|&b| b == b'\n') else { continue };
            let out = answer_lines(&engine, &pending[..=last], &policy, params.provenance, &mut line_no);
            pending.drain(..=last);
            if tx.send(out.into()).await.is_err() {
                return;
            }
        }
        if !pending.is_empty() {
            pending.push(b'\n');
            let out = answer_lines(&engine, &pending, &policy, params.provenance, &mut line_no);
            let _ = tx.send(out.into()).await;
        }
    });
    // Fused: compression polls its body once more after the end.
    let stream = futures_util::StreamExt::fuse(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (Ok::<Bytes, std::io::Error>(chunk), rx))
    }));
    Ok(([(header::CONTENT_TYPE, "application/x-ndjson")], Body::from_stream(stream)).into_response())
}

/// The answer lines of complete input lines (each ends with `\n`); blank lines are skipped.
fn answer_lines(engine: &Engine, lines: &[u8], policy: &Policy, provenance: bool, line_no: &mut u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(lines.len() * 3);
    for line in lines.split_inclusive(|&b| b == b'\n') {
        *line_no += 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<BatchItem>(line) {
            Ok(item) => write_result(&mut out, engine, &item, policy, provenance),
            Err(e) => {
                let value = serde_json::json!({"line": *line_no,
                    "error": {"field": "line", "message": format!("not an item {{\"system\", \"code\", \"date\"?, \"target\"?}}: {e}")}});
                serde_json::to_writer(&mut out, &value).expect("answers serialise");
            }
        }
        out.push(b'\n');
    }
    out
}
