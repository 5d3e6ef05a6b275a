//! Focused behaviour of the rule-based understander: schedules, regions, negations, spelling,
//! names and ids, budgets, actions, questions, amendments and the golden-path hints.

use paved_core::{Action, Compliance, Component, Environment, Intent};
use paved_planner::understand::{
    ASSUMED_DATABASE, ASSUMED_ENVIRONMENT, ASSUMED_REGION, ASSUMED_WORKLOAD, PathHint,
    QUESTION_NO_WORKLOAD,
};
use paved_planner::{RuleUnderstander, Understander};
use serde_json::Value;
use std::path::PathBuf;

fn read(request: &str) -> Intent {
    RuleUnderstander::new().understand(request)
}

#[test]
fn schedules_become_cron_expressions() {
    let table = [
        ("Nightly export of orders to S3", "0 2 * * *"),
        ("a job every night at 11pm", "0 23 * * *"),
        ("report daily at 6", "0 6 * * *"),
        ("hourly sync job", "0 * * * *"),
        ("sync job every hour", "0 * * * *"),
        ("cleanup every 15 minutes", "*/15 * * * *"),
        ("cleanup job every 2 hours", "0 */2 * * *"),
        ("A cleanup job that runs every Sunday at 3am", "0 3 * * 0"),
        ("a weekly report", "0 2 * * 0"),
        ("a monthly invoice job", "0 2 1 * *"),
        ("billing job on the 15th of every month", "0 2 15 * *"),
        ("send the digest every weekday at 9am", "0 9 * * 1-5"),
        ("export twice a day", "0 2,14 * * *"),
        ("job at 9am and 5pm every day", "0 9,17 * * *"),
        ("job on Mondays and Thursdays at 7:30", "30 7 * * 1,4"),
        ("job Monday to Friday at 18:00", "0 18 * * 1-5"),
        ("report every morning", "0 6 * * *"),
        ("job every day at noon", "0 12 * * *"),
        ("job every day at midnight", "0 0 * * *"),
        ("job every minute", "* * * * *"),
        ("batch job every other day", "0 2 */2 * *"),
        ("quarterly export job", "0 2 1 */3 *"),
        ("batch on weekends at 12am", "0 0 * * 0,6"),
        ("run the job on cron `*/5 * * * *`", "*/5 * * * *"),
    ];
    for (request, cron) in table {
        assert_eq!(read(request).schedule.as_deref(), Some(cron), "{request}");
    }
}

#[test]
fn schedule_words_that_do_not_describe_a_run_set_no_schedule() {
    for request in [
        "web app for 10k daily active users",
        "web app with nightly backups kept 30 days",
        "web app with a monthly budget of $900",
        "shop, €800 monthly",
        "Scale checkout-service for Black Friday",
    ] {
        assert_eq!(read(request).schedule, None, "{request}");
    }
}

#[test]
fn a_schedule_without_a_time_states_the_assumed_time() {
    let intent = read("nightly export job");
    assert!(
        intent
            .assumptions
            .iter()
            .any(|a| a == "Run time assumed 02:00 UTC"),
        "{:?}",
        intent.assumptions
    );
    let intent = read("export job every day at 5pm");
    assert_eq!(intent.schedule.as_deref(), Some("0 17 * * *"));
    assert!(
        intent
            .assumptions
            .iter()
            .any(|a| a == "Schedule times read as UTC")
    );
}

#[test]
fn places_map_to_their_regions() {
    let table = [
        ("Frankfurt", "eu-central-1"),
        ("Germany", "eu-central-1"),
        ("Ireland", "eu-west-1"),
        ("Dublin", "eu-west-1"),
        ("London", "eu-west-2"),
        ("the UK", "eu-west-2"),
        ("Paris", "eu-west-3"),
        ("France", "eu-west-3"),
        ("Stockholm", "eu-north-1"),
        ("Sweden", "eu-north-1"),
        ("Milan", "eu-south-1"),
        ("Oregon", "us-west-2"),
        ("N. California", "us-west-1"),
        ("Northern California", "us-west-1"),
        ("Ohio", "us-east-2"),
        ("Virginia", "us-east-1"),
        ("Tokyo", "ap-northeast-1"),
        ("Japan", "ap-northeast-1"),
        ("Seoul", "ap-northeast-2"),
        ("Singapore", "ap-southeast-1"),
        ("Sydney", "ap-southeast-2"),
        ("Australia", "ap-southeast-2"),
        ("Mumbai", "ap-south-1"),
        ("India", "ap-south-1"),
        ("São Paulo", "sa-east-1"),
        ("Sao Paulo", "sa-east-1"),
        ("Brazil", "sa-east-1"),
        ("Canada", "ca-central-1"),
        ("Montreal", "ca-central-1"),
        ("the US", "us-east-1"),
        ("us-west-2", "us-west-2"),
        ("ap-southeast-2", "ap-southeast-2"),
    ];
    for (place, region) in table {
        let intent = read(&format!("web app hosted in {place}"));
        assert_eq!(intent.region, region, "{place}");
        assert!(
            !intent.assumptions.iter().any(|a| a == ASSUMED_REGION),
            "{place}"
        );
    }
}

#[test]
fn region_defaults_and_eu_choices_are_stated() {
    let intent = read("web app with postgres in production");
    assert_eq!(intent.region, "us-east-1");
    assert!(intent.assumptions.iter().any(|a| a == ASSUMED_REGION));

    let intent = read("web app for European customers");
    assert_eq!(intent.region, "eu-central-1");
    assert!(
        intent
            .assumptions
            .iter()
            .any(|a| a.contains("names the EU but no country"))
    );

    let intent = read("GDPR compliant web app");
    assert!(intent.region.starts_with("eu-"));
    assert!(intent.requires(Compliance::Gdpr));
    assert!(intent.details.eu_personal_data);

    // "us" the pronoun is not the United States.
    let intent = read("give us a web app in Ireland");
    assert_eq!(intent.region, "eu-west-1");
}

#[test]
fn moving_between_regions_targets_the_destination() {
    let intent = read("Move checkout-service from us-east-1 to eu-west-1");
    assert_eq!(intent.action, Action::Modify);
    assert_eq!(intent.region, "eu-west-1");
}

#[test]
fn an_unknown_region_code_is_a_question() {
    let intent = read("web app in eu-west-9");
    assert_eq!(intent.clarifications.len(), 1);
    assert!(intent.clarifications[0].contains("eu-west-9"));
}

#[test]
fn negations_rule_components_out() {
    let cases: [(&str, &[Component], &[Component]); 10] = [
        (
            "web app with postgres, no cache",
            &[Component::Postgres],
            &[Component::Redis],
        ),
        ("web app, skip the redis", &[], &[Component::Redis]),
        (
            "web app with postgres, no caching please",
            &[Component::Postgres],
            &[Component::Redis],
        ),
        ("web app without redis", &[], &[Component::Redis]),
        (
            "API, don't need a db",
            &[],
            &[Component::Dynamodb, Component::Postgres, Component::Mysql],
        ),
        (
            "web app, no database needed",
            &[],
            &[Component::Postgres, Component::Mysql],
        ),
        ("web app, database not needed", &[], &[Component::Postgres]),
        (
            "web app without redis or postgres",
            &[],
            &[Component::Redis, Component::Postgres],
        ),
        (
            "web app with MySQL instead of PostgreSQL",
            &[Component::Mysql],
            &[Component::Postgres],
        ),
        (
            "web app with postgres and no downtime in production",
            &[Component::Postgres],
            &[],
        ),
    ];
    for (request, present, absent) in cases {
        let intent = read(request);
        for c in present {
            assert!(
                intent.has(*c),
                "{request}: {c} missing from {:?}",
                intent.components
            );
        }
        for c in absent {
            assert!(
                !intent.has(*c),
                "{request}: {c} present in {:?}",
                intent.components
            );
            assert!(
                intent.details.excluded_components.contains(c),
                "{request}: {c} not excluded"
            );
        }
    }
    // A negated environment is not that environment.
    assert_eq!(
        read("web app with postgres and no downtime in production").environment,
        Environment::Production
    );
    assert_eq!(
        read("web app, not in production").environment,
        Environment::Development
    );
    assert_eq!(
        read("web app on Node.js, not on Deno").off_road,
        Vec::<String>::new()
    );
}

#[test]
fn typos_of_common_words_are_read_and_reported() {
    let intent = read("prodution web app with postgress in Frankfrut");
    assert_eq!(intent.environment, Environment::Production);
    assert!(intent.has(Component::Postgres));
    assert_eq!(intent.region, "eu-central-1");
    assert!(
        intent
            .assumptions
            .iter()
            .any(|a| a == "Read \"prodution\" as \"production\"")
    );

    assert_eq!(read("stagng api").environment, Environment::Staging);
    assert_eq!(
        read("developement web app").environment,
        Environment::Development
    );
    assert!(read("web app with a databse").has(Component::Postgres));
    assert_eq!(
        read("deploymnet of a webapp").golden_path.as_deref(),
        Some("standard_web_app")
    );
    assert_eq!(
        read("analitycs pipline").golden_path.as_deref(),
        Some("data_pipeline")
    );

    // Real words are not "corrected" into vocabulary words.
    let intent = read("web app for insurance claims with two pairs of eyes");
    assert!(
        !intent.assumptions.iter().any(|a| a.starts_with("Read ")),
        "{:?}",
        intent.assumptions
    );
    assert_eq!(intent.region, "us-east-1");
}

#[test]
fn service_names_come_from_the_request() {
    let table = [
        (
            "Delete the staging environment of payment-service",
            "payment-service",
        ),
        (
            "Scale the checkout service for Black Friday traffic",
            "checkout-service",
        ),
        ("Tear down billing-db in dev", "billing-db"),
        ("Scale our orders API in production", "orders-api"),
        ("Upgrade the billing database to db.r5.large", "billing-db"),
        (
            "Delete the order history service in staging",
            "order-history-service",
        ),
        ("Remove `reports` in staging", "reports"),
        ("Create a web app called storefront-web", "storefront-web"),
        ("Roll back req-12345", "req-12345"),
        ("Scale payments_worker in staging", "payments_worker"),
        // paved's own name for a web app planned without one.
        ("scale the production web-app service to 4 tasks", "web-app"),
        ("delete the staging web-app service", "web-app"),
        ("Tear down req-48213", "req-48213"),
        ("Turn on encryption for the analytics-bucket", "analytics-bucket"),
    ];
    for (request, service) in table {
        assert_eq!(read(request).service.as_deref(), Some(service), "{request}");
    }
    // A request for something new describes it; it does not name an existing service.
    assert_eq!(read("An API for our mobile app").service, None);
    assert_eq!(read("a new web-app service in staging").service, None);
    assert_eq!(read("I need a production web app").service, None);
}

#[test]
fn ids_tickets_and_sizes_are_extracted() {
    let intent =
        read("Upgrade billing-db to db.t3.medium and cache.r6g.large, change ticket CHG-1234");
    assert_eq!(intent.details.change_tickets, vec!["CHG-1234"]);
    assert_eq!(
        intent.details.requested_sizes,
        vec!["db.t3.medium", "cache.r6g.large"]
    );

    let intent = read("rollback REQ-777 with chg5512");
    assert_eq!(intent.details.request_ids, vec!["req-777"]);
    assert_eq!(intent.details.change_tickets, vec!["CHG-5512"]);
    assert_eq!(intent.service.as_deref(), Some("req-777"));

    let intent = read("undo request 4242");
    assert_eq!(intent.action, Action::Rollback);
    assert_eq!(intent.details.request_ids, vec!["req-4242"]);
    assert!(intent.clarifications.is_empty());
}

#[test]
fn budgets_are_monthly_us_dollars() {
    let table: [(&str, f64); 11] = [
        ("web app under $2000/month", 2000.0),
        ("api, max 900 USD per month", 900.0),
        ("shop, budget is $1,500 a month", 1500.0),
        ("pipeline, 2k/month", 2000.0),
        ("ML sandbox, €800 monthly", 800.0),
        ("web app, budget £300", 300.0),
        ("web app, we can spend $1.5k per month", 1500.0),
        ("web app, $12,000 per year", 1000.0),
        ("web app between $500 and $800 a month", 800.0),
        ("web app for no more than 650 dollars monthly", 650.0),
        ("budget 1200 for the web app", 1200.0),
    ];
    for (request, usd) in table {
        assert_eq!(read(request).budget_monthly_usd, Some(usd), "{request}");
    }
    let intent = read("ML sandbox, €800 monthly");
    assert!(
        intent
            .assumptions
            .iter()
            .any(|a| a == "Budget of 800 EUR treated as 800 USD")
    );
    for request in [
        "web app for 10k users per month",
        "web app with 2 vCPU and 4 GB",
        "web app under 3 nodes",
    ] {
        assert_eq!(read(request).budget_monthly_usd, None, "{request}");
    }
}

#[test]
fn actions_follow_the_decisive_verb() {
    let table = [
        ("Deploy a web app", Action::Create),
        ("Add a development environment for testing", Action::Create),
        ("Add redis to the checkout service", Action::Modify),
        (
            "Make the payment-service database PCI compliant",
            Action::Modify,
        ),
        ("make me a web app", Action::Create),
        ("Change payment-service to MySQL", Action::Modify),
        ("Scale payment-service", Action::Scale),
        ("Double the capacity of orders-api", Action::Scale),
        ("Get checkout-service ready for Black Friday", Action::Scale),
        ("Tear down billing-db in staging", Action::Delete),
        ("I want to delete payment-service in dev", Action::Delete),
        ("payment-service in dev needs to be deleted", Action::Delete),
        ("Roll back req-1", Action::Rollback),
        ("A job that deletes old logs every night", Action::Create),
        ("An API to update prices", Action::Create),
        (
            "A cleanup job that runs every Sunday at 3am",
            Action::Create,
        ),
        ("Weekly cleanup of temp files", Action::Create),
        (
            "Web app that can scale to millions of users",
            Action::Create,
        ),
        ("web app at scale with postgres", Action::Create),
        ("web app with postgres, remove the cache", Action::Create),
    ];
    for (request, action) in table {
        assert_eq!(read(request).action, action, "{request}");
    }
    assert!(!read("web app with postgres, remove the cache").has(Component::Redis));
}

#[test]
fn golden_path_is_null_unless_creating() {
    for request in [
        "Scale payment-service",
        "Delete billing-db in dev",
        "Roll back req-1",
        "Make orders-api PCI compliant",
    ] {
        assert_eq!(read(request).golden_path, None, "{request}");
    }
}

#[test]
fn off_road_choices_are_named_and_on_road_languages_are_not() {
    let table: [(&str, &[&str]); 7] = [
        ("web app on Deno", &["deno"]),
        ("Bun web app", &["bun"]),
        ("Elixir API", &["elixir"]),
        (
            "web app on Kubernetes with MongoDB",
            &["kubernetes", "mongodb"],
        ),
        ("pipeline on Kafka into Cassandra", &["cassandra", "kafka"]),
        ("k8s web app", &["kubernetes"]),
        ("Haskell API on Nomad", &["haskell", "nomad"]),
    ];
    for (request, names) in table {
        let intent = read(request);
        for n in names {
            assert!(
                intent.off_road.iter().any(|o| o == n),
                "{request}: {:?}",
                intent.off_road
            );
        }
    }
    for request in [
        "Node.js web app",
        "Python API",
        "Java web app",
        "Go API",
        "TypeScript web app",
        "Ruby on Rails app",
        "Kotlin API",
        "Rust API",
        "web app in C#",
    ] {
        assert!(read(request).off_road.is_empty(), "{request}");
    }
}

#[test]
fn compliance_cues_bring_their_regimes() {
    let table = [
        ("web shop that takes card payments", Compliance::PciDss),
        ("payment processing API", Compliance::PciDss),
        ("checkout storing credit card numbers", Compliance::PciDss),
        ("portal for patient records", Compliance::Hipaa),
        ("medical imaging pipeline", Compliance::Hipaa),
        ("API serving PHI", Compliance::Hipaa),
        ("web app with EU customers' personal data", Compliance::Gdpr),
        ("GDPR web app", Compliance::Gdpr),
        ("SOC 2 dashboard", Compliance::Soc2),
        ("SOC2 API", Compliance::Soc2),
    ];
    for (request, regime) in table {
        assert!(read(request).requires(regime), "{request}");
    }
    assert!(
        read("web app with a health check endpoint")
            .compliance
            .is_empty()
    );
    assert!(
        read("web app for payment-service reporting")
            .compliance
            .is_empty()
    );
}

#[test]
fn defaults_are_stated_as_assumptions() {
    let intent = read("I need a web app");
    assert_eq!(intent.golden_path.as_deref(), Some("standard_web_app"));
    assert!(intent.has(Component::Postgres));
    for a in [ASSUMED_DATABASE, ASSUMED_ENVIRONMENT, ASSUMED_REGION] {
        assert!(
            intent.assumptions.iter().any(|x| x == a),
            "{a} missing from {:?}",
            intent.assumptions
        );
    }
    let intent = read("Deploy a database for customer data");
    assert_eq!(intent.components.first(), Some(&Component::Postgres));
    assert!(intent.assumptions.iter().any(|x| x == ASSUMED_DATABASE));

    let intent = read("REST API with postgres");
    assert!(intent.has(Component::Postgres));
    assert!(
        !intent.has(Component::Dynamodb),
        "a named store replaces the path's DynamoDB"
    );

    let intent = read("API on Fargate containers");
    assert!(
        !intent.has(Component::Lambda),
        "containers replace the path's Lambda"
    );
}

#[test]
fn confidence_reflects_what_was_stated() {
    let stated = read("I need a production web app with PostgreSQL and Redis in eu-west-1");
    assert!(stated.confidence >= 0.9, "{}", stated.confidence);
    let assumed = read("I need a web app");
    assert!(assumed.confidence < stated.confidence);
    let nothing = read("hello");
    assert!(nothing.confidence < 0.5);
    let vague = read("Clean up old resources");
    assert!(vague.confidence < 0.5);
}

#[test]
fn vague_or_empty_requests_ask_one_question_each() {
    let table = [
        ("Clean up old resources", Action::Delete),
        ("delete everything tagged old", Action::Delete),
        ("remove unused stuff", Action::Delete),
        ("Delete the staging environment", Action::Delete),
        ("Tear down payment-service", Action::Delete),
        ("scale it", Action::Scale),
        ("make it PCI compliant", Action::Modify),
        ("Roll back the last deploy", Action::Rollback),
        ("hello", Action::Create),
        ("help me", Action::Create),
        ("do the thing", Action::Create),
        ("", Action::Create),
        ("   ", Action::Create),
    ];
    for (request, action) in table {
        let intent = read(request);
        assert_eq!(intent.action, action, "{request:?}");
        assert_eq!(
            intent.clarifications.len(),
            1,
            "{request:?}: {:?}",
            intent.clarifications
        );
        let q = &intent.clarifications[0];
        assert!(q.ends_with('?') && q.matches('?').count() == 1, "{q}");
    }
    assert_eq!(
        read("hello").clarifications,
        vec![QUESTION_NO_WORKLOAD.to_string()]
    );
    assert!(read("Clean up old resources").clarifications[0].contains("\"old\""));
}

#[test]
fn an_environment_alone_gets_the_common_path_as_an_assumption() {
    let intent = read("Set up a staging environment for the payments team");
    assert_eq!(intent.environment, Environment::Staging);
    assert_eq!(intent.golden_path.as_deref(), Some("standard_web_app"));
    assert!(intent.assumptions.iter().any(|a| a == ASSUMED_WORKLOAD));
    assert!(intent.clarifications.is_empty());
}

#[test]
fn environment_words_and_their_purposes() {
    let table = [
        (
            "Add a development environment for testing",
            Environment::Development,
        ),
        ("web app in a test environment", Environment::Staging),
        (
            "web app for load testing in production",
            Environment::Production,
        ),
        ("UAT web app", Environment::Staging),
        ("pre-prod web app", Environment::Staging),
        ("sandbox web app", Environment::Development),
        ("non-production web app", Environment::Development),
        ("live web app", Environment::Production),
        (
            "dashboard for the dev team in production",
            Environment::Production,
        ),
        ("dashboard for the dev team", Environment::Production),
    ];
    for (request, env) in table {
        assert_eq!(read(request).environment, env, "{request}");
    }
}

#[test]
fn amend_applies_follow_up_instructions() {
    let u = RuleUnderstander::new();
    let base = u.understand("I need a web app with postgres");
    assert!(base.assumptions.iter().any(|a| a == ASSUMED_ENVIRONMENT));

    let pci = u.amend(&base, "make it PCI compliant");
    assert!(pci.requires(Compliance::PciDss));
    assert_eq!(pci.action, Action::Create);
    assert_eq!(pci.golden_path, base.golden_path);
    assert!(pci.has(Component::Postgres));

    let sized = u.amend(&base, "use db.t3.medium");
    assert_eq!(sized.details.requested_sizes, vec!["db.t3.medium"]);
    let resized = u.amend(&sized, "actually db.r5.large");
    assert_eq!(resized.details.requested_sizes, vec!["db.r5.large"]);

    let no_redis = u.amend(&base, "no redis");
    assert!(!no_redis.has(Component::Redis));
    assert!(
        no_redis
            .details
            .excluded_components
            .contains(&Component::Redis)
    );
    let dropped = u.amend(&base, "drop the cache");
    assert!(!dropped.has(Component::Redis));

    let moved = u.amend(&base, "in Frankfurt");
    assert_eq!(moved.region, "eu-central-1");
    assert!(!moved.assumptions.iter().any(|a| a == ASSUMED_REGION));

    let staging = u.amend(&base, "staging instead");
    assert_eq!(staging.environment, Environment::Staging);
    assert!(!staging.assumptions.iter().any(|a| a == ASSUMED_ENVIRONMENT));
    assert!(staging.confidence > base.confidence);

    let mysql = u.amend(&base, "use MySQL instead");
    assert!(mysql.has(Component::Mysql));
    assert!(!mysql.has(Component::Postgres));

    let budget = u.amend(&base, "keep it under $700 a month");
    assert_eq!(budget.budget_monthly_usd, Some(700.0));

    let gdpr = u.amend(&base, "it holds EU personal data, make it GDPR compliant");
    assert!(gdpr.requires(Compliance::Gdpr));
    assert!(gdpr.region.starts_with("eu-"));

    // Amending twice keeps what the first amendment said.
    let both = u.amend(&u.amend(&base, "staging instead"), "in Tokyo");
    assert_eq!(both.environment, Environment::Staging);
    assert_eq!(both.region, "ap-northeast-1");
}

#[test]
fn amend_answers_open_questions() {
    let u = RuleUnderstander::new();
    let vague = u.understand("Scale it up");
    assert_eq!(vague.clarifications.len(), 1);
    let answered = u.amend(&vague, "the checkout service");
    assert_eq!(answered.action, Action::Scale);
    assert_eq!(answered.service.as_deref(), Some("checkout-service"));
    assert!(
        answered.clarifications.is_empty(),
        "{:?}",
        answered.clarifications
    );

    let rollback = u.understand("Roll back the last deployment");
    let answered = u.amend(&rollback, "req-31337");
    assert!(answered.clarifications.is_empty());
    assert_eq!(answered.details.request_ids, vec!["req-31337"]);
}

#[test]
fn path_hints_from_policy_files_add_keywords_and_paths() {
    let u = RuleUnderstander::with_paths(vec![
        PathHint {
            id: "standard_web_app".into(),
            keywords: vec!["storefront".into(), "Customer Hub".into()],
            default_components: vec![Component::Postgres],
        },
        PathHint {
            id: "static_site".into(),
            keywords: vec!["static site".into(), "landing page".into()],
            default_components: vec![Component::S3],
        },
    ]);
    let hub = u.understand("a customer hub for our partners");
    assert_eq!(hub.golden_path.as_deref(), Some("standard_web_app"));
    assert!(
        !hub.has(Component::Redis),
        "the hint's defaults replace the built-in ones"
    );

    let landing = u.understand("a landing page for the spring campaign");
    assert_eq!(landing.golden_path.as_deref(), Some("static_site"));
    assert_eq!(landing.components, vec![Component::S3]);

    assert!(u.path_ids().contains(&"static_site"));
    assert_eq!(RuleUnderstander::new().path_ids().len(), 5);
}

#[test]
fn reading_is_deterministic_and_lists_are_normalised() {
    let u = RuleUnderstander::default();
    let request = "Production web app in Frankfurt with Redis, Postgres, S3 and SQS, PCI and SOC 2, on Deno and Bun";
    let a = u.understand(request);
    let b = u.understand(request);
    assert_eq!(a, b);
    let mut sorted = a.components.clone();
    sorted.sort();
    assert_eq!(a.components, sorted);
    assert_eq!(a.off_road, vec!["bun", "deno"]);
    assert_eq!(a.compliance, vec![Compliance::PciDss, Compliance::Soc2]);
}

#[test]
fn hostile_input_never_panics_and_always_yields_a_valid_intent() {
    let validator = intent_validator();
    let long = "web app ".repeat(600);
    let inputs = [
        "",
        "   ",
        "\u{0}\u{1}",
        "$$$",
        "€",
        "req-",
        "CHG-",
        "-",
        "--no-cache",
        "a-b-c-d-e-f",
        "🚀🚀 web app 🚀",
        "ÄÖÜ straße",
        "at 99:99pm every 0 minutes",
        "every 999 hours",
        "budget $9999999999999999999999999999 per month",
        "$1e5/month",
        "db..large",
        "us-east-99",
        "'\"`",
        "(((",
        "))))",
        "/",
        "//",
        "a/b/c",
        "on the 99th of every month",
        long.as_str(),
    ];
    let u = RuleUnderstander::new();
    for input in inputs {
        let intent = u.understand(input);
        let value = serde_json::to_value(&intent).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{input:?}: {errors:?}");
    }
}

#[test]
fn every_case_of_both_sets_validates_against_the_intent_schema() {
    let validator = intent_validator();
    let u = RuleUnderstander::new();
    let mut seen = 0;
    for file in ["intents.jsonl", "understand_cases.jsonl"] {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/data")
            .join(file);
        for line in std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            let case: Value = serde_json::from_str(line).unwrap();
            let intent = u.understand(case["request"].as_str().unwrap());
            let value = serde_json::to_value(&intent).unwrap();
            let errors: Vec<String> = validator
                .iter_errors(&value)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{}: {errors:?}", case["id"]);
            for text in intent.assumptions.iter().chain(&intent.clarifications) {
                assert!(
                    !text.trim().is_empty() && !text.contains('\n'),
                    "{}: {text:?}",
                    case["id"]
                );
            }
            seen += 1;
        }
    }
    assert!(seen >= 180);
}

fn intent_validator() -> jsonschema::Validator {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/schemas/intent.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

/// Pieces of requests people write: words paved knows, names, ids, numbers, money, places,
/// schedules, punctuation and things no vocabulary has.
const PIECES: &[&str] = &[
    "a", "the", "to", "of", "for", "with", "without", "no", "not", "new", "need", "please", "and", "or", "that", "be", "up", "at", "by", "in",
    "web", "app", "api", "service", "job", "pipeline", "model", "dashboard", "postgres", "pg", "mysql", "redis", "cache", "s3", "bucket", "queue",
    "kafka", "gpu", "lambda", "dynamodb", "prod", "production", "staging", "dev", "qa", "sandbox", "pci", "gdpr", "hipaa", "soc2", "compliant",
    "delete", "remove", "drop", "drops", "tear", "down", "scale", "bump", "reduce", "instances", "replicas", "nodes", "modify", "change", "make",
    "add", "attach", "rollback", "undo", "upgrade", "nightly", "hourly", "every", "monday", "at", "3am", "2:30", "backups", "export", "exports",
    "Frankfurt", "Tokyo", "Sydney", "EU", "us-east-1", "eu-west-3", "orders-api", "payment-service", "nightly-export", "req-10001", "CHG-42",
    "db.r5.8xlarge", "t3.micro", "$500", "2k", "€300/month", "under", "budget", "10", "0", "1", "99999999999999999999", "½", "🚀", "—", "naïve",
    ",", ".", "!", "?", ";", ":", "(", ")", "\"", "'", "`", "-", "_", "/", "\n", "日本", "über", "",
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(600))]

    /// Whatever is written, paved understands it without panicking, and planning it either gives
    /// a plan, asks, or says in one sentence why it cannot; never an internal error.
    #[test]
    fn any_request_is_understood_and_planned_or_answered(words in proptest::collection::vec(proptest::sample::select(PIECES), 0..24), extra in "\\PC{0,12}") {
        let mut text = words.join(" ");
        text.push(' ');
        text.push_str(&extra);
        let intent = RuleUnderstander::new().understand(&text);
        let catalog = paved_planner::Catalog::shipped();
        match paved_planner::Planner::new(&catalog).plan(&intent, &paved_planner::PlanningContext::default()) {
            Ok(_) | Err(paved_planner::PlanningError::NeedsAnswer(_)) | Err(paved_planner::PlanningError::Price(_)) | Err(paved_planner::PlanningError::Ipam(_)) => {}
            Err(e) => proptest::prop_assert!(false, "{text:?} gave an internal error: {e}"),
        }
    }
}

#[test]
fn changes_said_without_the_usual_verbs_and_negations_said_as_answers() {
    // Verbs of change beyond the usual ones, on a named service.
    assert_eq!(read("kill the staging copy of marketing-site").action, Action::Delete);
    assert_eq!(read("give reporting-worker more memory, it keeps OOMing").action, Action::Scale);
    assert_eq!(read("put billing-api back to how it was before req-51120").action, Action::Rollback);
    assert_eq!(read("can we make inventory-api multi-az?").action, Action::Modify);
    // A change to a named resource names its kind.
    assert!(read("Turn on encryption for the analytics-bucket").has(Component::S3));
    // "No" as the answer to a question, "nothing", "-free".
    assert!(!read("batch inference over the customer table every Sunday. Needs GPUs? Probably not.").has(Component::Gpu));
    assert_eq!(read("chatbot web app. Nothing production yet, dev only").environment, Environment::Development);
    let intent = read("k8s-free staging api");
    assert!(intent.off_road.is_empty(), "{:?}", intent.off_road);
    // An off-road database is the workload's database: no PostgreSQL beside it.
    let intent = read("need a mongodb for the product catalog, dev");
    assert_eq!(intent.off_road, ["mongodb"]);
    assert!(!intent.has(Component::Postgres), "{:?}", intent.components);
    // Card payments and health data said indirectly.
    assert!(read("prod ecomm site, takes cards").compliance.contains(&Compliance::PciDss));
    assert!(read("the new ledger service handles PANs. prod").compliance.contains(&Compliance::PciDss));
    assert!(read("nightly export of claims with member health info to s3").compliance.contains(&Compliance::Hipaa));
    // Real words are not typos of vocabulary words.
    let intent = read("a telehealth appointment scheduler web app; scores write to postgres");
    assert_eq!(intent.golden_path.as_deref(), Some("standard_web_app"));
    assert!(!intent.assumptions.iter().any(|a| a.starts_with("Read \"")), "{:?}", intent.assumptions);
}

#[test]
fn slang_changes_forms_and_tracker_keys() {
    // A multiplier in the imperative scales; in a description it does not.
    assert_eq!(read("2x the db for inventory-service before the sale").action, Action::Scale);
    assert_eq!(read("a web app that handles 2x the traffic of the old one").action, Action::Create);
    assert_eq!(read("billing-db is struggling, bump it to db.r5.2xlarge asap").action, Action::Scale);
    // "add to a cart" describes the app.
    let shop = read("Our Shopify replacement: customers browse products, add to a cart and pay by credit card. production");
    assert_eq!(shop.action, Action::Create);
    assert_eq!(shop.golden_path.as_deref(), Some("standard_web_app"));
    // A form's field answered "none".
    assert!(!read("**Service:** orders\n**DB:** mysql\n**Cache:** none\n**Env:** staging").has(Component::Redis));
    // An issue tracker's key is not the service.
    let jira = read("INFRA-5020 - Decommission legacy-reports service in staging");
    assert_eq!(jira.action, Action::Delete);
    assert_eq!(jira.service.as_deref(), Some("legacy-reports"));
    assert_eq!(read("triple the workers on image-resizer").service.as_deref(), Some("image-resizer"));
}

#[test]
fn where_copies_go_is_not_where_the_workload_runs() {
    assert_eq!(read("GDPR data pipeline in Frankfurt for EU customer data, with disaster-recovery replication to Ireland").region, "eu-central-1");
    assert_eq!(read("web app in Frankfurt with backups copied to Ireland").region, "eu-central-1");
    // A move still goes where it is told.
    assert_eq!(read("move billing-api from us-east-1 to eu-west-1").region, "eu-west-1");
}
