//! Pipelines on the default data: every answer status on real codes, the composed receipt drug →
//! RxNorm table, translate-file's formats, encodings and error modes, exports and the bundle, and
//! the batch and stream endpoints.

use std::path::Path;
use std::process::Command;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use henkan::bulk::{Encoding, Format, OnError, Options, SystemFrom};
use henkan::export::ExportFormat;
use henkan::translate::{Engine, Item, Multi, Policy, ReviewFilter};

use crate::common::{tempdir, TestApp};

/// (status, target code, release, evidence) of every answer of one item.
fn answers(
    engine: &Engine,
    system: &str,
    code: &str,
    date: Option<&str>,
    policy: Policy,
) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    let item = Item { system, code, date, target: None };
    engine
        .translate(&item, &policy, &mut |a| {
            let row = a.row;
            out.push((
                a.outcome.to_string(),
                row.map(|r| r.code.to_string()).unwrap_or_default(),
                a.release.to_owned(),
                row.map(|r| r.evidence.to_string()).unwrap_or_default(),
            ));
        })
        .unwrap();
    out
}

fn engine() -> Engine {
    TestApp::default_data().service().engine(None, &["icd11-mms".into(), "rxnorm".into(), "loinc".into()]).unwrap()
}

#[test]
fn every_status_on_real_codes() {
    let e = engine();
    let first = Policy::default();
    // 2028045 is in the 2024-01 disease master and gone from 2024-06: a row dated 2024-03 is
    // translated in 2024-01, the release in force then, with 2024-01's own table.
    let historical = answers(&e, "jp-receipt-disease", "2028045", Some("2024-03-01"), first);
    assert_eq!(historical.len(), 1);
    assert_eq!((historical[0].0.as_str(), historical[0].2.as_str()), ("historical", "2024-01"));
    let then = TestApp::default_data()
        .service()
        .translate("jp-receipt-disease", "2028045", "icd11-mms", Some("2024-01"), &Default::default())
        .unwrap();
    assert_eq!(historical[0].1, then.matches[0].target_code.clone().unwrap());
    // Without a date (or dated after it was removed) it is unknown.
    assert_eq!(answers(&e, "jp-receipt-disease", "2028045", None, first)[0].0, "unknown-code");
    assert_eq!(answers(&e, "jp-receipt-disease", "2028045", Some("2025-01-01"), first)[0].0, "unknown-code");
    assert_eq!(answers(&e, "jp-receipt-disease", "9999999", None, first)[0].0, "unknown-code");
    // Malformed for the system: six digits, a letter in a drug code.
    assert_eq!(answers(&e, "jp-receipt-disease", "202804", None, first)[0].0, "invalid-code");
    assert_eq!(answers(&e, "jp-receipt-drug", "62009880A", None, first)[0].0, "invalid-code");
    // The table's own no-map reasons.
    assert_eq!(answers(&e, "jp-receipt-disease", "0793001", None, first)[0].0, "unmapped:who-no-mapping");
    assert_eq!(answers(&e, "jp-receipt-disease", "0000999", None, first)[0].0, "unmapped:no-icd10-on-source");
    // A system without a table to any target.
    let modifier = answers(&e, "jp-receipt-modifier", "1001", None, first);
    assert_eq!((modifier[0].0.as_str(), modifier[0].1.as_str()), ("unmapped:no-table", ""));
    // Every drug row is a candidate: approved-only finds none.
    let approved = Policy { review: ReviewFilter::Approved, ..first };
    assert_eq!(answers(&e, "jp-yj", "1149019F1560", None, approved)[0].0, "unmapped:filtered");
    assert_eq!(
        answers(&e, "jp-yj", "1149019F1560", None, Policy { min_score: Some(1.01), ..first })[0].0,
        "unmapped:filtered"
    );
}

#[test]
fn one_to_many_rows_follow_the_policy() {
    let e = engine();
    let code = "1A015000000127101";
    let explain =
        TestApp::default_data().service().translate("jlac10", code, "loinc", None, &Default::default()).unwrap();
    assert!(explain.matches.len() > 1, "this JP-CLINS item has several LOINC candidates");
    let first = answers(&e, "jlac10", code, None, Policy::default());
    assert_eq!(first.len(), 1);
    assert_eq!((first[0].0.as_str(), Some(first[0].1.clone())), ("mapped", explain.matches[0].target_code.clone()));
    let all = answers(&e, "jlac10", code, None, Policy { multi: Multi::All, ..Policy::default() });
    let codes: Vec<_> = all.iter().map(|a| Some(a.1.clone())).collect();
    let expected: Vec<_> = explain.matches.iter().map(|m| m.target_code.clone()).collect();
    assert_eq!(codes, expected);
    let ambiguous = answers(&e, "jlac10", code, None, Policy { multi: Multi::Ambiguous, ..Policy::default() });
    assert_eq!(ambiguous, [("ambiguous".to_owned(), String::new(), e.release().to_owned(), String::new())]);
    // A single candidate is mapped under every policy.
    let single = "2A990000001930951";
    for multi in Multi::ALL {
        let a = answers(&e, "jlac10", single, None, Policy { multi: *multi, ..Policy::default() });
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].0, "mapped", "{multi}");
    }
}

#[test]
fn receipt_drug_codes_reach_rxnorm_through_their_yj_code_with_both_hops() {
    let e = engine();
    // ロキソニン錠６０ｍｇ: its 医薬品マスター row names YJ 1149019F1560.
    let a = answers(&e, "jp-receipt-drug", "620098801", None, Policy::default());
    assert_eq!(a[0].0, "mapped");
    let via_yj = answers(&e, "jp-yj", "1149019F1560", None, Policy::default());
    assert_eq!(a[0].1, via_yj[0].1, "the receipt code reaches what its YJ code reaches");
    assert!(a[0].3.starts_with("jp-receipt-drug|620098801 → jp-yj|1149019F1560 ("), "{}", a[0].3);
    assert!(a[0].3.contains(&format!("→ rxnorm|{}", a[0].1)), "{}", a[0].3);
    // The composed table is a table like the others: explain and diff see it.
    let s = TestApp::default_data().service();
    let t = s.translate("jp-receipt-drug", "620098801", "rxnorm", None, &Default::default()).unwrap();
    assert_eq!(t.table, "jp-receipt-drug--rxnorm");
    let hops = &t.matches[0].evidence;
    assert_eq!((hops[0].from.as_str(), hops[0].to.as_str()), ("jp-receipt-drug|620098801", "jp-yj|1149019F1560"));
    assert!(t.matches[0].relationship.is_some());
    let d = s.diff("2024-06", "2025-08-13", None, Some("jp-receipt-drug--rxnorm")).unwrap();
    assert!(!d.tables.is_empty(), "the composed table has rows that changed with the drug master");
}

fn run_job(
    input: &Path,
    out: &Path,
    on_error: OnError,
    format: Option<Format>,
    encoding: Encoding,
) -> henkan::Result<henkan::bulk::Report> {
    let opts = Options {
        input: input.to_owned(),
        format,
        encoding,
        code_column: "code".into(),
        system: SystemFrom::Column("code_system".into()),
        date_column: Some("service_date".into()),
        out: Some(out.to_owned()),
        provenance: true,
        policy: Policy::default(),
        on_error,
    };
    henkan::bulk::job::run(&engine(), &opts, &|_| {})
}

#[test]
fn csv_rows_come_back_as_they_came_with_quoting_intact() {
    let dir = tempdir();
    let (input, out) = (dir.path().join("claims.csv"), dir.path().join("out.csv"));
    let text = "claim_id,code_system,code,service_date,note\n\
                1,jp-receipt-disease,0793001,2025-01-01,\"リノ, ウイルス \"\"感染\"\"\"\n\
                2,jp-receipt-drug,620098801,2025-01-01,\"two\nlines\"\n";
    std::fs::write(&input, text).unwrap();
    let report = run_job(&input, &out, OnError::Fail, None, Encoding::Auto).unwrap();
    assert_eq!((report.rows, report.answers, report.mapped), (2, 2, 1));
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(
        written.contains("1,jp-receipt-disease,0793001,2025-01-01,\"リノ, ウイルス \"\"感染\"\"\",icd11-mms,"),
        "{written}"
    );
    let mut rdr = csv::Reader::from_reader(written.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    assert_eq!(
        headers.iter().skip(5).collect::<Vec<_>>(),
        [
            "target_system",
            "target_code",
            "target_display",
            "relationship",
            "status",
            "release",
            "method",
            "score",
            "review_state",
            "evidence"
        ]
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(&rows[0][4], "リノ, ウイルス \"感染\"");
    assert_eq!(&rows[0][9], "unmapped:who-no-mapping");
    assert_eq!(&rows[1][4], "two\nlines");
    assert_eq!((&rows[1][5], &rows[1][9], &rows[1][11]), ("rxnorm", "mapped", "lexical-suggestion"));
    assert!(rows[1][14].starts_with("jp-receipt-drug|620098801 → jp-yj|1149019F1560"));
}

#[test]
fn shift_jis_input_is_detected_and_written_as_utf8() {
    let dir = tempdir();
    let (input, out) = (dir.path().join("claims.tsv"), dir.path().join("out.tsv"));
    let text = "code_system\tcode\tservice_date\t病名\njp-receipt-disease\t0793001\t2025-01-01\tリノウイルス感染症\n";
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(std::str::from_utf8(&bytes).is_err(), "the input really is Shift_JIS");
    std::fs::write(&input, &bytes).unwrap();
    let report = run_job(&input, &out, OnError::Fail, None, Encoding::Auto).unwrap();
    assert_eq!(report.encoding, "shift_jis");
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.starts_with("code_system\tcode\tservice_date\t病名\ttarget_system"), "{written}");
    assert!(written.contains("jp-receipt-disease\t0793001\t2025-01-01\tリノウイルス感染症\ticd11-mms\t"), "{written}");
    // Given as UTF-8, the same bytes are refused with their line and byte.
    let err = run_job(&input, &out, OnError::Fail, None, Encoding::Utf8).unwrap_err().to_string();
    assert!(err.contains("line 1") && err.contains("not UTF-8"), "{err}");
}

#[test]
fn a_malformed_line_fails_the_job_with_nothing_at_the_output_or_goes_to_the_reject_file() {
    let dir = tempdir();
    let (input, out, rejects) = (dir.path().join("claims.csv"), dir.path().join("out.csv"), dir.path().join("bad.csv"));
    let text = "claim_id,code_system,code,service_date\n\
                1,jp-receipt-disease,0793001,2025-01-01\n\
                2,jp-receipt-disease,\"0000999\"x,2025-01-01\n\
                3,jp-receipt-disease,0000999\n\
                4,no-such-system,0000999,2025-01-01\n\
                5,jp-receipt-drug,620098801,2025-01-01\n";
    std::fs::write(&input, text).unwrap();
    let err = run_job(&input, &out, OnError::Fail, None, Encoding::Auto).unwrap_err();
    assert_eq!(err.kind(), henkan::ErrorKind::InvalidInput);
    let msg = err.to_string();
    assert!(msg.contains("claims.csv, line 3, column 3") && msg.contains("closing quote"), "{msg}");
    assert!(!out.exists(), "a failed job leaves nothing at the output path");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "nor a temporary file");

    let report = run_job(&input, &out, OnError::Reject(rejects.clone()), None, Encoding::Auto).unwrap();
    assert_eq!((report.rows, report.rejected), (2, 3));
    let bad = std::fs::read_to_string(&rejects).unwrap();
    assert_eq!(bad, "2,jp-receipt-disease,\"0000999\"x,2025-01-01\n3,jp-receipt-disease,0000999\n4,no-such-system,0000999,2025-01-01\n");
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written.lines().count(), 3, "header and the two good rows: {written}");

    // A missing column is the job's error whatever the mode.
    let opts = Options {
        input,
        format: None,
        encoding: Encoding::Auto,
        code_column: "icd_code".into(),
        system: SystemFrom::Fixed("jp-receipt-disease".into()),
        date_column: None,
        out: Some(dir.path().join("never.csv")),
        provenance: false,
        policy: Policy::default(),
        on_error: OnError::Reject(dir.path().join("never-bad.csv")),
    };
    let msg = henkan::bulk::job::run(&engine(), &opts, &|_| {}).unwrap_err().to_string();
    assert!(
        msg.contains("line 1, column icd_code") && msg.contains("claim_id, code_system, code, service_date"),
        "{msg}"
    );
    assert!(!dir.path().join("never.csv").exists() && !dir.path().join("never-bad.csv").exists());
}

#[test]
fn gzipped_ndjson_keeps_each_object_and_adds_the_answer() {
    use std::io::Write;
    let dir = tempdir();
    let (input, out) = (dir.path().join("claims.ndjson.gz"), dir.path().join("out.ndjson"));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"{\"id\":1,\"code_system\":\"jp-receipt-drug\",\"code\":\"620098801\"}\n{\"id\":2,\"code_system\":\"jp-receipt-disease\",\"code\":2028045,\"service_date\":\"2024-03-01\"}\n").unwrap();
    std::fs::write(&input, gz.finish().unwrap()).unwrap();
    let report = run_job(&input, &out, OnError::Fail, None, Encoding::Auto).unwrap();
    assert_eq!(report.rows, 2);
    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(&out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!((lines[0]["id"].as_i64(), lines[0]["status"].as_str()), (Some(1), Some("mapped")));
    assert_eq!(lines[0]["target_system"], "rxnorm");
    assert_eq!((lines[1]["status"].as_str(), lines[1]["release"].as_str()), (Some("historical"), Some("2024-01")));
}

fn henkan(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_henkan")).args(args).output().unwrap()
}

#[test]
fn exports_carry_a_manifest_and_the_bundle_translates_like_the_data_directory() {
    let s = TestApp::default_data().service();
    let dir = tempdir();
    let bundle = dir.path().join("bundle");
    let m = s.export(None, ExportFormat::Parquet, &bundle, &[]).unwrap();
    assert_eq!(m.release, s.release(None).unwrap().id);
    assert!(m.tables.iter().any(|t| t.table == "jp-receipt-drug--rxnorm"));
    for f in &m.files {
        let bytes = std::fs::read(bundle.join(&f.path)).unwrap();
        use sha2::Digest;
        assert_eq!(hex::encode(sha2::Sha256::digest(&bytes)), f.sha256, "{}", f.path);
    }
    let disease = m.systems.iter().find(|x| x.system == "jp-receipt-disease").unwrap();
    assert_eq!(
        disease.file.rows,
        s.release(None).unwrap().systems.iter().find(|x| x.system == "jp-receipt-disease").unwrap().concepts
    );
    // The same rows through the bundle (a separate process, no data directory) and the store.
    let input = dir.path().join("claims.csv");
    std::fs::write(&input, "code_system,code\njp-receipt-disease,0793001\njp-receipt-disease,8848176\njp-receipt-drug,620098801\njlac10,1A015000000127101\njp-yj,1149019F1560\njp-receipt-disease,9999999\njp-receipt-disease,79\njp-receipt-modifier,1001\n").unwrap();
    let out = henkan(&[
        "translate-file",
        input.to_str().unwrap(),
        "--bundle",
        bundle.to_str().unwrap(),
        "--system-column",
        "code_system",
        "--code-column",
        "code",
        "--to",
        "icd11-mms",
        "--to",
        "rxnorm",
        "--to",
        "loinc",
        "--provenance",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let from_store = dir.path().join("store.csv");
    let opts = Options {
        input,
        format: None,
        encoding: Encoding::Auto,
        code_column: "code".into(),
        system: SystemFrom::Column("code_system".into()),
        date_column: None,
        out: Some(from_store.clone()),
        provenance: true,
        policy: Policy::default(),
        on_error: OnError::Fail,
    };
    henkan::bulk::job::run(&engine(), &opts, &|_| {}).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), std::fs::read_to_string(&from_store).unwrap());
    // Other formats: SSSOM and ConceptMap hold the tables only; an existing directory is refused.
    let sssom = dir.path().join("sssom");
    let m = s.export(None, ExportFormat::Sssom, &sssom, &["jp-receipt-disease--icd11-mms".into()]).unwrap();
    assert!(m.systems.is_empty() && m.tables.len() == 1);
    let text = std::fs::read_to_string(sssom.join("mappings/jp-receipt-disease--icd11-mms.sssom.tsv")).unwrap();
    assert!(text.starts_with("#curie_map:") && text.contains("\nsubject_id\tsubject_label\tpredicate_id"));
    let err = s.export(None, ExportFormat::Csv, &sssom, &[]).unwrap_err();
    assert!(err.to_string().contains("not empty"), "{err}");
    let err = s.export(None, ExportFormat::Csv, &dir.path().join("x"), &["no-such-table".into()]).unwrap_err();
    assert!(err.to_string().contains("no-such-table"), "{err}");
}

#[tokio::test]
async fn the_batch_endpoint_answers_in_order_with_item_errors() {
    let app = TestApp::default_data();
    let body = r#"{"provenance":true,"items":[
        {"system":"jp-receipt-drug","code":"620098801"},
        {"system":"nope","code":"1"},
        {"system":"jp-receipt-disease","code":"2028045","date":"2024-03-01"},
        {"system":"jp-receipt-disease","code":"2028045","date":"March"},
        {"system":"jlac10","code":"1A015000000127101","target":"loinc"}]}"#;
    let req =
        Request::post("/v1/translate/batch").header("content-type", "application/json").body(Body::from(body)).unwrap();
    let (status, v) = app.request(req).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let r = v["results"].as_array().unwrap();
    assert_eq!(r.len(), 5);
    assert_eq!(r[0]["answers"][0]["status"], "mapped");
    assert!(r[0]["answers"][0]["evidence"].as_str().unwrap().contains("jp-yj|1149019F1560"));
    assert_eq!(r[1]["error"]["field"], "system");
    assert_eq!(
        (r[2]["answers"][0]["status"].as_str(), r[2]["answers"][0]["release"].as_str()),
        (Some("historical"), Some("2024-01"))
    );
    assert_eq!(r[3]["error"]["field"], "date");
    assert_eq!(r[4]["answers"][0]["target_system"], "loinc");
    // Over the limit, the request is refused naming the field.
    let items: Vec<String> = (0..10_001).map(|_| r#"{"system":"jp-yj","code":"1149019F1560"}"#.to_owned()).collect();
    let body = format!(r#"{{"items":[{}]}}"#, items.join(","));
    let req =
        Request::post("/v1/translate/batch").header("content-type", "application/json").body(Body::from(body)).unwrap();
    let (status, v) = app.request(req).await;
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("limit_exceeded")),
        "{v}"
    );
    assert!(v["error"]["message"].as_str().unwrap().starts_with("items:"), "{v}");
}
