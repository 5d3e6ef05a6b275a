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
}

criterion_group!(benches, bench_plan);
criterion_main!(benches);
