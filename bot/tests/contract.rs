//! The outside contract of `paved plan` and `paved audit`, checked on the real binary: JSON
//! shapes against the contract's schemas, exit codes, and errors for bad input.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use support::{Scratch, copy_dir};

fn paved() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_paved"));
    cmd.env_remove("PAVED_POLICIES").env_remove("PAVED_AUDIT_KEY");
    cmd
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn run(args: &[&str]) -> Output {
    paved().args(args).stdin(Stdio::null()).output().unwrap()
}

fn schema(name: &str) -> Value {
    let text = std::fs::read_to_string(repo().join("tests/schemas").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Resolves the schemas' `$ref`s (the verdict's `plan.schema.json`) from `tests/schemas/`.
struct SchemaDir;

impl jsonschema::Retrieve for SchemaDir {
    fn retrieve(&self, uri: &jsonschema::Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri.path().as_str().rsplit('/').next().unwrap_or_default().to_string();
        Ok(schema(&name))
    }
}

/// A validator for one of the contract's schemas.
fn validator(name: &str) -> jsonschema::Validator {
    jsonschema::options().with_retriever(SchemaDir).build(&schema(name)).unwrap()
}

fn assert_valid(v: &jsonschema::Validator, instance: &Value, what: &str) {
    let errors: Vec<String> = v.iter_errors(instance).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{what} breaks the schema: {errors:#?}\n{instance:#}");
}

const REQUESTS: &[&str] = &[
    "I need a production web app with PostgreSQL",
    "Deploy a production microservice for payment processing with PostgreSQL database and Redis caching",
    "Staging web app with MySQL, no cache please",
    "Run a nightly report job that exports data to S3",
    "Deploy a data pipeline for analytics in Frankfurt",
    "I want to train a machine learning model on GPUs, training data is in S3",
    "Spin up a REST API backed by DynamoDB in us-west-2",
    "Production API microservice with a Redis cache, hosted in Frankfurt",
    "Deploy a web app using Deno instead of Node.js",
    "Production customer database for our SaaS, EU customers only, must be GDPR compliant",
    "I need a HIPAA compliant patient portal with postgres",
    "Scale the checkout-service for Black Friday traffic",
    "Delete the staging environment of payment-service",
    "Clean up old resources",
    "Roll back req-12345",
    "hello there",
];

#[test]
fn plan_json_follows_the_contract_for_every_kind_of_request() {
    let intent_schema = validator("intent.schema.json");
    let plan_schema = validator("plan.schema.json");
    let mut planned = 0;
    for request in REQUESTS {
        let out = run(&["plan", "--json", request]);
        assert_eq!(out.status.code(), Some(0), "{request}: {}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let obj = v.as_object().unwrap();
        assert!(obj.contains_key("intent") && obj.contains_key("plan"), "{request}: {v}");
        assert_valid(&intent_schema, &v["intent"], request);
        if v["plan"].is_null() {
            assert!(
                !v["intent"]["clarifications"].as_array().unwrap().is_empty(),
                "{request}: no plan but no question either"
            );
        } else {
            planned += 1;
            assert_valid(&plan_schema, &v["plan"], request);
            let resources = v["plan"]["resources"].as_array().unwrap();
            assert!(!resources.is_empty(), "{request}: empty plan");
            let sum: f64 = resources.iter().map(|r| r["monthly_cost_usd"].as_f64().unwrap()).sum();
            let total = v["plan"]["estimated_monthly_cost_usd"].as_f64().unwrap();
            assert!((sum - total).abs() < 0.011, "{request}: total {total} is not the sum {sum}");
        }
    }
    assert!(planned >= 12, "only {planned} of {} requests were planned", REQUESTS.len());
}

#[test]
fn vague_requests_get_questions_and_no_plan() {
    for request in ["Clean up old resources", "delete everything tagged old"] {
        let v: Value = serde_json::from_slice(&run(&["plan", "--json", request]).stdout).unwrap();
        assert!(v["plan"].is_null(), "{request}");
        assert!(!v["intent"]["clarifications"].as_array().unwrap().is_empty(), "{request}");
    }
}

#[test]
fn public_intent_set_scores_at_least_95_percent_through_the_scorer() {
    let out = Command::new("python3")
        .arg(repo().join("tests/eval/score_intents.py"))
        .arg(env!("CARGO_BIN_EXE_paved"))
        .arg(repo().join("tests/data/intents.jsonl"))
        .arg("--verbose")
        .output()
        .expect("python3 runs the contract's scorer");
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().unwrap_or_default();
    let pct: f64 = last
        .rsplit('=')
        .next()
        .and_then(|s| s.trim().trim_end_matches('%').parse().ok())
        .unwrap_or_else(|| panic!("unexpected scorer output: {text}"));
    assert!(pct >= 95.0, "intent accuracy {pct}%:\n{text}");
}

#[test]
fn human_plan_output_shows_the_cards() {
    let out = run(&["plan", "I need a production web app with PostgreSQL"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("What I understood"), "{text}");
    assert!(text.contains("standard_web_app"), "{text}");
    assert!(text.contains("aws_db_instance."), "{text}");
    assert!(text.contains("Estimated monthly cost  $"), "{text}");
}

fn assert_bad_input(out: &Output, needle: &str) {
    assert_eq!(out.status.code(), Some(2), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty(), "stdout must be empty: {}", String::from_utf8_lossy(&out.stdout));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "one sentence on stderr: {err}");
    assert!(err.contains(needle), "stderr should mention `{needle}`: {err}");
}

#[test]
fn empty_and_oversized_requests_are_refused() {
    assert_bad_input(&run(&["plan", "--json", "   "]), "empty");
    let long = "web app ".repeat(600);
    assert_bad_input(&run(&["plan", "--json", &long]), "4000");
}

#[test]
fn a_broken_policy_file_is_named_with_its_line() {
    let dir = tempdir("broken-policies");
    copy_dir(&repo().join("policies"), &dir);
    let guardrails = dir.join("guardrails.yaml");
    let text = std::fs::read_to_string(&guardrails).unwrap();
    // Misspell the first `level:` key.
    let broken = text.replacen("level:", "levle:", 1);
    let line = broken.lines().position(|l| l.contains("levle:")).unwrap() + 1;
    std::fs::write(&guardrails, broken).unwrap();
    let out = run(&["--policies", dir.to_str().unwrap(), "plan", "--json", "a web app"]);
    assert_bad_input(&out, "guardrails.yaml");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("line {line}")), "{err}");
    assert!(err.contains("levle"), "{err}");
}

#[test]
fn audit_json_follows_the_contract_and_approves_paveds_own_plan() {
    let verdict_schema = validator("verdict.schema.json");
    let dir = tempdir("audit-own-plan");
    for request in REQUESTS {
        let out = run(&["plan", "--json", request]);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        if v["plan"].is_null() {
            continue;
        }
        let file = dir.join("plan.json");
        std::fs::write(&file, serde_json::to_vec(&v["plan"]).unwrap()).unwrap();
        let out = run(&["audit", "--json", "--request", request, "--plan", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{request}: {}", String::from_utf8_lossy(&out.stderr));
        let verdict: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_valid(&verdict_schema, &verdict, request);
        let decision = verdict["decision"].as_str().unwrap();
        assert_ne!(decision, "vetoed", "{request}: paved's own plan was vetoed: {verdict:#}");
    }
}

#[test]
fn audit_rejects_unreadable_and_malformed_plans() {
    let dir = tempdir("audit-bad-plans");
    let missing = dir.join("missing.json");
    assert_bad_input(
        &run(&["audit", "--json", "--request", "a web app", "--plan", missing.to_str().unwrap()]),
        "missing.json",
    );
    let bad_json = dir.join("bad.json");
    std::fs::write(&bad_json, "{ not json").unwrap();
    assert_bad_input(&run(&["audit", "--json", "--request", "a web app", "--plan", bad_json.to_str().unwrap()]), "JSON");
    let no_resources = dir.join("schema.json");
    std::fs::write(&no_resources, r#"{"golden_path": null, "golden_path_version": "1", "environment": "production", "region": "us-east-1", "estimated_monthly_cost_usd": 0}"#).unwrap();
    assert_bad_input(
        &run(&["audit", "--json", "--request", "a web app", "--plan", no_resources.to_str().unwrap()]),
        "resources",
    );
    let bad_env = dir.join("env.json");
    std::fs::write(&bad_env, r#"{"golden_path": null, "golden_path_version": "1", "environment": "moon", "region": "us-east-1", "resources": [], "estimated_monthly_cost_usd": 0}"#).unwrap();
    assert_bad_input(&run(&["audit", "--json", "--request", "a web app", "--plan", bad_env.to_str().unwrap()]), "moon");
    assert_bad_input(&run(&["audit", "--json", "--request", "", "--plan", bad_env.to_str().unwrap()]), "empty");
}

#[test]
fn generated_keys_are_private_and_sign_verdicts() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir("keys");
    let out = run(&["keys", "generate", "--dir", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let key = dir.join("audit.key");
    let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // A second generate must not overwrite the key silently.
    let again = run(&["keys", "generate", "--dir", dir.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));

    let planned: Value =
        serde_json::from_slice(&run(&["plan", "--json", "a staging web app with postgres"]).stdout).unwrap();
    let file = dir.join("plan.json");
    std::fs::write(&file, serde_json::to_vec(&planned).unwrap()).unwrap();
    let out = run(&[
        "audit", "--json", "--request", "a staging web app with postgres", "--plan", file.to_str().unwrap(), "--key",
        key.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let verdict: paved_core::Verdict = serde_json::from_slice(&out.stdout).unwrap();
    let public = paved_audit::keys::load_verifying_key(&dir.join("audit.pub")).unwrap();
    let plan: paved_core::Plan = serde_json::from_value(planned["plan"].clone()).unwrap();
    let hash = paved_core::canonical::plan_hash(&plan);
    paved_core::signing::verify_verdict(&public, &verdict, &hash).unwrap();
    let mut tampered = verdict.clone();
    tampered.plan.estimated_monthly_cost_usd += 1.0;
    assert!(paved_core::signing::verify_verdict(&public, &tampered, &hash).is_err());
}

/// A working directory for paved on its embedded defaults (its SQLite file and audit key land
/// there), with a sandbox cloud that takes no time.
fn embedded(name: &str) -> Scratch {
    let dir = tempdir(name);
    std::fs::write(dir.join("paved.toml"), "[cloud]\nsandbox_time_factor = 0.0\n").unwrap();
    dir
}

/// Runs `paved` in `dir`, reading its `paved.toml` and database.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    paved().args(args).current_dir(dir).env_remove("DATABASE_URL").env_remove("PAVED_CONFIG").stdin(Stdio::null()).output().unwrap()
}

fn json_of(out: &Output) -> Value {
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn report_on_an_empty_database_is_all_zeros_and_a_wrong_month_is_refused() {
    let dir = embedded("report-empty");
    let v = json_of(&run_in(&dir, &["log", "report", "--json"]));
    let since = v["window"]["since"].as_str().unwrap();
    assert!(since.ends_with("-01T00:00:00.000Z"), "the current month: {v:#}");
    assert!(v["window"]["until"].as_str().unwrap() > since, "{v:#}");
    assert_eq!(v["requests"], 0);
    for key in ["audited", "approved", "approved_with_warnings", "auto_fixed", "vetoed", "escalated", "auto_approved"] {
        assert_eq!(v["decisions"][key], 0, "decisions.{key}: {v:#}");
    }
    assert!(v["decisions"]["auto_approved_percent"].is_null() && v["decisions"]["escalated_percent"].is_null(), "{v:#}");
    for key in ["started", "completed", "failed", "running"] {
        assert_eq!(v["deployments"][key], 0, "deployments.{key}: {v:#}");
    }
    assert!(v["deployments"]["success_rate_percent"].is_null() && v["deployments"]["average_deployment_seconds"].is_null(), "{v:#}");
    assert_eq!(v["configuration_errors"], serde_json::json!({"failed_resources": 0, "attempted_resources": 0, "percent": null}));
    assert_eq!(v["security"], serde_json::json!({"blocked_findings": 0, "blocked_by_rule": [], "refused_presses": 0}));
    assert_eq!(v["cost_deployed_usd_per_month"], 0.0);
    assert_eq!(v["savings_suggested_usd_per_month"], 0.0);

    let out = run_in(&dir, &["log", "report", "--month", "2026-02"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Report for 2026-02") && text.contains("2026-02-01T00:00:00.000Z to 2026-03-01T00:00:00.000Z"), "{text}");
    assert!(text.contains("Requests                 0") && text.contains("Cost deployed            $0.00/month"), "{text}");

    for month in ["2026-13", "2026-2", "February"] {
        assert_bad_input(&run_in(&dir, &["log", "report", "--month", month]), "write it as 2026-11");
    }
    assert_bad_input(&run_in(&dir, &["log", "report", "--month", "2026-02", "--since", "2026-02-01"]), "--month");
    assert_bad_input(&run_in(&dir, &["log", "report", "--since", "last week"]), "--since");
}

#[test]
fn report_counts_a_demo_request() {
    let dir = embedded("report-demo");
    let out = run_in(&dir, &["demo", "--yes", "a staging web app with postgres"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let demo = String::from_utf8(out.stdout).unwrap();
    assert!(demo.contains("ended completed"), "{demo}");
    // What ran: the audited plan's cost, as the log and the demo's summary show it.
    let log = json_of(&run_in(&dir, &["log", "--json"]));
    let cost = log[0]["monthly_cost_usd"].as_f64().unwrap();
    assert!(cost > 0.0 && demo.contains(&format!("{}/month", paved_bot::cards::usd(cost))), "{cost}: {demo}");

    let mut v = json_of(&run_in(&dir, &["log", "report", "--json"]));
    let month = &log[0]["time"].as_str().unwrap()[..7];
    if !v["window"]["since"].as_str().unwrap().starts_with(month) {
        // The month turned between the demo and the report.
        v = json_of(&run_in(&dir, &["log", "report", "--json", "--month", month]));
    }
    assert_eq!(v["requests"], 1, "{v:#}");
    assert_eq!((v["decisions"]["audited"].as_i64(), v["decisions"]["auto_approved"].as_i64()), (Some(1), Some(1)), "{v:#}");
    let d = &v["deployments"];
    assert_eq!((d["started"].as_i64(), d["completed"].as_i64(), d["failed"].as_i64(), d["running"].as_i64()), (Some(1), Some(1), Some(0), Some(0)), "{v:#}");
    assert_eq!(d["success_rate_percent"], 100.0);
    assert!(d["average_deployment_seconds"].as_f64().is_some_and(|s| s >= 0.0), "{v:#}");
    assert_eq!(v["configuration_errors"]["failed_resources"], 0);
    assert!(v["configuration_errors"]["attempted_resources"].as_i64().unwrap() > 0, "{v:#}");
    assert_eq!(v["cost_deployed_usd_per_month"].as_f64(), Some(cost), "{v:#}");
    assert_eq!(v["savings_suggested_usd_per_month"], 0.0);
}

fn tempdir(name: &str) -> Scratch {
    Scratch::new(&format!("contract-{name}"))
}


#[test]
fn upgrades_after_a_demo_on_the_shipped_paths_are_none() {
    let dir = embedded("upgrades");
    let demo = run_in(&dir, &["demo", "--yes", "a staging web app with postgres"]);
    assert_eq!(demo.status.code(), Some(0), "{}", String::from_utf8_lossy(&demo.stderr));
    // Built on the version paved ships: nothing to offer, as JSON and as text.
    assert_eq!(json_of(&run_in(&dir, &["upgrades", "--json"])), serde_json::json!([]));
    let out = run_in(&dir, &["upgrades"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("current version of its golden path"));
}
