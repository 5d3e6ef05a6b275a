//! Signed verdicts: key files, tampering with plan or verdict, wrong and missing signatures, and
//! the verdict's JSON against the contract's schema.

use std::path::PathBuf;

use paved_audit::keys::{self, KeyError};
use paved_audit::{AuditContext, Auditor, Guardrails};
use paved_core::canonical::plan_hash;
use paved_core::signing::{SignatureError, sign_verdict, verify_verdict};
use paved_core::{Plan, Verdict};
use paved_planner::{Catalog, Planner, PlanningContext};
use serde_json::{Value, json};

const REQUEST: &str = "I need a development web app with PostgreSQL";

/// A directory removed when dropped.
fn scratch_dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("paved-audit-{name}-"))
        .tempdir()
        .unwrap()
}

fn verdict_and_plan() -> (Verdict, Plan) {
    let catalog = Catalog::shipped();
    let guardrails = Guardrails::shipped();
    let auditor = Auditor::new(&catalog, &guardrails);
    let intent = auditor.understand(REQUEST);
    let mut plan = Planner::new(&catalog)
        .plan(&intent, &PlanningContext::default())
        .unwrap()
        .unwrap();
    // An unencrypted database, so that the verdict carries a fix and a changed plan.
    let db = plan
        .resources
        .iter_mut()
        .find(|r| r.kind == "aws_db_instance")
        .unwrap();
    db.values.insert("storage_encrypted".into(), json!(false));
    (
        auditor.audit(REQUEST, &plan, &AuditContext::default()),
        plan,
    )
}

#[test]
fn generated_keys_sign_and_verify() {
    let dir = scratch_dir("roundtrip");
    let written = keys::generate_keypair(dir.path(), false).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&written.private_key)
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
    let pem = std::fs::read_to_string(&written.private_key).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"), "PKCS#8 PEM");
    let public = std::fs::read_to_string(&written.public_key).unwrap();
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"));

    let signing = keys::load_signing_key(&written.private_key).unwrap();
    let verifying = keys::load_verifying_key(&written.public_key).unwrap();
    assert_eq!(signing.verifying_key(), verifying);
    assert_eq!(paved_core::signing::key_id(&verifying), written.key_id);

    let (mut verdict, plan) = verdict_and_plan();
    sign_verdict(&signing, &mut verdict);
    verify_verdict(&verifying, &verdict, &plan_hash(&plan)).unwrap();
}

#[test]
fn an_existing_key_is_replaced_only_with_force() {
    let dir = scratch_dir("force");
    let first = keys::generate_keypair(dir.path(), false).unwrap();
    assert!(matches!(
        keys::generate_keypair(dir.path(), false),
        Err(KeyError::Exists(_))
    ));
    let second = keys::generate_keypair(dir.path(), true).unwrap();
    assert_ne!(first.key_id, second.key_id);
}

#[cfg(unix)]
#[test]
fn a_private_key_readable_by_others_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch_dir("open");
    let written = keys::generate_keypair(dir.path(), false).unwrap();
    std::fs::set_permissions(&written.private_key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = keys::load_signing_key(&written.private_key).unwrap_err();
    assert!(matches!(err, KeyError::TooOpen(_)), "{err}");
    assert!(err.to_string().contains("chmod 600"), "{err}");
}

#[test]
fn a_file_that_is_no_key_is_refused() {
    let dir = scratch_dir("junk");
    let path = dir.path().join("audit.pub");
    std::fs::write(&path, "not a key").unwrap();
    assert!(matches!(
        keys::load_verifying_key(&path),
        Err(KeyError::Malformed(..))
    ));
}

fn signed() -> (Verdict, Plan, ed25519_dalek::VerifyingKey) {
    let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let (mut verdict, plan) = verdict_and_plan();
    sign_verdict(&key, &mut verdict);
    (verdict, plan, key.verifying_key())
}

#[test]
fn unsigned_and_wrongly_signed_verdicts_fail() {
    let (verdict, plan, key) = signed();
    let judged = plan_hash(&plan);
    let mut unsigned = verdict.clone();
    unsigned.signature = None;
    assert_eq!(
        verify_verdict(&key, &unsigned, &judged),
        Err(SignatureError::Unsigned)
    );
    let other = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]).verifying_key();
    assert!(matches!(
        verify_verdict(&other, &verdict, &judged),
        Err(SignatureError::WrongKey { .. })
    ));
    // A verdict made for another plan version does not authorise this one.
    let mut changed = plan.clone();
    changed.region = "us-west-2".into();
    assert!(matches!(
        verify_verdict(&key, &verdict, &plan_hash(&changed)),
        Err(SignatureError::PlanMismatch { .. })
    ));
}

#[test]
fn changing_the_approved_plan_breaks_the_signature() {
    let (verdict, plan, key) = signed();
    let judged = plan_hash(&plan);
    let mut v = verdict.clone();
    v.plan.resources[0]
        .values
        .insert("publicly_accessible".into(), json!(true));
    assert!(verify_verdict(&key, &v, &judged).is_err());
    let mut v = verdict.clone();
    v.decision = paved_core::Decision::Approved;
    assert_eq!(
        verify_verdict(&key, &v, &judged),
        Err(SignatureError::Mismatch)
    );
}

/// A small signed verdict (a few resources, so that every byte can be flipped quickly).
fn small_signed() -> (Verdict, Plan, ed25519_dalek::VerifyingKey) {
    let catalog = Catalog::shipped();
    let guardrails = Guardrails::shipped();
    let auditor = Auditor::new(&catalog, &guardrails);
    let (_, big) = verdict_and_plan();
    let mut plan = big.clone();
    plan.resources
        .retain(|r| matches!(r.kind.as_str(), "aws_db_instance" | "aws_security_group"));
    for r in plan.resources.iter_mut() {
        r.depends_on.clear();
    }
    let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let mut verdict = auditor.audit(REQUEST, &plan, &AuditContext::default());
    sign_verdict(&key, &mut verdict);
    (verdict, plan, key.verifying_key())
}

/// Flips alphanumeric bytes all over a signed verdict's JSON (to another byte of the same kind, so
/// the JSON stays well-formed): no flipped verdict may verify. Every 5th byte keeps a debug build
/// quick and still reaches every field of the plan, the findings, the hashes and the signature.
#[test]
fn flipping_any_byte_of_the_signed_verdict_fails_verification() {
    let (verdict, plan, key) = small_signed();
    let judged = plan_hash(&plan);
    verify_verdict(&key, &verdict, &judged).unwrap();
    let text = serde_json::to_string(&verdict).unwrap();
    let bytes = text.as_bytes();
    let mut tried = 0;
    for i in (0..bytes.len()).step_by(5) {
        let b = bytes[i];
        let flipped = match b {
            b'0'..=b'8' | b'a'..=b'y' | b'A'..=b'Y' => b + 1,
            b'9' => b'0',
            b'z' => b'a',
            b'Z' => b'A',
            _ => continue,
        };
        let mut copy = bytes.to_vec();
        copy[i] = flipped;
        let Ok(changed) = serde_json::from_slice::<Verdict>(&copy) else {
            continue;
        };
        tried += 1;
        assert!(
            verify_verdict(&key, &changed, &judged).is_err(),
            "flipping byte {i} ({}) still verified",
            String::from_utf8_lossy(&bytes[i.saturating_sub(20)..(i + 20).min(bytes.len())])
        );
    }
    assert!(tried > 300, "only {tried} flips parsed");
}

/// The verdict schema refers to `plan.schema.json`; its definitions are inlined so that the
/// validator needs no registry.
fn verdict_validator() -> jsonschema::Validator {
    let read = |name: &str| -> Value {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/schemas")
            .join(name);
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    };
    let mut verdict = read("verdict.schema.json");
    let mut plan = read("plan.schema.json");
    let defs = plan.as_object_mut().unwrap().remove("$defs").unwrap();
    plan.as_object_mut().unwrap().remove("$id");
    plan.as_object_mut().unwrap().remove("$schema");
    verdict["$defs"] = defs;
    verdict["properties"]["plan"] = plan;
    jsonschema::validator_for(&verdict).unwrap()
}

#[test]
fn verdicts_follow_the_contract_schema() {
    let validator = verdict_validator();
    let (verdict, _, _) = signed();
    let value = serde_json::to_value(&verdict).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The schema is strict enough to catch a broken verdict.
    let mut broken = value.clone();
    broken["decision"] = json!("maybe");
    assert!(!validator.is_valid(&broken));
    let mut broken = value;
    broken["plan"]["resources"][0]["monthly_cost_usd"] = json!(-1);
    assert!(!validator.is_valid(&broken));
}

#[test]
fn every_example_plan_gives_a_schema_valid_verdict() {
    let validator = verdict_validator();
    let catalog = Catalog::shipped();
    let guardrails = Guardrails::shipped();
    let auditor = Auditor::new(&catalog, &guardrails);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/plans");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let example: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let request = example["request"].as_str().unwrap();
        let expected = example["expected_decision"].as_str().unwrap();
        let plan: Plan = serde_json::from_value(example["plan"].clone()).unwrap();
        plan.validate().unwrap();
        let verdict = auditor.audit(request, &plan, &AuditContext::default());
        assert_eq!(
            verdict.decision.as_str(),
            expected,
            "{}: {:#?}",
            path.display(),
            verdict.findings
        );
        let value = serde_json::to_value(&verdict).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        seen += 1;
    }
    assert!(seen >= 4, "only {seen} example plans");
}
