//! Scores the understander on a JSONL set of requests with expected intents, with the same rules
//! as `tests/eval/score_intents.py`: only the keys present in `expect` are scored, and `clarify`
//! means the intent carries questions (so the planner makes no plan).

use paved_core::Intent;
use paved_planner::{RuleUnderstander, Understander};
use serde_json::Value;
use std::path::PathBuf;

pub struct Score {
    pub passed: usize,
    pub total: usize,
    pub failures: Vec<String>,
}

impl Score {
    pub fn percent(&self) -> f64 {
        100.0 * self.passed as f64 / self.total.max(1) as f64
    }
}

impl Score {
    /// Prints every failure and the figure, then asserts the set is whole and scores ≥ 95%.
    pub fn assert_at_least_95_percent(&self, min_cases: usize) {
        for f in &self.failures {
            println!("{f}");
        }
        println!("intent accuracy: {}/{} = {:.1}%", self.passed, self.total, self.percent());
        assert!(self.total >= min_cases, "expected at least {min_cases} cases, found {}", self.total);
        assert!(self.percent() >= 95.0, "intent accuracy {:.1}% is below 95%", self.percent());
    }
}

pub fn data_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("tests")
        .join("data")
        .join(name)
}

/// Every miss of `intent` against `expect`, in the scorer's words.
pub fn check(expect: &Value, intent: &Intent) -> Vec<String> {
    let out = serde_json::to_value(intent).expect("an intent serialises");
    let mut misses = Vec::new();
    for key in ["action", "golden_path", "environment"] {
        if let Some(want) = expect.get(key) {
            let got = out.get(key).cloned().unwrap_or(Value::Null);
            let ok = match want {
                Value::Array(options) => options.contains(&got),
                other => *other == got,
            };
            if !ok {
                misses.push(format!("{key}: want {want}, got {got}"));
            }
        }
    }
    let list = |k: &str| -> Vec<Value> {
        out.get(k)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let wanted = |k: &str| -> Vec<Value> {
        expect
            .get(k)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let components = list("components");
    for c in wanted("components_include") {
        if !components.contains(&c) {
            misses.push(format!("components: missing {c}"));
        }
    }
    for c in wanted("components_exclude") {
        if components.contains(&c) {
            misses.push(format!("components: has excluded {c}"));
        }
    }
    let compliance = list("compliance");
    for c in wanted("compliance_include") {
        if !compliance.contains(&c) {
            misses.push(format!("compliance: missing {c}"));
        }
    }
    let off_road = list("off_road");
    for c in wanted("off_road_include") {
        if !off_road.contains(&c) {
            misses.push(format!("off_road: missing {c}"));
        }
    }
    let region = out.get("region").and_then(Value::as_str).unwrap_or("");
    if let Some(want) = expect.get("region").and_then(Value::as_str)
        && region != want
    {
        misses.push(format!("region: want {want}, got {region}"));
    }
    if let Some(prefix) = expect.get("region_prefix").and_then(Value::as_str)
        && !region.starts_with(prefix)
    {
        misses.push(format!("region: want {prefix}*, got {region}"));
    }
    if expect.get("clarify").and_then(Value::as_bool) == Some(true)
        && intent.clarifications.is_empty()
    {
        misses.push("clarify: expected questions and no plan".to_string());
    }
    if expect.get("schedule_set").and_then(Value::as_bool) == Some(true)
        && intent.schedule.as_deref().is_none_or(str::is_empty)
    {
        misses.push("schedule: expected a cron expression".to_string());
    }
    if let Some(want) = expect.get("budget") {
        let got = out
            .get("budget_monthly_usd")
            .cloned()
            .unwrap_or(Value::Null);
        if want.as_f64() != got.as_f64() {
            misses.push(format!("budget: want {want}, got {got}"));
        }
    }
    misses
}

/// Scores the built-in vocabulary alone.
pub fn score_file(name: &str) -> Score {
    score_file_with(name, &RuleUnderstander::new())
}

/// Scores the understander as `paved plan` builds it: with the shipped golden paths' keywords
/// and default components merged in.
pub fn score_file_shipped(name: &str) -> Score {
    let catalog = paved_planner::Catalog::shipped();
    score_file_with(name, &RuleUnderstander::with_paths(catalog.path_hints()))
}

pub fn score_file_with(name: &str, understander: &dyn Understander) -> Score {
    let text = std::fs::read_to_string(data_file(name)).expect("the case file is readable");
    let mut score = Score {
        passed: 0,
        total: 0,
        failures: Vec::new(),
    };
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let case: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{name} line {}: {e}", n + 1));
        let request = case["request"].as_str().expect("each case has a request");
        let intent = understander.understand(request);
        let misses = check(&case["expect"], &intent);
        score.total += 1;
        if misses.is_empty() {
            score.passed += 1;
        } else {
            score.failures.push(format!(
                "FAIL {} {request:?}\n      {}",
                case["id"],
                misses.join("\n      ")
            ));
        }
    }
    score
}
