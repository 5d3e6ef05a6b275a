//! guardrails.yaml is parsed strictly: every mistake names the file, the line and the field.

use paved_audit::Guardrails;
use paved_core::PolicyError;

const FILE: &str = "policies/guardrails.yaml";

fn with_rule(rule: &str) -> String {
    format!("version: \"1.0\"\nrules:\n  security:\n{rule}")
}

fn parse_err(text: &str) -> PolicyError {
    match Guardrails::parse(FILE, text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e,
    }
}

const GOOD: &str = "    - name: no_public_databases
      level: blocking
      enforcement: veto
      applies_to: [aws_db_instance]
      condition: {attribute: publicly_accessible, equals: true}
";

#[test]
fn a_good_rule_parses() {
    let g = Guardrails::parse(FILE, &with_rule(GOOD)).unwrap();
    assert_eq!(g.policy().rules().count(), 1);
}

#[test]
fn an_unknown_field_names_file_line_and_field() {
    let text = with_rule(&GOOD.replace("      applies_to", "      aplies_to"));
    let e = parse_err(&text);
    assert_eq!(e.file, FILE);
    assert_eq!(e.line, Some(7), "{e}");
    assert_eq!(e.field.as_deref(), Some("aplies_to"), "{e}");
}

#[test]
fn a_wrong_level_names_its_line() {
    let text = with_rule(&GOOD.replace("level: blocking", "level: critical"));
    let e = parse_err(&text);
    assert_eq!(e.line, Some(5), "{e}");
    assert!(e.to_string().contains("critical"), "{e}");
}

#[test]
fn an_impossible_level_and_enforcement_names_the_enforcement_line() {
    let text = with_rule(&GOOD.replace("level: blocking", "level: hard"));
    let e = parse_err(&text);
    assert_eq!(e.file, FILE);
    assert_eq!(e.line, Some(6), "{e}");
    assert_eq!(e.field.as_deref(), Some("enforcement"), "{e}");
    assert!(
        e.message.contains("hard") && e.message.contains("auto-fix"),
        "{e}"
    );
}

#[test]
fn an_unknown_area_is_refused() {
    let text = GOOD.to_string();
    let e = parse_err(&format!("version: \"1\"\nrules:\n  secruity:\n{text}"));
    assert_eq!(e.line, Some(3), "{e}");
    assert_eq!(e.field.as_deref(), Some("secruity"), "{e}");
}

#[test]
fn semantic_mistakes_are_refused_with_their_field() {
    let cases: &[(&str, &str, &str)] = &[
        // (what to replace, replacement, field named)
        (
            "applies_to: [aws_db_instance]",
            "applies_to: [db_instance]",
            "applies_to",
        ),
        (
            "applies_to: [aws_db_instance]",
            "applies_to: [environment:prod]",
            "applies_to",
        ),
        (
            "condition: {attribute: publicly_accessible, equals: true}",
            "condition: {attribute: publicly_accessible}",
            "condition",
        ),
        (
            "condition: {attribute: publicly_accessible, equals: true}",
            "kind: monthly_cost",
            "threshold",
        ),
        (
            "      enforcement: veto\n",
            "      enforcement: veto\n      approvers: [cfo]\n",
            "approvers",
        ),
        (
            "      enforcement: veto\n",
            "      enforcement: veto\n      message: \"{resorce} is public\"\n",
            "message",
        ),
        (
            "      enforcement: veto\n",
            "      enforcement: veto\n      requirements: [nothing]\n",
            "kind",
        ),
    ];
    for (from, to, field) in cases {
        let text = with_rule(&GOOD.replace(from, to));
        let e = parse_err(&text);
        assert_eq!(e.field.as_deref(), Some(*field), "{to}: {e}");
        assert!(e.line.is_some(), "{to}: {e}");
    }
}

#[test]
fn auto_fix_without_a_fix_and_escalation_without_approvers_are_refused() {
    let fix = "    - name: enc
      level: hard
      enforcement: auto-fix
      applies_to: [aws_ebs_volume]
      condition: {attribute: encrypted, not_equals: true}
";
    let e = parse_err(&with_rule(fix));
    assert_eq!(e.field.as_deref(), Some("fix"), "{e}");
    let esc = "    - name: cost
      level: governance
      enforcement: escalate
      kind: monthly_cost
      threshold: 100
";
    let e = parse_err(&with_rule(esc));
    assert_eq!(e.field.as_deref(), Some("approvers"), "{e}");
    let two = format!("{GOOD}{}", GOOD);
    let e = parse_err(&with_rule(&two));
    assert_eq!(e.field.as_deref(), Some("name"), "{e}");
}

#[test]
fn a_new_rule_needs_no_code() {
    // A soft rule on backups the shipped file does not have, written as data only.
    let rule = "    - name: development_backups
      level: soft
      enforcement: warning
      applies_to: [aws_db_instance, environment:development]
      condition: {attribute: backup_retention_period, less_than: 1}
      message: \"{resource} keeps no backups ({attribute}: {actual})\"
";
    let g = Guardrails::parse(FILE, &with_rule(rule)).unwrap();
    let r = g.policy().rule("development_backups").unwrap();
    assert_eq!(r.level.as_str(), "soft");
}

#[test]
fn a_missing_directory_is_a_policy_error() {
    let e = Guardrails::load(std::path::Path::new("/nonexistent/policies")).unwrap_err();
    assert!(e.file.ends_with("guardrails.yaml"), "{e}");
}

#[test]
fn the_shipped_directory_loads() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies");
    assert_eq!(Guardrails::load(&dir).unwrap(), Guardrails::shipped());
}
