//! Plans on the shipped golden paths: structure, prices, secure defaults and variants, over many
//! intents.

use paved_core::{Compliance, Component, Environment, Intent, Plan, Resource, ResourceAction};
use paved_planner::{Catalog, Cidr, IpamAllocation, Planner, PlanningContext, PlanningError};
use proptest::prelude::*;
use serde_json::Value;

const REGIONS: [&str; 6] = [
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "eu-west-2",
    "ap-northeast-1",
];

fn intent(
    path: &str,
    env: Environment,
    components: Vec<Component>,
    compliance: Vec<Compliance>,
    region: &str,
) -> Intent {
    let mut i = Intent::empty();
    i.golden_path = Some(path.to_string());
    i.environment = env;
    i.components = components;
    i.compliance = compliance;
    i.region = region.to_string();
    i.normalise();
    i
}

fn plan(catalog: &Catalog, i: &Intent) -> Plan {
    match Planner::new(catalog).plan(i, &PlanningContext::default()) {
        Ok(Some(p)) => p,
        other => panic!("no plan for {i:?}: {other:?}"),
    }
}

fn ingress_rules(r: &Resource) -> Vec<&Value> {
    r.value("ingress")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// Checks every property a plan must have whatever the intent.
fn check_plan(catalog: &Catalog, i: &Intent, p: &Plan) {
    p.validate().unwrap_or_else(|e| panic!("{e}"));
    let path = catalog.path(i.golden_path.as_deref().unwrap()).unwrap();
    assert_eq!(p.golden_path.as_deref(), Some(path.id.as_str()));
    assert_eq!(p.golden_path_version, path.version);
    assert_eq!(p.environment, i.environment);
    // Every resource priced; the total is the sum.
    let mut sum = 0.0;
    for r in &p.resources {
        let (cost, _) = catalog
            .prices
            .resource_cost_in(r, &p.region, &p.resources)
            .unwrap();
        assert_eq!(r.monthly_cost_usd, cost, "{}", r.address);
        sum += r.monthly_cost_usd;
    }
    assert_eq!(p.estimated_monthly_cost_usd, paved_core::round_cents(sum));
    assert!(p.estimated_monthly_cost_usd > 0.0);
    for r in &p.resources {
        assert_eq!(r.action, ResourceAction::Create);
        assert!(
            !r.why.is_empty() && !r.why.contains("${"),
            "{}: {}",
            r.address,
            r.why
        );
        let tags = r
            .value("tags")
            .and_then(Value::as_object)
            .unwrap_or_else(|| panic!("{} has no tags", r.address));
        assert_eq!(tags.get("managed-by"), Some(&Value::from("paved")));
        assert_eq!(
            tags.get("environment"),
            Some(&Value::from(i.environment.as_str()))
        );
        assert_eq!(
            tags.get("paved:golden-path"),
            Some(&Value::from(path.id.as_str()))
        );
        assert!(
            tags.get("paved:service")
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty())
        );
        let text = serde_json::to_string(&r.values).unwrap();
        assert!(
            !text.contains("${"),
            "{} keeps a placeholder: {text}",
            r.address
        );
        // Secure by default.
        match r.kind.as_str() {
            "aws_db_instance" => {
                assert_eq!(r.bool_value("publicly_accessible"), Some(false));
                assert_eq!(r.bool_value("storage_encrypted"), Some(true));
                assert!(
                    r.value("backup_retention_period")
                        .and_then(Value::as_u64)
                        .is_some_and(|d| d >= 1)
                );
                if i.environment == Environment::Production {
                    assert_eq!(r.bool_value("multi_az"), Some(true));
                    assert_eq!(r.bool_value("deletion_protection"), Some(true));
                    assert_eq!(r.bool_value("skip_final_snapshot"), Some(false));
                    assert_eq!(r.value("backup_retention_period"), Some(&Value::from(30)));
                }
            }
            "aws_elasticache_replication_group" => {
                assert_eq!(r.bool_value("at_rest_encryption_enabled"), Some(true));
                assert_eq!(r.bool_value("transit_encryption_enabled"), Some(true));
            }
            "aws_s3_bucket" => {
                assert!(
                    r.value("server_side_encryption_configuration").is_some(),
                    "{}",
                    r.address
                );
                let block = p
                    .resource(&format!("aws_s3_bucket_public_access_block.{}", r.name))
                    .expect("public access block");
                for k in [
                    "block_public_acls",
                    "block_public_policy",
                    "ignore_public_acls",
                    "restrict_public_buckets",
                ] {
                    assert_eq!(block.bool_value(k), Some(true));
                }
                if i.environment == Environment::Production {
                    assert_eq!(
                        r.value("versioning").and_then(|v| v.pointer("/0/enabled")),
                        Some(&Value::Bool(true))
                    );
                }
            }
            "aws_security_group" => {
                for rule in ingress_rules(r) {
                    let world = rule
                        .get("cidr_blocks")
                        .and_then(Value::as_array)
                        .is_some_and(|c| c.iter().any(|c| c == "0.0.0.0/0"));
                    if world {
                        assert_eq!(
                            r.name, "alb",
                            "only the load balancer is open to the world: {}",
                            r.address
                        );
                        let port = rule.get("from_port").and_then(Value::as_u64);
                        assert!(matches!(port, Some(80 | 443)), "{rule}");
                        assert_eq!(rule.get("from_port"), rule.get("to_port"));
                    }
                }
            }
            "aws_lb" => assert_eq!(r.bool_value("drop_invalid_header_fields"), Some(true)),
            _ => {}
        }
    }
    // Production networks keep flow logs.
    if p.resource("aws_vpc.main").is_some() && i.environment == Environment::Production {
        assert!(p.resource("aws_flow_log.vpc").is_some());
    }
    // PCI: customer key used by the data stores, flow logs, WAF on the load balancer, prod-pci.
    if i.requires(Compliance::PciDss) {
        assert!(p.resource("aws_kms_key.main").is_some());
        for r in &p.resources {
            if r.kind == "aws_db_instance" || r.kind == "aws_elasticache_replication_group" {
                assert_eq!(
                    r.str_value("kms_key_id"),
                    Some("aws_kms_key.main.arn"),
                    "{}",
                    r.address
                );
            }
            if r.kind == "aws_s3_bucket" {
                let alg = r
                    .value("server_side_encryption_configuration")
                    .and_then(|v| {
                        v.pointer(
                            "/0/rule/0/apply_server_side_encryption_by_default/0/kms_master_key_id",
                        )
                    });
                assert_eq!(
                    alg,
                    Some(&Value::from("aws_kms_key.main.arn")),
                    "{}",
                    r.address
                );
            }
        }
        if let Some(vpc) = p.resource("aws_vpc.main") {
            assert!(p.resource("aws_flow_log.vpc").is_some());
            let cidr: Cidr = vpc.str_value("cidr_block").unwrap().parse().unwrap();
            assert!(
                "10.101.0.0/16".parse::<Cidr>().unwrap().contains(cidr),
                "{cidr}"
            );
        }
        if p.resource("aws_lb.main").is_some() {
            let assoc = p
                .resource("aws_wafv2_web_acl_association.alb")
                .expect("WAF on the ALB");
            assert_eq!(assoc.str_value("resource_arn"), Some("aws_lb.main.arn"));
        }
    }
    if i.requires(Compliance::Gdpr) {
        assert!(p.region.starts_with("eu-"), "{}", p.region);
    } else {
        assert_eq!(p.region, i.region);
    }
}

#[test]
fn shipped_catalog_has_the_five_paths() {
    let c = Catalog::shipped();
    let ids: Vec<&str> = c.paths.iter().map(|p| p.id.as_str()).collect();
    for id in [
        "standard_web_app",
        "data_pipeline",
        "machine_learning",
        "batch_processing",
        "api_microservice",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    assert_eq!(c.path("standard_web_app").unwrap().version, "3.2");
    let hints = c.path_hints();
    assert_eq!(hints.len(), c.paths.len());
    assert!(
        hints
            .iter()
            .any(|h| h.id == "standard_web_app"
                && h.default_components.contains(&Component::Postgres))
    );
}

#[test]
fn production_web_app_with_postgres_matches_the_example() {
    let c = Catalog::shipped();
    let i = intent(
        "standard_web_app",
        Environment::Production,
        vec![Component::Postgres],
        vec![],
        "us-east-1",
    );
    let p = plan(&c, &i);
    check_plan(&c, &i, &p);
    let cost = p.estimated_monthly_cost_usd;
    assert!((700.0..=1000.0).contains(&cost), "costs {cost}");
    let range = c.path("standard_web_app").unwrap().cost_range_usd;
    assert!(cost >= range.min && cost <= range.max);
    // A VPC from IPAM in prod-general.
    let vpc = p.resource("aws_vpc.main").unwrap();
    assert_eq!(vpc.str_value("cidr_block"), Some("10.100.0.0/20"));
    // ALB across 3 AZs.
    let alb = p.resource("aws_lb.main").unwrap();
    assert_eq!(
        alb.value("subnets").and_then(Value::as_array).map(Vec::len),
        Some(3)
    );
    // Fargate: 2 tasks of 2 vCPU / 4 GB.
    let td = p.resource("aws_ecs_task_definition.app").unwrap();
    assert_eq!(
        (td.str_value("cpu"), td.str_value("memory")),
        (Some("2048"), Some("4096"))
    );
    assert_eq!(
        p.resource("aws_ecs_service.app")
            .unwrap()
            .value("desired_count"),
        Some(&Value::from(2))
    );
    // PostgreSQL 15 on db.r5.large Multi-AZ, daily snapshots kept 30 days.
    let db = p.resource("aws_db_instance.main").unwrap();
    assert_eq!(db.str_value("engine"), Some("postgres"));
    assert_eq!(db.str_value("engine_version"), Some("15"));
    assert_eq!(db.str_value("instance_class"), Some("db.r5.large"));
    assert_eq!(db.bool_value("multi_az"), Some(true));
    assert_eq!(db.value("backup_retention_period"), Some(&Value::from(30)));
    assert_eq!(db.monthly_cost_usd, 388.0);
    // Redis with 2 nodes.
    let redis = p
        .resource("aws_elasticache_replication_group.main")
        .unwrap();
    assert_eq!(redis.value("num_cache_clusters"), Some(&Value::from(2)));
    // Dashboards, alarms and flow logs.
    assert_eq!(p.of_type("aws_cloudwatch_dashboard").count(), 1);
    assert!(p.of_type("aws_cloudwatch_metric_alarm").count() >= 5);
    assert!(p.resource("aws_flow_log.vpc").is_some());
    // Usage-priced resources say what they assume.
    assert!(alb.cost_note.as_deref().is_some_and(|n| n.contains("LCU")));
    // Nothing outside the request: no WAF, no KMS without PCI/HIPAA.
    assert!(p.resource("aws_wafv2_web_acl.main").is_none());
    assert!(p.resource("aws_kms_key.main").is_none());
}

#[test]
fn mysql_and_no_cache_are_honoured() {
    let c = Catalog::shipped();
    let mut i = intent(
        "standard_web_app",
        Environment::Staging,
        vec![Component::Mysql],
        vec![],
        "us-east-1",
    );
    i.details.excluded_components = vec![Component::Redis];
    let p = plan(&c, &i);
    check_plan(&c, &i, &p);
    let db = p.resource("aws_db_instance.main").unwrap();
    assert_eq!(db.str_value("engine"), Some("mysql"));
    assert_eq!(
        p.resource("aws_security_group.db")
            .unwrap()
            .value("ingress")
            .unwrap()[0]["from_port"],
        3306
    );
    assert!(
        p.of_type("aws_elasticache_replication_group")
            .next()
            .is_none()
    );
    assert_eq!(p.of_type("aws_db_instance").count(), 1);
    assert_eq!(
        p.resource("aws_vpc.main").unwrap().str_value("cidr_block"),
        Some("10.103.0.0/20")
    );
}

#[test]
fn development_is_small_and_single_az() {
    let c = Catalog::shipped();
    let i = intent(
        "standard_web_app",
        Environment::Development,
        vec![],
        vec![],
        "us-east-1",
    );
    let p = plan(&c, &i);
    check_plan(&c, &i, &p);
    let db = p.resource("aws_db_instance.main").unwrap();
    assert_eq!(db.str_value("instance_class"), Some("db.t3.micro"));
    assert_eq!(db.bool_value("multi_az"), Some(false));
    assert!(p.estimated_monthly_cost_usd < 200.0);
}

#[test]
fn requested_sizes_land_on_the_resource_they_fit() {
    let c = Catalog::shipped();
    let mut i = intent(
        "standard_web_app",
        Environment::Production,
        vec![Component::Postgres],
        vec![],
        "us-east-1",
    );
    i.details.requested_sizes = vec!["db.t3.medium".into(), "cache.r5.large".into()];
    let p = plan(&c, &i);
    assert_eq!(
        p.resource("aws_db_instance.main")
            .unwrap()
            .str_value("instance_class"),
        Some("db.t3.medium")
    );
    assert_eq!(
        p.resource("aws_elasticache_replication_group.main")
            .unwrap()
            .str_value("node_type"),
        Some("cache.r5.large")
    );
    assert_eq!(
        p.resource("aws_db_instance.main").unwrap().monthly_cost_usd,
        paved_core::round_cents(0.144 * 730.0 + 23.0)
    );
    i.details.requested_sizes = vec!["db.x9.huge".into()];
    match Planner::new(&c).plan(&i, &PlanningContext::default()) {
        Err(PlanningError::NeedsAnswer(q)) => assert!(q.contains("db.x9.huge"), "{q}"),
        other => panic!("{other:?}"),
    }
    let mut ml = intent(
        "machine_learning",
        Environment::Development,
        vec![],
        vec![],
        "us-east-1",
    );
    ml.details.requested_sizes = vec!["p3.2xlarge".into()];
    let p = plan(&c, &ml);
    assert_eq!(
        p.resource("aws_instance.training")
            .unwrap()
            .str_value("instance_type"),
        Some("p3.2xlarge")
    );
}

#[test]
fn gdpr_pins_data_to_the_eu() {
    let c = Catalog::shipped();
    let i = intent(
        "data_pipeline",
        Environment::Production,
        vec![],
        vec![Compliance::Gdpr],
        "us-east-1",
    );
    let p = plan(&c, &i);
    check_plan(&c, &i, &p);
    assert_eq!(p.region, "eu-central-1");
    let i = intent(
        "data_pipeline",
        Environment::Production,
        vec![],
        vec![Compliance::Gdpr],
        "eu-west-1",
    );
    assert_eq!(plan(&c, &i).region, "eu-west-1");
}

#[test]
fn regional_prices_apply_the_multiplier() {
    let c = Catalog::shipped();
    let us = plan(
        &c,
        &intent(
            "standard_web_app",
            Environment::Production,
            vec![],
            vec![],
            "us-east-1",
        ),
    );
    let tokyo = plan(
        &c,
        &intent(
            "standard_web_app",
            Environment::Production,
            vec![],
            vec![],
            "ap-northeast-1",
        ),
    );
    let ratio = tokyo.estimated_monthly_cost_usd / us.estimated_monthly_cost_usd;
    assert!((ratio - 1.292).abs() < 0.01, "{ratio}");
    // Tokyo's zones are a, c, d.
    assert!(
        tokyo.resource("aws_subnet.public_c").is_some()
            && tokyo.resource("aws_subnet.public_b").is_none()
    );
    let mut bad = intent(
        "standard_web_app",
        Environment::Production,
        vec![],
        vec![],
        "mars-north-1",
    );
    bad.normalise();
    match Planner::new(&c).plan(&bad, &PlanningContext::default()) {
        Err(PlanningError::Price(e)) => {
            assert!(e.to_string().contains("mars-north-1") && e.to_string().contains("eu-west-2"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn schedules_become_eventbridge_expressions() {
    let c = Catalog::shipped();
    let mut i = intent(
        "batch_processing",
        Environment::Production,
        vec![],
        vec![],
        "us-east-1",
    );
    i.schedule = Some("0 3 * * 0".into());
    let p = plan(&c, &i);
    check_plan(&c, &i, &p);
    assert_eq!(
        p.resource("aws_cloudwatch_event_rule.schedule")
            .unwrap()
            .str_value("schedule_expression"),
        Some("cron(0 3 ? * 1 *)")
    );
    i.schedule = None;
    let p = plan(&c, &i);
    assert_eq!(
        p.resource("aws_cloudwatch_event_rule.schedule")
            .unwrap()
            .str_value("schedule_expression"),
        Some("cron(0 2 * * ? *)")
    );
    i.schedule = Some("whenever".into());
    assert!(matches!(
        Planner::new(&c).plan(&i, &PlanningContext::default()),
        Err(PlanningError::Schedule(_))
    ));
}

#[test]
fn production_ml_plans_with_a_note() {
    let c = Catalog::shipped();
    let i = intent(
        "machine_learning",
        Environment::Production,
        vec![],
        vec![],
        "us-east-1",
    );
    let p = plan(&c, &i);
    check_plan(&c, &i, &p);
    let notes = Planner::new(&c).notes(&i);
    assert_eq!(notes.len(), 1);
    assert!(notes[0].contains("non-production"));
    assert!(
        Planner::new(&c)
            .notes(&intent(
                "machine_learning",
                Environment::Development,
                vec![],
                vec![],
                "us-east-1"
            ))
            .is_empty()
    );
    assert_eq!(
        p.resource("aws_instance.training")
            .unwrap()
            .str_value("instance_type"),
        Some("p3.2xlarge")
    );
}

#[test]
fn intents_with_questions_or_without_a_path_are_not_planned() {
    let c = Catalog::shipped();
    let mut i = intent(
        "standard_web_app",
        Environment::Production,
        vec![],
        vec![],
        "us-east-1",
    );
    i.clarifications.push("What is old?".into());
    assert_eq!(
        Planner::new(&c).plan(&i, &PlanningContext::default()),
        Ok(None)
    );
    let mut i = Intent::empty();
    i.golden_path = None;
    assert!(matches!(
        Planner::new(&c).plan(&i, &PlanningContext::default()),
        Err(PlanningError::NeedsAnswer(_))
    ));
    i.golden_path = Some("mainframe".into());
    assert_eq!(
        Planner::new(&c).plan(&i, &PlanningContext::default()),
        Err(PlanningError::UnknownGoldenPath("mainframe".into()))
    );
}

#[test]
fn planning_is_deterministic() {
    let c = Catalog::shipped();
    let i = intent(
        "api_microservice",
        Environment::Production,
        vec![Component::Redis],
        vec![Compliance::PciDss],
        "eu-west-1",
    );
    assert_eq!(plan(&c, &i), plan(&c, &i));
}

#[test]
fn new_vpcs_avoid_existing_allocations() {
    let c = Catalog::shipped();
    let i = intent(
        "standard_web_app",
        Environment::Production,
        vec![],
        vec![],
        "us-east-1",
    );
    let ctx = PlanningContext {
        allocations: vec![
            IpamAllocation {
                cidr: "10.100.0.0/20".into(),
                segment: "prod-general".into(),
                owner: "a/production".into(),
            },
            IpamAllocation {
                cidr: "10.100.16.0/21".into(),
                segment: "prod-general".into(),
                owner: "b/production".into(),
            },
        ],
        inventory: vec![],
        keep_sizes: false,
    };
    let p = Planner::new(&c).plan(&i, &ctx).unwrap().unwrap();
    assert_eq!(
        p.resource("aws_vpc.main").unwrap().str_value("cidr_block"),
        Some("10.100.32.0/20")
    );
    assert_eq!(
        p.resource("aws_subnet.data_c")
            .unwrap()
            .str_value("cidr_block"),
        Some("10.100.42.0/24")
    );
}

fn arb_intent() -> impl Strategy<Value = Intent> {
    let paths = prop::sample::select(vec![
        "standard_web_app",
        "data_pipeline",
        "machine_learning",
        "batch_processing",
        "api_microservice",
    ]);
    let envs = prop::sample::select(Environment::ALL.to_vec());
    let comps = prop::sample::subsequence(Component::ALL.to_vec(), 0..=4);
    let excluded = prop::sample::subsequence(
        vec![
            Component::Redis,
            Component::Postgres,
            Component::S3,
            Component::Lambda,
        ],
        0..=2,
    );
    let compl = prop::sample::subsequence(Compliance::ALL.to_vec(), 0..=2);
    let region = prop::sample::select(REGIONS.to_vec());
    (
        paths,
        envs,
        comps,
        excluded,
        compl,
        region,
        any::<bool>(),
        prop::option::of("[a-z][a-z0-9-]{0,20}"),
    )
        .prop_map(
            |(path, env, comps, excluded, compl, region, public, service)| {
                let mut i = intent(path, env, comps.clone(), compl, region);
                i.details.excluded_components = excluded
                    .into_iter()
                    .filter(|c| !comps.contains(c))
                    .collect();
                i.details.public = public;
                i.service = service;
                i.normalise();
                i
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn every_intent_gives_a_sound_priced_secure_plan(i in arb_intent()) {
        let c = Catalog::shipped();
        let p = plan(&c, &i);
        check_plan(&c, &i, &p);
        for ex in &i.details.excluded_components {
            let gone = match ex {
                Component::Redis => p.of_type("aws_elasticache_replication_group").next().is_none(),
                Component::Postgres => p.of_type("aws_db_instance").all(|r| r.str_value("engine") != Some("postgres")),
                Component::S3 => i.golden_path.as_deref() == Some("data_pipeline") || i.golden_path.as_deref() == Some("machine_learning") || p.of_type("aws_s3_bucket").next().is_none(),
                _ => true,
            };
            prop_assert!(gone, "{ex} was ruled out");
        }
    }
}
