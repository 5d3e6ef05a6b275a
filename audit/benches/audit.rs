//! Audit of a production plan of about 30 resources against the shipped policies.
//!
//! Besides criterion's estimate, prints the median and p99 of single audits measured directly,
//! since criterion reports means and medians of batches only.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use paved_audit::{AuditContext, Auditor, Guardrails};
use paved_planner::{Catalog, Planner, PlanningContext};

/// Candidate requests; the one whose plan is closest to 30 resources is benchmarked.
const REQUESTS: &[&str] = &[
    "Spin up a REST API backed by DynamoDB",
    "Run a nightly report job that exports data to S3",
    "Deploy a data pipeline for analytics",
    "Staging web app with MySQL, no cache please",
    "I need a development web app with PostgreSQL",
    "Deploy a production microservice for payment processing with PostgreSQL database and Redis caching",
];

fn setup() -> (Catalog, Guardrails) {
    (Catalog::shipped(), Guardrails::shipped())
}

fn bench(c: &mut Criterion) {
    let (catalog, guardrails) = setup();
    let auditor = Auditor::new(&catalog, &guardrails);
    let mut candidates: Vec<(&str, paved_core::Plan)> = REQUESTS
        .iter()
        .filter_map(|r| {
            let intent = auditor.understand(r);
            match Planner::new(&catalog).plan(&intent, &PlanningContext::default()) {
                Ok(Some(p)) => Some((*r, p)),
                _ => None,
            }
        })
        .collect();
    candidates.sort_by_key(|(_, p)| p.resources.len().abs_diff(30));
    let Some((request, plan)) = candidates.into_iter().next() else {
        panic!("no benchmark request plans");
    };
    let ctx = AuditContext::default();
    eprintln!(
        "plan under audit: {} resources for `{request}`",
        plan.resources.len()
    );

    c.bench_function("audit_30_resource_plan", |b| {
        b.iter(|| black_box(auditor.audit(black_box(request), black_box(&plan), &ctx)))
    });

    // Cold: a new auditor every time, so the request is read and planned again.
    c.bench_function("audit_cold_reading", |b| {
        b.iter(|| {
            let a = Auditor::new(&catalog, &guardrails);
            black_box(a.audit(black_box(request), black_box(&plan), &ctx))
        })
    });

    let mut samples: Vec<Duration> = (0..5000)
        .map(|_| {
            let t = Instant::now();
            black_box(auditor.audit(request, &plan, &ctx));
            t.elapsed()
        })
        .collect();
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q) as usize];
    eprintln!(
        "single audits (warm reading), n={}: median {:?}, p99 {:?}",
        samples.len(),
        at(0.5),
        at(0.99)
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
