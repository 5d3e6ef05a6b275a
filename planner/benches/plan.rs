//! Planning a typical request on the shipped catalog.

use criterion::{Criterion, criterion_group, criterion_main};
use paved_core::{Component, Intent};
use paved_planner::{Catalog, Planner, PlanningContext};
use std::hint::black_box;

fn typical_intent() -> Intent {
    let mut i = Intent::empty();
    i.golden_path = Some("standard_web_app".into());
    i.components = vec![Component::Postgres];
    i
}

fn bench_plan(c: &mut Criterion) {
    let catalog = Catalog::shipped();
    let planner = Planner::new(&catalog);
    let ctx = PlanningContext::default();
    let intent = typical_intent();
    c.bench_function("plan production web app with PostgreSQL", |b| {
        b.iter(|| planner.plan(black_box(&intent), black_box(&ctx)))
    });
}

criterion_group!(benches, bench_plan);
criterion_main!(benches);
