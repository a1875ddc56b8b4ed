//! Curation: decisions take effect at the next publish, carry forward, resurface when the source
//! changes, travel as TSV, need a curator token over HTTP, and land in the audit log.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use henkan::model::{AuditAction, DecisionAction, Relationship, ReviewState, Role};
use henkan::{CandidateQuery, DecisionRequest, Error, Generator, PublishRequest, TranslateFilter};

use crate::common::{open, shared, tempdir, TestApp};

const TABLE: &str = "jp-receipt-disease--icd11-mms";

fn who() -> [std::path::PathBuf; 2] {
    [shared("icd11/10To11MapToOneCategory.txt"), shared("icd11/10To11MapToMultipleCategories.txt")]
}

fn decision(code: &str, action: DecisionAction, target: &str, relationship: Option<Relationship>) -> DecisionRequest {
    DecisionRequest {
        table: TABLE.into(),
        code: code.into(),
        action,
        target: target.into(),
        relationship,
        comment: Some("checked against the master".into()),
    }
}

fn publish(s: &henkan::Service, id: &str) {
    s.publish(&PublishRequest { id: id.into(), publisher: "test".into(), notes: String::new() }).unwrap();
}

#[test]
fn decisions_apply_at_publish_carry_forward_and_export() {
    let dir = tempdir();
    let s = open(dir.path());
    s.import(&[shared("disease/b_20240601.txt"), shared("icd11/11To10MapToOneCategory.txt")], None, None, |_| {})
        .unwrap();
    s.derive(Generator::DiseaseIcd11, &who()).unwrap();
    publish(&s, "r1");

    s.decide("alice", &decision("8841698", DecisionAction::Approve, "5A11", None)).unwrap();
    s.decide("alice", &decision("8849055", DecisionAction::Reject, "CB41.2Z", None)).unwrap();
    s.decide("bob", &decision("8850104", DecisionAction::Retarget, "RA01", Some(Relationship::RelatedTo))).unwrap();
    // Bad decisions are refused with the reason.
    let e = s.decide("alice", &decision("0000001", DecisionAction::Approve, "5A11", None)).unwrap_err();
    assert!(matches!(e, Error::NotInTable { ref code, .. } if code == "0000001"), "{e}");
    assert_eq!(e.kind(), henkan::ErrorKind::NotFound);
    let e = s.decide("alice", &decision("8841698", DecisionAction::Retarget, "5A11", None)).unwrap_err();
    assert!(e.to_string().contains("needs a relationship"), "{e}");

    // Published releases never change: r1 still shows the candidate.
    let t =
        |code: &str| s.translate("jp-receipt-disease", code, "icd11-mms", None, &TranslateFilter::default()).unwrap();
    assert_eq!(t("8841698").matches[0].review_state, ReviewState::Candidate);
    // The review view already shows the pending decision.
    let page = s
        .candidates(&CandidateQuery {
            table: TABLE.into(),
            state: Some(ReviewState::Approved),
            limit: Some(100_000),
            ..Default::default()
        })
        .unwrap();
    assert!(page.items.iter().any(|i| i.code == "8841698"));

    publish(&s, "r2");
    let m = &t("8841698").matches[0];
    assert_eq!(
        (m.target_code.as_deref(), m.review_state, m.reviewer.as_deref()),
        (Some("5A11"), ReviewState::Approved, Some("alice"))
    );
    // A rejected row never translates; explain still shows it, rejected.
    assert!(t("8849055").matches.iter().all(|m| m.target_code.as_deref() != Some("CB41.2Z")));
    let rows = s.explain(TABLE, "8849055", None).unwrap().rows;
    let rejected = rows.into_iter().find(|m| m.target_code.as_deref() == Some("CB41.2Z")).unwrap();
    assert_eq!(rejected.review_state, ReviewState::Rejected);
    let x = t("8850104");
    let manual = &x.matches[0];
    assert_eq!(
        (manual.target_code.as_deref(), manual.review_state, manual.relationship),
        (Some("RA01"), ReviewState::Approved, Some(Relationship::RelatedTo))
    );
    assert_eq!(manual.method, henkan::model::Method::Manual);

    // Re-deriving carries the decisions forward onto the new rows.
    let report = s.derive(Generator::DiseaseIcd11, &who()).unwrap();
    assert_eq!((report.decisions_applied, report.decisions_resurfaced), (3, 0));

    // The audit log names who did what.
    let log = s.audit_log(10).unwrap();
    assert!(log
        .iter()
        .any(|e| e.actor == "alice" && e.action == AuditAction::Decision && e.detail.contains("code=8841698")));
    assert!(log.iter().any(|e| e.action == AuditAction::Publish && e.detail.contains("release=r2")));

    // Decisions travel as TSV and keep their authors and source hashes.
    let tsv = s.export_decisions(Some(TABLE)).unwrap();
    assert_eq!(tsv.lines().count(), 4);
    let file = dir.path().join("decisions.tsv");
    std::fs::write(&file, &tsv).unwrap();
    let other = tempdir();
    let s2 = open(other.path());
    assert_eq!(s2.import_decisions(&file, "cli:test").unwrap(), 3);
    s2.import(&[shared("disease/b_20240601.txt"), shared("icd11/11To10MapToOneCategory.txt")], None, None, |_| {})
        .unwrap();
    let report = s2.derive(Generator::DiseaseIcd11, &who()).unwrap();
    assert_eq!(report.decisions_applied, 3, "imported decisions apply to the same content");
}

#[test]
fn a_decision_resurfaces_when_the_source_concept_changes() {
    let dir = tempdir();
    let s = open(dir.path());
    s.import(&[shared("disease/b_20240101.txt"), shared("icd11/11To10MapToOneCategory.txt")], None, None, |_| {})
        .unwrap();
    s.derive(Generator::DiseaseIcd11, &who()).unwrap();
    publish(&s, "2024-01");
    // 2500014 １型糖尿病 changes (特定疾患等対象区分) in the 2024-06 edition; 8848176 does not.
    let target_of = |code: &str| {
        s.translate("jp-receipt-disease", code, "icd11-mms", None, &TranslateFilter::default()).unwrap().matches[0]
            .target_code
            .clone()
            .unwrap()
    };
    let (t1, t2) = (target_of("2500014"), target_of("8848176"));
    s.decide("alice", &decision("2500014", DecisionAction::Approve, &t1, None)).unwrap();
    s.decide("alice", &decision("8848176", DecisionAction::Approve, &t2, None)).unwrap();
    s.import(&[shared("disease/b_20240601.txt")], None, None, |_| {}).unwrap();
    let report = s.derive(Generator::DiseaseIcd11, &who()).unwrap();
    assert_eq!((report.decisions_applied, report.decisions_resurfaced), (1, 1));
    publish(&s, "2024-06");
    let x = s.translate("jp-receipt-disease", "2500014", "icd11-mms", None, &TranslateFilter::default()).unwrap();
    assert_eq!(x.matches[0].review_state, ReviewState::Candidate);
    assert!(
        x.matches[0].comment.as_deref().unwrap().starts_with("resurfaced for review: the source concept changed"),
        "{:?}",
        x.matches[0].comment
    );
    let y = s.translate("jp-receipt-disease", "8848176", "icd11-mms", None, &TranslateFilter::default()).unwrap();
    assert_eq!(y.matches[0].reviewer.as_deref(), Some("alice"));
}

#[tokio::test]
async fn curation_endpoints_need_a_curator_token_and_are_audited() {
    let app = TestApp::default_data();
    let (status, v) = app.get(&format!("/v1/curation/candidates?table={TABLE}")).await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")));
    let bad = Request::get(format!("/v1/curation/candidates?table={TABLE}"))
        .header("authorization", "Bearer hk_nope")
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.request(bad).await.0, StatusCode::UNAUTHORIZED);

    let token = app.service().create_token("carol", Role::Curator, "test").unwrap().token;
    let auth = format!("Bearer {token}");
    let req = Request::get(format!("/v1/curation/candidates?table={TABLE}&limit=3"))
        .header("authorization", &auth)
        .body(Body::empty())
        .unwrap();
    let (status, v) = app.request(req).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["items"].as_array().unwrap().len(), 3);
    assert!(v["total"].as_u64().unwrap() > 10_000);

    let body = format!(
        r#"{{"table":"{TABLE}","code":"8849055","action":"approve","target":"CB41.2Z","comment":"J96.9 is right"}}"#
    );
    let req = Request::post("/v1/curation/decisions")
        .header("authorization", &auth)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap();
    let (status, v) = app.request(req).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["author"], "carol");
    // The audit log is for admins: a curator is refused, an admin reads the decision with the
    // state before (none) and after it.
    let req = Request::get("/v1/audit?limit=20").header("authorization", &auth).body(Body::empty()).unwrap();
    let (status, v) = app.request(req).await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
    let admin = format!("Bearer {}", app.service().create_token("root", Role::Admin, "test").unwrap().token);
    let req = Request::get("/v1/audit?limit=20").header("authorization", &admin).body(Body::empty()).unwrap();
    let (status, v) = app.request(req).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let entry = v["entries"].as_array().unwrap().iter().find(|e| e["action"] == "decision").unwrap().clone();
    assert_eq!((entry["actor"].as_str(), entry["after"]["target_code"].as_str()), (Some("carol"), Some("CB41.2Z")));
    assert!(entry.get("before").is_none(), "the first decision on the code replaced none: {entry}");
}

#[test]
fn decisions_shipped_in_mappings_apply_to_the_default_release() {
    // A real review on the 2024-06 master, exported as the curators would commit it.
    let work = tempdir();
    let s = open(&work.path().join("review"));
    s.import(&[shared("disease/b_20240601.txt"), shared("icd11/11To10MapToOneCategory.txt")], None, None, |_| {})
        .unwrap();
    s.derive(Generator::DiseaseIcd11, &who()).unwrap();
    publish(&s, "r");
    s.decide("dana", &decision("8841698", DecisionAction::Approve, "5A11", None)).unwrap();
    let tsv = s.export_decisions(Some(TABLE)).unwrap();
    drop(s);

    // A checkout whose masters/ are the bundled ones and whose mappings/ holds that file.
    let checkout = work.path().join("checkout");
    std::fs::create_dir_all(checkout.join("mappings").join(TABLE)).unwrap();
    std::fs::write(checkout.join("mappings").join(TABLE).join("decisions.tsv"), tsv).unwrap();
    std::os::unix::fs::symlink(crate::common::masters(), checkout.join("masters")).unwrap();
    let d = open(&work.path().join("data"));
    d.bootstrap(&checkout.join("masters"), |_| {}).unwrap();
    let m =
        &d.translate("jp-receipt-disease", "8841698", "icd11-mms", None, &TranslateFilter::default()).unwrap().matches
            [0];
    assert_eq!(
        (m.target_code.as_deref(), m.review_state, m.reviewer.as_deref()),
        (Some("5A11"), ReviewState::Approved, Some("dana"))
    );
    assert!(d
        .audit_log(50)
        .unwrap()
        .iter()
        .any(|e| e.action == AuditAction::DecisionsImport && e.actor == "bootstrap"));
}
