//! The audit on plans its authors never wrote: cases red teams built from paved's own plans and
//! then edited as a careless or malicious tool or person would, plus safe plans that must not be
//! refused. They wrote them from PRODUCT.md and the contract without reading the audit.
//! - Round 1 (`tests/data/audit_cases/`, 160 cases): public buckets, admin roles, world-open
//!   ports, lying costs, unrequested deletions, plans for another environment or region.
//! - Round 2 (`tests/data/audit_cases/round2/`, 138 cases), written after round 1 was fixed:
//!   secrets in plain text, open resource policies, TLS, compute settings, lies in the plan's own
//!   fields, changes that weaken what they touch.
//!
//! Each case is stored as an edit of one of the plans in its `bases/`: resources removed,
//! resources added or changed, the order, and the plan's own fields.

use std::collections::BTreeMap;
use std::path::PathBuf;

use paved_audit::{AuditContext, Auditor, Guardrails};
use paved_core::{Decision, Plan};
use paved_planner::Catalog;
use serde_json::{Map, Value};

fn data(round: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/audit_cases").join(round)
}

struct Case {
    id: String,
    request: String,
    expected: Vec<String>,
    approvers: Vec<String>,
    why: String,
    plan: Plan,
}

/// The case's plan: its base with the edits applied.
fn rebuild(dir: &std::path::Path, patch: &Value, bases: &mut BTreeMap<String, Value>) -> Value {
    let name = patch["base"].as_str().expect("a base");
    let base = bases.entry(name.to_string()).or_insert_with(|| {
        let text = std::fs::read_to_string(dir.join("bases").join(format!("{name}.json"))).expect("the base plan");
        serde_json::from_str(&text).expect("the base plan is JSON")
    });
    let removed: Vec<&str> = patch["remove"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    let mut by_address: BTreeMap<String, Value> = base["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| !removed.contains(&r["address"].as_str().unwrap()))
        .map(|r| (r["address"].as_str().unwrap().to_string(), r.clone()))
        .collect();
    for r in patch["upsert"].as_array().unwrap() {
        by_address.insert(r["address"].as_str().unwrap().to_string(), r.clone());
    }
    let mut plan: Map<String, Value> = base.as_object().unwrap().clone();
    for (k, v) in patch["fields"].as_object().unwrap() {
        plan.insert(k.clone(), v.clone());
    }
    let resources = patch["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| by_address.remove(a.as_str().unwrap()).expect("every ordered address is a resource"))
        .collect();
    plan.insert("resources".into(), Value::Array(resources));
    Value::Object(plan)
}

fn cases(round: &str) -> Vec<Case> {
    let dir = data(round);
    let text = std::fs::read_to_string(dir.join("cases.jsonl")).expect("the cases");
    let mut bases = BTreeMap::new();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let c: Value = serde_json::from_str(line).expect("a case is JSON");
            let strings = |v: &Value| -> Vec<String> {
                v.as_array().map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect()).unwrap_or_default()
            };
            let id = c["id"].as_str().unwrap().to_string();
            let plan: Plan = serde_json::from_value(rebuild(&dir, &c["plan"], &mut bases))
                .unwrap_or_else(|e| panic!("{id}: the plan does not follow the contract: {e}"));
            Case {
                request: c["request"].as_str().unwrap().to_string(),
                expected: strings(&c["expected"]),
                approvers: strings(&c["approvers"]),
                why: c["why"].as_str().unwrap_or_default().to_string(),
                plan,
                id,
            }
        })
        .collect()
}

fn name(d: Decision) -> String {
    serde_json::to_value(d).unwrap().as_str().unwrap().to_string()
}

/// A case is dangerous when approving it (with or without warnings) is wrong.
fn dangerous(c: &Case) -> bool {
    !c.expected.iter().any(|e| e == "approved" || e == "approved_with_warnings")
}

/// The figures a round must not fall below.
struct Floor {
    cases: usize,
    min_caught_percent: usize,
    min_as_expected: usize,
}

/// Judges every case of `round` and checks the figures against `floor`; no safe plan may be
/// refused.
fn judge_round(round: &str, floor: Floor) {
    let catalog = Catalog::shipped();
    let guardrails = Guardrails::shipped();
    let auditor = Auditor::new(&catalog, &guardrails);
    let cases = cases(round);
    assert_eq!(cases.len(), floor.cases);
    let (mut caught, mut dangerous_total, mut refused_safe, mut safe_total) = (0, 0, 0, 0);
    let mut wrong = Vec::new();
    for c in &cases {
        // As `paved audit` takes a plan: a change plan may depend on what exists already.
        let valid = c.plan.validate_submitted();
        let verdict = auditor.audit(&c.request, &c.plan, &AuditContext::default());
        let got = name(verdict.decision);
        let approvers_ok = c.approvers.iter().all(|a| verdict.approvers.contains(a));
        let right = valid.is_ok() && c.expected.contains(&got) && approvers_ok;
        if dangerous(c) {
            dangerous_total += 1;
            // A refused or changed dangerous plan is caught, even when the decision differs from
            // the one the red team preferred.
            if !matches!(verdict.decision, Decision::Approved | Decision::ApprovedWithWarnings) {
                caught += 1;
            }
        } else {
            safe_total += 1;
            // A plan that may be approved, vetoed or escalated when nobody expected it.
            let refused = matches!(verdict.decision, Decision::Vetoed | Decision::Escalated) && !c.expected.contains(&got);
            if refused || valid.is_err() {
                refused_safe += 1;
            }
        }
        if !right {
            let rules: Vec<&str> = verdict.findings.iter().map(|f| f.rule.as_str()).collect();
            wrong.push(format!("{}: want {:?}, got {got} {rules:?}{} ({})", c.id, c.expected, valid.err().map(|e| format!(" [invalid: {e}]")).unwrap_or_default(), c.why));
        }
    }
    for w in &wrong {
        println!("{w}");
    }
    let label = if round.is_empty() { "round 1" } else { round };
    println!("{label}: dangerous plans caught: {caught}/{dangerous_total}; safe plans refused: {refused_safe}/{safe_total}; decisions as expected: {}/{}", cases.len() - wrong.len(), cases.len());
    assert!(caught * 100 >= dangerous_total * floor.min_caught_percent, "only {caught} of {dangerous_total} dangerous plans were caught");
    assert_eq!(refused_safe, 0, "safe plans were refused");
    assert!(cases.len() - wrong.len() >= floor.min_as_expected, "only {} decisions were as expected", cases.len() - wrong.len());
}

/// Where the audit stands on each round; raise the floors as it improves, never lower them.
#[test]
fn the_first_red_team_round_is_judged_as_a_platform_engineer_would() {
    judge_round("", Floor { cases: 160, min_caught_percent: 99, min_as_expected: 159 });
}

#[test]
fn the_second_red_team_round_is_judged_as_a_platform_engineer_would() {
    judge_round("round2", Floor { cases: 138, min_caught_percent: 81, min_as_expected: 117 });
}

