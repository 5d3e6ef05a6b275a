//! Broken policy files are refused with the file, the line and the field.

use paved_planner::Catalog;
use std::path::PathBuf;

fn shipped_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("policies")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(shipped_dir().join(rel)).unwrap()
}

/// Loads the shipped catalog with one golden path replaced by `text`.
fn load_with(text: &str) -> Result<Catalog, paved_core::PolicyError> {
    let paths = vec![("golden_paths/web.yaml".to_string(), text.to_string())];
    Catalog::from_texts(
        &paths,
        ("prices.yaml", &read("prices.yaml")),
        ("ipam.yaml", &read("ipam.yaml")),
    )
}

fn web() -> String {
    read("golden_paths/standard_web_app.yaml")
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn the_shipped_directory_loads_like_the_embedded_copy() {
    let dir = Catalog::load(&shipped_dir()).unwrap();
    let embedded = Catalog::shipped();
    assert_eq!(dir.paths, embedded.paths);
    assert_eq!(dir.prices, embedded.prices);
    assert_eq!(dir.ipam, embedded.ipam);
}

#[test]
fn unknown_field() {
    let text = web().replace(
        "    why: The network's door to the internet",
        "    colour: blue\n    why: The network's door to the internet",
    );
    let e = load_with(&text).unwrap_err();
    assert_eq!(e.file, "golden_paths/web.yaml");
    assert_eq!(e.line, Some(line_of(&text, "colour: blue")), "{e}");
    assert_eq!(e.field.as_deref(), Some("colour"));
}

#[test]
fn bad_enum_value() {
    let text = web().replace(
        "default_components: [postgres, redis]",
        "default_components: [postgres, mongodb]",
    );
    let e = load_with(&text).unwrap_err();
    assert_eq!(e.line, Some(line_of(&text, "mongodb")), "{e}");
    assert!(e.to_string().contains("mongodb"), "{e}");
}

#[test]
fn missing_depends_on_target() {
    let text = web().replace(
        "    depends_on: [aws_lb_listener.https]",
        "    depends_on: [aws_lb_listener.httpz]",
    );
    let e = load_with(&text).unwrap_err();
    assert_eq!(e.line, Some(line_of(&text, "aws_lb_listener.httpz")), "{e}");
    assert!(e.message.contains("aws_lb_listener.httpz"), "{e}");
    assert!(
        e.field.as_deref().unwrap().contains("aws_ecs_service.app"),
        "{e}"
    );
}

#[test]
fn dependency_on_a_resource_that_may_not_exist() {
    // The ECS service always exists; the database only with postgres or mysql.
    let text = web().replace(
        "    depends_on: [aws_lb_listener.https]",
        "    depends_on: [aws_lb_listener.https, aws_db_instance.main]",
    );
    let e = load_with(&text).unwrap_err();
    assert_eq!(
        e.line,
        Some(line_of(
            &text,
            "aws_lb_listener.https, aws_db_instance.main"
        )),
        "{e}"
    );
    assert!(
        e.message.contains("aws_db_instance.main") && e.message.contains("when"),
        "{e}"
    );
    // A reference under a matching `when` is fine: kms_key_id is only set with pci/hipaa.
    assert!(load_with(&web()).is_ok());
    let text = web().replace(
        "      kms_key_id: {when: {any_compliance: [pci_dss, hipaa]}, then: \"${aws_kms_key.main.arn}\"}\n      port: 6379",
        "      kms_key_id: ${aws_kms_key.main.arn}\n      port: 6379",
    );
    let e = load_with(&text).unwrap_err();
    assert_eq!(
        e.line,
        Some(line_of(&text, "      kms_key_id: ${aws_kms_key.main.arn}")),
        "{e}"
    );
}

#[test]
fn unknown_placeholder() {
    let text = web().replace(
        "      backup_window: \"03:00-04:00\"",
        "      backup_window: \"${backup_hours}\"",
    );
    let e = load_with(&text).unwrap_err();
    assert_eq!(e.line, Some(line_of(&text, "${backup_hours}")), "{e}");
    assert!(e.message.contains("${backup_hours}"), "{e}");
}

#[test]
fn bad_by_env_and_unpriced_type() {
    let text = web().replace(
        "{by_env: {production: 2, default: 1}}",
        "{by_env: {production: 2, qa: 1}}",
    );
    let e = load_with(&text).unwrap_err();
    assert!(e.message.contains("qa"), "{e}");
    assert!(e.line.is_some());
    let text = web().replace(
        "  - type: aws_ecs_cluster\n",
        "  - type: aws_ecs_clusterz\n",
    );
    let e = load_with(&text).unwrap_err();
    assert_eq!(e.line, Some(line_of(&text, "aws_ecs_clusterz")), "{e}");
    assert!(e.message.contains("no price"), "{e}");
}

#[test]
fn broken_prices_and_ipam() {
    let prices = read("prices.yaml").replace(
        "hours_per_month: 730",
        "hours_per_month: 730\nhours_per_year: 8760",
    );
    let e = Catalog::from_texts(
        &[("w.yaml".into(), web())],
        ("prices.yaml", &prices),
        ("ipam.yaml", &read("ipam.yaml")),
    )
    .unwrap_err();
    assert_eq!(
        (e.file.as_str(), e.line),
        ("prices.yaml", Some(line_of(&prices, "hours_per_year"))),
        "{e}"
    );
    let ipam = read("ipam.yaml").replace("    cidr: 10.102.0.0/16", "    cidr: 10.101.0.0/16");
    let e = Catalog::from_texts(
        &[("w.yaml".into(), web())],
        ("prices.yaml", &read("prices.yaml")),
        ("ipam.yaml", &ipam),
    )
    .unwrap_err();
    assert_eq!(e.file, "ipam.yaml");
    assert!(e.message.contains("overlaps"), "{e}");
    let ipam = read("ipam.yaml").replace(
        "  - segment: non-prod\n",
        "  - segment: non-prod\n    when: {environments: [staging]}\n",
    );
    let e = Catalog::from_texts(
        &[("w.yaml".into(), web())],
        ("prices.yaml", &read("prices.yaml")),
        ("ipam.yaml", &ipam),
    )
    .unwrap_err();
    assert!(e.message.contains("last segment rule"), "{e}");
}

#[test]
fn a_new_path_needs_no_code() {
    let text = r#"
id: static_site
version: "1.0"
name: Static site
description: A bucket.
pattern: S3
use_cases: [docs]
keywords: [static site]
compliance_notes: []
cost_range_usd: {min: 1, max: 10}
deploy_minutes: 1
default_components: [s3]
default_service: site
availability_zones: {production: 1, staging: 1, development: 1}
resources:
  - type: aws_s3_bucket
    name: site
    why: "Holds ${service}'s pages."
    values:
      bucket: "${service}-${env}-${region}"
      server_side_encryption_configuration: [{rule: [{apply_server_side_encryption_by_default: [{sse_algorithm: AES256}]}]}]
"#;
    let c = load_with(text).unwrap();
    let mut i = paved_core::Intent::empty();
    i.golden_path = Some("static_site".into());
    i.service = Some("Docs".into());
    let p = paved_planner::Planner::new(&c)
        .plan(&i, &Default::default())
        .unwrap()
        .unwrap();
    assert_eq!(p.resources.len(), 1);
    assert_eq!(
        p.resources[0].str_value("bucket"),
        Some("docs-prod-us-east-1")
    );
    assert_eq!(p.estimated_monthly_cost_usd, 2.3);
}
