//! Understanding and planning a typical request on the shipped catalog.

use criterion::{Criterion, criterion_group, criterion_main};
use paved_planner::{Catalog, Planner, PlanningContext, RuleUnderstander, Understander};
use std::hint::black_box;

fn bench_plan(c: &mut Criterion) {
    let catalog = Catalog::shipped();
    let planner = Planner::new(&catalog);
    let understander = RuleUnderstander::with_paths(catalog.path_hints());
    let ctx = PlanningContext::default();
    let request = "I need a production web app with PostgreSQL";
    c.bench_function(
        "understand + plan: production web app with PostgreSQL",
        |b| {
            b.iter(|| {
                let intent = understander.understand(black_box(request));
                planner.plan(&intent, black_box(&ctx))
            })
        },
    );
    let intent = understander.understand(request);
    c.bench_function("plan only: production web app with PostgreSQL", |b| {
        b.iter(|| planner.plan(black_box(&intent), black_box(&ctx)))
    });
    // A long chat message with typos and words outside the vocabulary: every unknown word goes
    // through the spelling corrector.
    let rambling = "so we're finally launching the loyalty programme next month and marketing \
        needs a prodution web app with postgress and a redis cache for the reward ledgers, \
        customers in Frankfrut mostly, budget around fifteen hundred dollars per month, the \
        analitycs people also want a nightly export of the transactions to s3 at half past midnight";
    c.bench_function("understand only: a rambling request with typos", |b| {
        b.iter(|| understander.understand(black_box(rambling)))
    });
}

criterion_group!(benches, bench_plan);
criterion_main!(benches);
