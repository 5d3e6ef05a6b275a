//! Deploys every shipped golden path, in every environment, through the AWS provider against a
//! moto server and prints the wall time and the number of AWS API calls of each deployment.
//! moto answers at once, so the time is paved's own overhead plus moto's.
//!
//!     export PAVED_TEST_MOTO_URL="$(scripts/moto.sh start)"
//!     cargo run -p paved-executor --features aws --example aws_figures
//!
//! moto is reset before each deployment (`POST /moto-api/reset`), so run it against a moto
//! server that nothing else uses.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Instant;

use paved_core::{Environment, canonical};
use paved_executor::aws::{AwsConfig, AwsProvider};
use paved_executor::{DeployContext, Executor, MemoryLedger, Outcome};
use paved_planner::{Catalog, Planner, PlanningContext, RuleUnderstander, Understander};

const REQUESTS: &[&str] = &[
    "a {env} hipaa web app with postgres and redis for team payments",
    "a {env} pci partner rest api with rate limiting, dynamodb, sqs and redis for team orders",
    "a {env} nightly batch job writing reports to s3 for team finance",
    "a data pipeline with athena and glue for team analytics in {env}",
    "a {env} machine learning training setup with a notebook for team science",
];

fn reset(url: &str) -> std::io::Result<()> {
    let addr = url.trim_start_matches("http://").trim_end_matches('/');
    let mut s = TcpStream::connect(addr)?;
    write!(
        s,
        "POST /moto-api/reset HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("PAVED_TEST_MOTO_URL").map_err(
        |_| "set PAVED_TEST_MOTO_URL to a moto server (scripts/moto.sh start prints one)",
    )?;
    let catalog = Catalog::shipped();
    let understander = RuleUnderstander::with_paths(catalog.path_hints());
    println!(
        "{:<18} {:<12} {:>9} {:>10} {:>9} {:>14}",
        "golden path", "environment", "resources", "wall (s)", "API calls", "calls/resource"
    );
    for template in REQUESTS {
        for env in Environment::ALL {
            let word = match env {
                Environment::Production => "production",
                Environment::Staging => "staging",
                Environment::Development => "development",
            };
            let intent = understander.understand(&template.replace("{env}", word));
            let Some(plan) = Planner::new(&catalog).plan(&intent, &PlanningContext::default())?
            else {
                println!("{template} ({word}): no plan");
                continue;
            };
            reset(&url)?;
            let ledger = Arc::new(MemoryLedger::default());
            let aws = Arc::new(
                AwsProvider::connect(AwsConfig::emulator(&url, &plan.region), ledger.clone()).await,
            );
            let ctx = DeployContext {
                request_id: format!("figures-{word}"),
                plan_hash: canonical::plan_hash(&plan),
                environment: word.to_string(),
                owner: "figures".to_string(),
                region: plan.region.clone(),
            };
            let started = Instant::now();
            let report = Executor::new(aws.clone(), ledger)
                .deploy(&ctx, &plan)
                .await?;
            let wall = started.elapsed().as_secs_f64();
            let calls = aws.calls().total();
            let path = plan.golden_path.clone().unwrap_or_default();
            let n = plan.resources.len();
            match report.outcome {
                Outcome::Completed => println!(
                    "{path:<18} {word:<12} {n:>9} {wall:>10.2} {calls:>9} {:>14.1}",
                    calls as f64 / n as f64
                ),
                Outcome::Failed { address, error } => {
                    println!("{path:<18} {word:<12} failed at {address}: {error}")
                }
            }
        }
    }
    reset(&url)?;
    Ok(())
}
