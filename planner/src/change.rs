//! Plans for requests that change what exists: modify, scale, delete and rollback.
//!
//! What exists comes from the inventory (resources tagged `paved:service` or `paved:request`).
//! When the inventory knows nothing of the named service, modify, scale and delete work from the
//! golden path the service would have been built from; rollback, which undoes one request, only
//! from the inventory, since nothing else says what that request created.

use paved_core::golden_path::{GoldenPath, Scenario};
use paved_core::{Action, Intent, Plan, Resource, ResourceAction};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

use crate::ipam::Cidr;
use crate::planner::{
    Planner, PlanningContext, PlanningError, Spec, effective_compliance, effective_components,
    resident_region, service_name,
};
use crate::template::{Local, RenderCtx};

/// Words of a modify request that narrow it to kinds of resources ("make the database PCI
/// compliant" changes the database, not the network). Kept here, in one table.
const SCOPE_WORDS: &[(&str, &[&str])] = &[
    (
        "database",
        &[
            "aws_db_instance",
            "aws_db_subnet_group",
            "aws_db_parameter_group",
        ],
    ),
    (
        "db",
        &[
            "aws_db_instance",
            "aws_db_subnet_group",
            "aws_db_parameter_group",
        ],
    ),
    ("postgres", &["aws_db_instance"]),
    ("postgresql", &["aws_db_instance"]),
    ("mysql", &["aws_db_instance"]),
    ("rds", &["aws_db_instance"]),
    (
        "cache",
        &[
            "aws_elasticache_replication_group",
            "aws_elasticache_subnet_group",
        ],
    ),
    (
        "redis",
        &[
            "aws_elasticache_replication_group",
            "aws_elasticache_subnet_group",
        ],
    ),
    (
        "bucket",
        &["aws_s3_bucket", "aws_s3_bucket_public_access_block"],
    ),
    (
        "s3",
        &["aws_s3_bucket", "aws_s3_bucket_public_access_block"],
    ),
    ("table", &["aws_dynamodb_table"]),
    ("dynamodb", &["aws_dynamodb_table"]),
    ("queue", &["aws_sqs_queue"]),
    ("sqs", &["aws_sqs_queue"]),
    (
        "load balancer",
        &[
            "aws_lb",
            "aws_lb_listener",
            "aws_wafv2_web_acl",
            "aws_wafv2_web_acl_association",
        ],
    ),
    (
        "alb",
        &[
            "aws_lb",
            "aws_lb_listener",
            "aws_wafv2_web_acl",
            "aws_wafv2_web_acl_association",
        ],
    ),
    ("function", &["aws_lambda_function"]),
    ("lambda", &["aws_lambda_function"]),
];

pub(crate) fn plan_change(
    planner: &Planner<'_>,
    intent: &Intent,
    ctx: &PlanningContext,
) -> Result<Plan, PlanningError> {
    let catalog = planner.catalog;
    let verb = match intent.action {
        Action::Modify => "change",
        Action::Scale => "scale",
        Action::Delete => "delete",
        Action::Rollback => "roll back",
        Action::Create => "create",
    };
    let target = intent
        .service
        .as_deref()
        .or(intent.details.request_ids.first().map(String::as_str))
        .ok_or_else(|| {
            PlanningError::NeedsAnswer(format!(
                "Which service or request should I {verb}? Name it, e.g. `payment-service` or `req-12345`."
            ))
        })?;

    let matched: Vec<&Resource> = ctx
        .inventory
        .iter()
        .filter(|r| {
            tag(r, "paved:service") == Some(target) || tag(r, "paved:request") == Some(target)
        })
        .collect();
    let env = intent.environment.as_str();
    let in_env: Vec<Resource> = matched
        .iter()
        .filter(|r| tag(r, "environment").is_none_or(|e| e == env))
        .map(|r| (*r).clone())
        .collect();
    if !matched.is_empty() && in_env.is_empty() {
        let envs: BTreeSet<&str> = matched
            .iter()
            .filter_map(|r| tag(r, "environment"))
            .collect();
        // The environment was only assumed and the target lives in exactly one: act there.
        let assumed = intent.assumptions.iter().any(|a| a == crate::understand::ASSUMED_ENVIRONMENT);
        if let (true, [only]) = (assumed, envs.iter().copied().collect::<Vec<_>>().as_slice())
            && let Some(environment) = paved_core::Environment::ALL.into_iter().find(|e| e.as_str() == *only)
        {
            let mut there = intent.clone();
            there.environment = environment;
            there.assumptions.retain(|a| a != crate::understand::ASSUMED_ENVIRONMENT);
            return plan_change(planner, &there, ctx);
        }
        return Err(PlanningError::NeedsAnswer(format!(
            "`{target}` exists only in {}, not in {env}; which environment should I {verb}?",
            envs.into_iter().collect::<Vec<_>>().join(" and ")
        )));
    }

    // The golden path: as recorded on the resources, else the one the intent names, else the one
    // whose keywords the service name carries, else the catalog's fallback.
    let recorded = in_env
        .iter()
        .find_map(|r| tag(r, "paved:golden-path"))
        .and_then(|id| catalog.index_of(id));
    let path_index = recorded
        .or_else(|| {
            intent
                .golden_path
                .as_deref()
                .and_then(|id| catalog.index_of(id))
        })
        .or_else(|| guess_path(&catalog.paths, target))
        .or_else(|| catalog.paths.iter().position(|p| p.fallback))
        .unwrap_or(0);
    let path = &catalog.paths[path_index];

    if in_env.is_empty() && intent.action == Action::Rollback {
        return Err(PlanningError::NeedsAnswer(format!(
            "I found nothing that `{target}` created in {env}; which service or request should I roll back?"
        )));
    }

    // What exists, from the inventory or rebuilt from the path as it would have been created.
    let from_inventory = !in_env.is_empty();
    let existing_cidr = in_env
        .iter()
        .filter(|r| r.kind == "aws_vpc")
        .find_map(|r| r.str_value("cidr_block"))
        .and_then(|c| c.parse::<Cidr>().ok());
    let service = match in_env.iter().find_map(|r| tag(r, "paved:service")) {
        Some(s) => s.to_string(),
        None => service_name(Some(target), &path.default_service),
    };
    let base = Spec {
        path: path_index,
        environment: intent.environment,
        components: base_components(path, intent),
        compliance: if intent.action == Action::Modify {
            Vec::new()
        } else {
            effective_compliance(intent)
        },
        public: intent.details.public,
        // What exists is changed where it exists.
        region: in_env.iter().find_map(|r| tag(r, crate::REGION_TAG)).map(str::to_string).unwrap_or_else(|| resident_region(path, intent)),
        service,
        schedule: intent.schedule.clone(),
        cidr: existing_cidr,
        segment: None,
        // A rebuilt service's network exists already: its CIDR is unknown, never newly allocated.
        allocate: false,
    };
    let current: Vec<Resource> = if from_inventory {
        in_env
    } else {
        planner
            .render(&base, &ctx.allocations)?
            .into_iter()
            .map(|r| r.resource)
            .collect()
    };

    let existing = current.clone();
    let resources = match intent.action {
        Action::Delete | Action::Rollback => delete(planner, path, &base, current),
        Action::Scale => scale(planner, path, intent, current, target)?,
        Action::Modify => modify(planner, path, intent, &base, current, target, ctx.keep_sizes)?,
        Action::Create => Vec::new(),
    };
    planner.finish_with(path, &base, resources, &existing)
}

fn tag<'r>(r: &'r Resource, key: &str) -> Option<&'r str> {
    r.values
        .get("tags")
        .and_then(|t| t.get(key))
        .and_then(Value::as_str)
}

/// Components of the service before the change: the path's defaults, and for scale and delete
/// also what the request names (they act on what is there, so it was there).
fn base_components(path: &GoldenPath, intent: &Intent) -> Vec<paved_core::Component> {
    if intent.action == Action::Modify {
        let mut bare = intent.clone();
        bare.components.clear();
        effective_components(path, &bare)
    } else {
        effective_components(path, intent)
    }
}

/// The path whose single-word keywords appear most among the words of a service name.
fn guess_path(paths: &[GoldenPath], service: &str) -> Option<usize> {
    let words: Vec<String> = service
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let mut best: Option<(usize, usize)> = None;
    for (i, p) in paths.iter().enumerate() {
        let score = p
            .keywords
            .iter()
            .filter(|k| !k.contains(' ') && words.iter().any(|w| w == &k.to_ascii_lowercase()))
            .count();
        if score > 0 && best.is_none_or(|(_, s)| score > s) {
            best = Some((i, score));
        }
    }
    best.map(|(i, _)| i)
}

/// The template a resource of the path came from (per-zone copies carry a `_x` zone suffix).
fn template_of(path: &GoldenPath, r: &Resource) -> Option<usize> {
    path.resources.iter().position(|t| {
        t.kind == r.kind
            && (t.name == r.name
                || (t.per_az
                    && r.name
                        .rsplit_once('_')
                        .is_some_and(|(base, z)| base == t.name && z.len() <= 2)))
    })
}

/// Deletes everything, dependants first: a deletion depends on the deletion of every resource
/// that depended on it, so running the plan in dependency order removes a subnet before its VPC.
fn delete(
    planner: &Planner<'_>,
    path: &GoldenPath,
    base: &Spec,
    current: Vec<Resource>,
) -> Vec<Resource> {
    let addresses: BTreeSet<String> = current.iter().map(|r| r.address.clone()).collect();
    let mut dependants: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in &current {
        for d in &r.depends_on {
            if addresses.contains(d) {
                dependants
                    .entry(d.clone())
                    .or_default()
                    .push(r.address.clone());
            }
        }
    }
    let compiled = &planner.catalog.compiled[base.path];
    let scenario = Scenario {
        golden_path: &path.id,
        environment: base.environment,
        components: &base.components,
        compliance: &base.compliance,
        public: base.public,
    };
    let no_addresses = vec![Vec::new(); compiled.resources.len()];
    let cx = RenderCtx {
        scenario,
        service: &base.service,
        region: &base.region,
        version: &path.version,
        cidr: None,
        segment: None,
        ipam: &planner.catalog.ipam,
        zones: &[],
        schedule: None,
        vars: &compiled.vars,
        addresses: &no_addresses,
    };
    let mut out: Vec<Resource> = current
        .into_iter()
        .map(|mut r| {
            r.action = ResourceAction::Delete;
            r.depends_on = dependants.remove(&r.address).unwrap_or_default();
            if let Some(t) = template_of(path, &r) {
                let mut local = Local {
                    az: None,
                    refs: Vec::new(),
                };
                // on_delete holds plain values (no references); one that cannot render is left out.
                if let Ok(Some(Value::Object(extra))) =
                    cx.render(&compiled.resources[t].on_delete, &mut local)
                {
                    r.values.extend(extra);
                }
            }
            r
        })
        .collect();
    // List dependants first, as they will be deleted.
    let probe = Plan {
        golden_path: None,
        golden_path_version: String::new(),
        environment: base.environment,
        region: base.region.clone(),
        resources: out.clone(),
        estimated_monthly_cost_usd: 0.0,
    };
    if let Ok(order) = probe.topological_order() {
        out = order
            .into_iter()
            .map(|i| probe.resources[i].clone())
            .collect();
    }
    out
}

/// Multiplies the attributes the path marks `on_scale`, and puts requested sizes on the resources
/// they fit.
fn scale(
    planner: &Planner<'_>,
    path: &GoldenPath,
    intent: &Intent,
    current: Vec<Resource>,
    target: &str,
) -> Result<Vec<Resource>, PlanningError> {
    let prefixes = planner.catalog.size_prefixes();
    let mut out = Vec::new();
    for mut r in current {
        let Some(t) = template_of(path, &r) else {
            continue;
        };
        let tpl = &path.resources[t];
        let mut changed = false;
        for (attr, factor) in &tpl.on_scale {
            if let Some(n) = r.values.get(attr).and_then(Value::as_f64) {
                let scaled = (n * factor).ceil().max(n + 1.0);
                r.values.insert(attr.clone(), Value::from(scaled as u64));
                changed = true;
            }
        }
        if let Some(rs) = &tpl.resize {
            for size in &intent.details.requested_sizes {
                let size = size.trim().to_ascii_lowercase();
                let fits = if rs.prefix.is_empty() {
                    size.contains('.') && !prefixes.iter().any(|p| size.starts_with(p))
                } else {
                    size.starts_with(&rs.prefix)
                };
                if fits {
                    r.values.insert(rs.attribute.clone(), Value::String(size));
                    changed = true;
                    break;
                }
            }
        }
        if changed {
            r.action = ResourceAction::Update;
            out.push(r);
        }
    }
    if out.is_empty() {
        return Err(PlanningError::NeedsAnswer(format!(
            "`{target}` has nothing paved knows how to scale; which resource should grow, and to what size or count?"
        )));
    }
    keep_known_dependencies(&mut out);
    Ok(out)
}

/// Brings the service to what the request asks for: resources the change needs are created,
/// resources whose attributes differ are updated; nothing is deleted.
fn modify(
    planner: &Planner<'_>,
    path: &GoldenPath,
    intent: &Intent,
    base: &Spec,
    current: Vec<Resource>,
    target: &str,
    keep_sizes: bool,
) -> Result<Vec<Resource>, PlanningError> {
    let desired_spec = Spec {
        components: effective_components(path, intent),
        compliance: effective_compliance(intent),
        ..base.clone()
    };
    let mut desired = planner.render(&desired_spec, &[])?;
    // Requested sizes apply as they do for a new plan.
    if !intent.details.requested_sizes.is_empty() {
        let mut fake = intent.clone();
        fake.action = Action::Scale;
        let sized = scale(
            planner,
            path,
            &fake,
            desired.iter().map(|r| r.resource.clone()).collect(),
            target,
        )
        .unwrap_or_default();
        for s in sized {
            if let Some(d) = desired.iter_mut().find(|d| d.resource.address == s.address) {
                for rs in path.resources[d.template].resize.iter() {
                    if let Some(v) = s.values.get(&rs.attribute) {
                        d.resource.values.insert(rs.attribute.clone(), v.clone());
                    }
                }
            }
        }
    }
    let scope = scope_types(&intent.details.goal);
    let by_address: BTreeMap<&str, &Resource> =
        current.iter().map(|r| (r.address.as_str(), r)).collect();
    let mut changes: Vec<Resource> = Vec::new();
    for d in &desired {
        let want = &d.resource;
        match by_address.get(want.address.as_str()) {
            None => changes.push(want.clone()),
            Some(have) => {
                let tpl = &path.resources[d.template];
                let chosen = |k: &str| keep_sizes && (tpl.resize.as_ref().is_some_and(|r| r.attribute == k) || tpl.on_scale.contains_key(k));
                let differs: Map<String, Value> = want
                    .values
                    .iter()
                    .filter(|(k, v)| k.as_str() != "tags" && !chosen(k) && have.values.get(*k) != Some(*v))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                if !differs.is_empty() {
                    let mut r = (*have).clone();
                    r.values.extend(differs);
                    r.action = ResourceAction::Update;
                    r.why = if want.why.is_empty() {
                        have.why.clone()
                    } else {
                        want.why.clone()
                    };
                    r.depends_on = want.depends_on.clone();
                    changes.push(r);
                }
            }
        }
    }
    // Narrow to what the request names, plus anything new those changes need.
    if !scope.is_empty() {
        let mut keep: BTreeSet<String> = changes
            .iter()
            .filter(|r| scope.contains(r.kind.as_str()))
            .map(|r| r.address.clone())
            .collect();
        loop {
            let needed: Vec<String> = changes
                .iter()
                .filter(|r| keep.contains(&r.address))
                .flat_map(|r| r.depends_on.iter().cloned())
                .filter(|a| {
                    !keep.contains(a)
                        && changes
                            .iter()
                            .any(|c| &c.address == a && c.action == ResourceAction::Create)
                })
                .collect();
            if needed.is_empty() {
                break;
            }
            keep.extend(needed);
        }
        changes.retain(|r| keep.contains(&r.address));
    }
    if changes.is_empty() {
        return Err(PlanningError::NeedsAnswer(format!(
            "`{target}` already matches what you asked for; what exactly should change?"
        )));
    }
    keep_known_dependencies(&mut changes);
    Ok(changes)
}

/// A change plan lists only what changes; dependencies on resources that exist already and do
/// not change are satisfied, so they are dropped.
fn keep_known_dependencies(resources: &mut [Resource]) {
    let present: BTreeSet<String> = resources.iter().map(|r| r.address.clone()).collect();
    for r in resources.iter_mut() {
        r.depends_on.retain(|d| present.contains(d));
    }
}

fn scope_types(goal: &str) -> BTreeSet<&'static str> {
    let goal = goal.to_ascii_lowercase();
    let words: Vec<&str> = goal
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = BTreeSet::new();
    for (word, types) in SCOPE_WORDS {
        let hit = if word.contains(' ') {
            goal.contains(word)
        } else {
            words.contains(word)
        };
        if hit {
            out.extend(types.iter().copied());
        }
    }
    out
}
