//! Modify, scale, delete and rollback: update and delete plans for the named service.

use paved_core::{Action, Compliance, Component, Environment, Intent, Plan, ResourceAction};
use paved_planner::{Catalog, Planner, PlanningContext, PlanningError};
use serde_json::Value;

fn change(action: Action, service: Option<&str>, env: Environment) -> Intent {
    let mut i = Intent::empty();
    i.action = action;
    i.golden_path = None;
    i.service = service.map(str::to_string);
    i.environment = env;
    i
}

/// The inventory of an existing service: what paved created for it.
fn inventory(service: &str, env: Environment) -> Vec<paved_core::Resource> {
    let c = Catalog::shipped();
    let mut i = Intent::empty();
    i.golden_path = Some("standard_web_app".into());
    i.service = Some(service.into());
    i.environment = env;
    Planner::new(&c)
        .plan(&i, &PlanningContext::default())
        .unwrap()
        .unwrap()
        .resources
}

fn plan(i: &Intent, ctx: &PlanningContext) -> Result<Plan, PlanningError> {
    let c = Catalog::shipped();
    Planner::new(&c).plan(i, ctx).map(|p| p.unwrap())
}

#[test]
fn scale_from_the_template_when_nothing_is_recorded() {
    let p = plan(
        &change(
            Action::Scale,
            Some("checkout service"),
            Environment::Production,
        ),
        &PlanningContext::default(),
    )
    .unwrap();
    p.validate().unwrap();
    let svc = p.resource("aws_ecs_service.app").unwrap();
    assert_eq!(svc.action, ResourceAction::Update);
    assert_eq!(svc.value("desired_count"), Some(&Value::from(4)));
    assert_eq!(
        p.resource("aws_appautoscaling_target.app")
            .unwrap()
            .value("max_capacity"),
        Some(&Value::from(12))
    );
    assert!(
        p.resources
            .iter()
            .all(|r| r.action == ResourceAction::Update)
    );
    assert_eq!(
        svc.value("tags").unwrap()["paved:service"],
        "checkout-service"
    );
    assert!(svc.monthly_cost_usd > 280.0, "{}", svc.monthly_cost_usd);
}

#[test]
fn scale_from_the_inventory() {
    let ctx = PlanningContext {
        allocations: vec![],
        inventory: inventory("checkout", Environment::Production),
        keep_sizes: false,
    };
    let p = plan(
        &change(Action::Scale, Some("checkout"), Environment::Production),
        &ctx,
    )
    .unwrap();
    assert_eq!(
        p.resource("aws_ecs_service.app")
            .unwrap()
            .value("desired_count"),
        Some(&Value::from(4))
    );
    // Only what scales is touched.
    assert!(p.resource("aws_vpc.main").is_none() && p.resource("aws_db_instance.main").is_none());
    // Staging of a service that only exists in production is a question, not a guess.
    match plan(
        &change(Action::Scale, Some("checkout"), Environment::Staging),
        &ctx,
    ) {
        Err(PlanningError::NeedsAnswer(q)) => assert!(q.contains("production"), "{q}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn delete_removes_dependants_first_and_keeps_a_final_snapshot() {
    let ctx = PlanningContext {
        allocations: vec![],
        inventory: inventory("payment-service", Environment::Production),
        keep_sizes: false,
    };
    let n = ctx.inventory.len();
    let p = plan(
        &change(
            Action::Delete,
            Some("payment-service"),
            Environment::Production,
        ),
        &ctx,
    )
    .unwrap();
    p.validate().unwrap();
    assert_eq!(p.resources.len(), n);
    assert!(
        p.resources
            .iter()
            .all(|r| r.action == ResourceAction::Delete && r.monthly_cost_usd == 0.0)
    );
    assert_eq!(p.estimated_monthly_cost_usd, 0.0);
    let db = p.resource("aws_db_instance.main").unwrap();
    assert_eq!(db.bool_value("skip_final_snapshot"), Some(false));
    assert_eq!(db.bool_value("deletion_protection"), Some(false));
    assert!(db.cost_note.as_deref().unwrap().contains("saves"));
    // The subnets go before the VPC, the security groups before... the VPC too.
    let pos = |a: &str| p.resources.iter().position(|r| r.address == a).unwrap();
    assert!(pos("aws_subnet.private_a") < pos("aws_vpc.main"));
    assert!(pos("aws_db_instance.main") < pos("aws_db_subnet_group.main"));
    assert!(
        p.resource("aws_vpc.main")
            .unwrap()
            .depends_on
            .contains(&"aws_subnet.private_a".to_string())
    );
    // Another service's resources are left alone.
    let mut other = ctx.clone();
    other
        .inventory
        .extend(inventory("billing", Environment::Production));
    let p2 = plan(
        &change(
            Action::Delete,
            Some("payment-service"),
            Environment::Production,
        ),
        &other,
    )
    .unwrap();
    assert_eq!(p2.resources.len(), n);
}

#[test]
fn delete_of_staging_from_the_template() {
    let p = plan(
        &change(
            Action::Delete,
            Some("payment-service"),
            Environment::Staging,
        ),
        &PlanningContext::default(),
    )
    .unwrap();
    p.validate().unwrap();
    assert_eq!(p.environment, Environment::Staging);
    assert!(
        p.resources
            .iter()
            .all(|r| r.action == ResourceAction::Delete)
    );
    assert!(
        p.resources
            .iter()
            .all(|r| r.value("tags").unwrap()["environment"] == "staging")
    );
    assert_eq!(
        p.resource("aws_db_instance.main")
            .unwrap()
            .bool_value("skip_final_snapshot"),
        Some(false)
    );
}

#[test]
fn modify_to_pci_touches_the_database_and_what_it_needs() {
    let ctx = PlanningContext {
        allocations: vec![],
        inventory: inventory("payment-service", Environment::Production),
        keep_sizes: false,
    };
    let mut i = change(
        Action::Modify,
        Some("payment-service"),
        Environment::Production,
    );
    i.compliance = vec![Compliance::PciDss];
    i.details.goal = "make payment-service database PCI compliant".into();
    let p = plan(&i, &ctx).unwrap();
    p.validate().unwrap();
    let db = p.resource("aws_db_instance.main").unwrap();
    assert_eq!(db.action, ResourceAction::Update);
    assert_eq!(db.bool_value("storage_encrypted"), Some(true));
    assert_eq!(db.str_value("kms_key_id"), Some("aws_kms_key.main.arn"));
    assert_eq!(
        p.resource("aws_kms_key.main").unwrap().action,
        ResourceAction::Create
    );
    // The network, the cache and the load balancer are not the database.
    for a in [
        "aws_vpc.main",
        "aws_elasticache_replication_group.main",
        "aws_lb.main",
        "aws_wafv2_web_acl.main",
    ] {
        assert!(p.resource(a).is_none(), "{a} should not change");
    }
    // Without a scope word, the whole PCI baseline is planned, and nothing is deleted.
    i.details.goal = "make payment-service PCI compliant".into();
    let p = plan(&i, &ctx).unwrap();
    assert!(p.resource("aws_wafv2_web_acl.main").is_some());
    assert!(
        p.resources
            .iter()
            .all(|r| r.action != ResourceAction::Delete)
    );
}

#[test]
fn modify_with_a_size_and_adding_a_component() {
    let ctx = PlanningContext {
        allocations: vec![],
        inventory: inventory("shop", Environment::Production),
        keep_sizes: false,
    };
    let mut i = change(Action::Modify, Some("shop"), Environment::Production);
    i.details.requested_sizes = vec!["db.r5.xlarge".into()];
    i.details.goal = "use db.r5.xlarge for the shop database".into();
    let p = plan(&i, &ctx).unwrap();
    assert_eq!(
        p.resources.len(),
        1,
        "{:?}",
        p.resources.iter().map(|r| &r.address).collect::<Vec<_>>()
    );
    assert_eq!(
        p.resources[0].str_value("instance_class"),
        Some("db.r5.xlarge")
    );
    let mut i = change(Action::Modify, Some("shop"), Environment::Production);
    i.components = vec![Component::Sqs];
    i.details.goal = "add a queue to shop".into();
    let p = plan(&i, &ctx).unwrap();
    assert_eq!(
        p.resource("aws_sqs_queue.jobs").unwrap().action,
        ResourceAction::Create
    );
    // Nothing to change is a question.
    let i = change(Action::Modify, Some("shop"), Environment::Production);
    assert!(matches!(plan(&i, &ctx), Err(PlanningError::NeedsAnswer(_))));
}

#[test]
fn rollback_needs_a_record_and_undoes_it() {
    match plan(
        &change(Action::Rollback, Some("req-12345"), Environment::Production),
        &PlanningContext::default(),
    ) {
        Err(PlanningError::NeedsAnswer(q)) => assert!(q.contains("req-12345"), "{q}"),
        other => panic!("{other:?}"),
    }
    let mut inv = inventory("shop", Environment::Production);
    for r in inv.iter_mut().take(5) {
        r.values
            .get_mut("tags")
            .unwrap()
            .as_object_mut()
            .unwrap()
            .insert("paved:request".into(), Value::from("req-12345"));
    }
    let mut i = change(Action::Rollback, None, Environment::Production);
    i.details.request_ids = vec!["req-12345".into()];
    let p = plan(
        &i,
        &PlanningContext {
            allocations: vec![],
            inventory: inv,
            keep_sizes: false,
        },
    )
    .unwrap();
    assert_eq!(p.resources.len(), 5);
    assert!(
        p.resources
            .iter()
            .all(|r| r.action == ResourceAction::Delete)
    );
}

#[test]
fn nothing_named_is_a_question() {
    for action in [
        Action::Modify,
        Action::Scale,
        Action::Delete,
        Action::Rollback,
    ] {
        match plan(
            &change(action, None, Environment::Production),
            &PlanningContext::default(),
        ) {
            Err(PlanningError::NeedsAnswer(q)) => assert!(q.contains("Which service"), "{q}"),
            other => panic!("{action:?}: {other:?}"),
        }
    }
}

#[test]
fn an_upgrade_keeps_the_sizes_and_counts_chosen_since() {
    // The shop was scaled since it was built: a bigger database and more application tasks.
    let mut inv = inventory("shop", Environment::Production);
    for r in inv.iter_mut() {
        match r.address.as_str() {
            "aws_db_instance.main" => {
                r.values.insert("instance_class".into(), Value::from("db.r5.2xlarge"));
            }
            "aws_ecs_service.app" => {
                r.values.insert("desired_count".into(), Value::from(6));
            }
            _ => {}
        }
    }
    let mut i = change(Action::Modify, Some("shop"), Environment::Production);
    i.details.goal = "upgrade shop to standard_web_app".into();
    let ctx = |keep_sizes| PlanningContext {
        allocations: vec![],
        inventory: inv.clone(),
        keep_sizes,
    };
    // A plain modification brings them back to what the path says...
    let reverted = plan(&i, &ctx(false)).unwrap();
    assert!(reverted.resource("aws_db_instance.main").is_some_and(|r| r.value("instance_class") != Some(&Value::from("db.r5.2xlarge"))));
    // ...an upgrade leaves them as they are: nothing else differs, so there is nothing to do.
    let upgraded = plan(&i, &ctx(true));
    assert!(matches!(upgraded, Err(PlanningError::NeedsAnswer(_))), "{upgraded:?}");
}
