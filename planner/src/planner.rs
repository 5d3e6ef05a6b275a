//! From an Intent to a Plan on a golden path: pick the path's resources for the intent, fill them
//! in (environment, components, compliance, region, sizes, network), tag, price and check them.

use paved_core::golden_path::{GoldenPath, Scenario};
use paved_core::price::PriceError;
use paved_core::{
    Action, Compliance, Component, Environment, Intent, Plan, PlanError, Resource, ResourceAction,
};
use serde_json::{Map, Value};

use crate::catalog::Catalog;
use crate::change;
use crate::ipam::{Cidr, IpamAllocation, IpamError};
use crate::schedule::{self, ScheduleError};
use crate::template::{Local, RenderCtx, push_unique};

/// What planning needs to know about the world: IPAM allocations already made and the resources
/// that already exist (for modify, scale, delete and rollback). Later the database supplies both.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanningContext {
    pub allocations: Vec<IpamAllocation>,
    /// Existing resources, as they exist (action `create`), tagged `paved:service`.
    pub inventory: Vec<Resource>,
    /// A modification that brings what exists to the golden path as it is now (an upgrade):
    /// sizes and counts people chose since (the attributes a path marks `resize` and
    /// `on_scale`) stay as they are.
    pub keep_sizes: bool,
}

/// Why an intent could not be planned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanningError {
    /// The plan needs an answer from the user; the text is the question to ask.
    #[error("{0}")]
    NeedsAnswer(String),
    #[error("the intent names golden path `{0}`, which the catalog does not have")]
    UnknownGoldenPath(String),
    #[error(transparent)]
    Ipam(#[from] IpamError),
    #[error(transparent)]
    Price(#[from] PriceError),
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    #[error("golden path `{path}` could not be filled in: {message}")]
    Template { path: String, message: String },
    #[error("golden path `{path}` produced an invalid plan: {source}")]
    InvalidPlan { path: String, source: PlanError },
}

/// Plans intents on a catalog's golden paths. Pure: the same intent, context and catalog always
/// give the same plan.
#[derive(Debug, Clone, Copy)]
pub struct Planner<'a> {
    pub(crate) catalog: &'a Catalog,
}

/// The facts one rendering of a golden path is made from.
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    pub path: usize,
    pub environment: Environment,
    pub components: Vec<Component>,
    pub compliance: Vec<Compliance>,
    pub public: bool,
    pub region: String,
    pub service: String,
    pub schedule: Option<String>,
    pub cidr: Option<Cidr>,
    pub segment: Option<String>,
    /// IPAM allocates a CIDR when the rendered resources need one and `cidr` is not given.
    pub allocate: bool,
}

/// A rendered resource and the template it came from.
pub(crate) struct Rendered {
    pub template: usize,
    pub resource: Resource,
}

impl<'a> Planner<'a> {
    pub fn new(catalog: &'a Catalog) -> Self {
        Planner { catalog }
    }

    /// Plans an intent. `None` when the intent still has questions to answer.
    pub fn plan(
        &self,
        intent: &Intent,
        ctx: &PlanningContext,
    ) -> Result<Option<Plan>, PlanningError> {
        if intent.needs_clarification() {
            return Ok(None);
        }
        match intent.action {
            Action::Create => self.plan_create(intent, ctx).map(Some),
            Action::Modify | Action::Scale | Action::Delete | Action::Rollback => {
                change::plan_change(self, intent, ctx).map(Some)
            }
        }
    }

    /// Notes the golden path attaches to a plan of this intent ("non-production only: ...").
    pub fn notes(&self, intent: &Intent) -> Vec<String> {
        let Some(path) = intent
            .golden_path
            .as_deref()
            .and_then(|id| self.catalog.path(id))
        else {
            return Vec::new();
        };
        let components = effective_components(path, intent);
        let compliance = effective_compliance(intent);
        let s = Scenario {
            golden_path: &path.id,
            environment: intent.environment,
            components: &components,
            compliance: &compliance,
            public: intent.details.public,
        };
        path.notes
            .iter()
            .filter(|n| n.when.holds(&s))
            .map(|n| n.text.clone())
            .collect()
    }

    fn plan_create(&self, intent: &Intent, ctx: &PlanningContext) -> Result<Plan, PlanningError> {
        let Some(id) = intent.golden_path.as_deref() else {
            let names: Vec<&str> = self.catalog.paths.iter().map(|p| p.name.as_str()).collect();
            return Err(PlanningError::NeedsAnswer(format!(
                "Which kind of workload is this: {}?",
                names.join(", ")
            )));
        };
        let index = self
            .catalog
            .index_of(id)
            .ok_or_else(|| PlanningError::UnknownGoldenPath(id.to_string()))?;
        let path = &self.catalog.paths[index];
        let spec = Spec {
            path: index,
            environment: intent.environment,
            components: effective_components(path, intent),
            compliance: effective_compliance(intent),
            public: intent.details.public,
            region: resident_region(path, intent),
            service: service_name(intent.service.as_deref(), &path.default_service),
            schedule: intent.schedule.clone(),
            cidr: None,
            segment: None,
            allocate: true,
        };
        let mut rendered = self.render(&spec, &ctx.allocations)?;
        self.apply_sizes(
            path,
            &mut rendered,
            &intent.details.requested_sizes,
            &spec.region,
        )?;
        let resources = rendered.into_iter().map(|r| r.resource).collect();
        self.finish(path, &spec, resources)
    }

    /// Prices and checks a plan.
    pub(crate) fn finish(
        &self,
        path: &GoldenPath,
        spec: &Spec,
        resources: Vec<Resource>,
    ) -> Result<Plan, PlanningError> {
        self.finish_with(path, spec, resources, &[])
    }

    /// Prices and checks a plan that changes part of `existing`.
    pub(crate) fn finish_with(
        &self,
        path: &GoldenPath,
        spec: &Spec,
        resources: Vec<Resource>,
        existing: &[Resource],
    ) -> Result<Plan, PlanningError> {
        let mut plan = Plan {
            golden_path: Some(path.id.clone()),
            golden_path_version: path.version.clone(),
            environment: spec.environment,
            region: spec.region.clone(),
            resources,
            estimated_monthly_cost_usd: 0.0,
        };
        paved_core::price::price_plan_with(&mut plan, &self.catalog.prices, existing)?;
        plan.validate()
            .map_err(|source| PlanningError::InvalidPlan {
                path: path.id.clone(),
                source,
            })?;
        Ok(plan)
    }

    /// Renders the golden path of `spec` into resources, allocating a VPC CIDR when needed.
    pub(crate) fn render(
        &self,
        spec: &Spec,
        allocations: &[IpamAllocation],
    ) -> Result<Vec<Rendered>, PlanningError> {
        let catalog = self.catalog;
        let path = &catalog.paths[spec.path];
        let compiled = &catalog.compiled[spec.path];
        let ipam = &catalog.ipam;
        catalog.prices.check_region(&spec.region)?;
        let scenario = Scenario {
            golden_path: &path.id,
            environment: spec.environment,
            components: &spec.components,
            compliance: &spec.compliance,
            public: spec.public,
        };
        let az_count = usize::from(
            path.availability_zones
                .get(spec.environment)
                .min(ipam.max_azs),
        );
        let zones = ipam.zones(&spec.region, az_count);
        let included: Vec<bool> = compiled
            .resources
            .iter()
            .map(|r| r.included(&scenario))
            .collect();
        let addresses: Vec<Vec<String>> = compiled
            .resources
            .iter()
            .zip(&included)
            .map(|(r, &inc)| match (inc, r.per_az) {
                (false, _) => Vec::new(),
                (true, false) => vec![format!("{}.{}", r.kind, r.name)],
                (true, true) => zones
                    .iter()
                    .map(|z| format!("{}.{}_{}", r.kind, r.name, zone_letter(z, &spec.region)))
                    .collect(),
            })
            .collect();
        let needs_network = compiled
            .resources
            .iter()
            .zip(&included)
            .any(|(r, &inc)| inc && r.uses_network);
        let (cidr, segment) = match (spec.cidr, needs_network && spec.allocate) {
            (Some(c), _) => (Some(c), spec.segment.clone()),
            (None, true) => {
                let segment = ipam.segment_for(&scenario).to_string();
                let owner = format!("{}/{}", spec.service, spec.environment);
                let a = ipam.allocate(&segment, allocations, &owner)?;
                let cidr = a
                    .cidr
                    .parse::<Cidr>()
                    .map_err(|e| PlanningError::Template {
                        path: path.id.clone(),
                        message: e.to_string(),
                    })?;
                (Some(cidr), Some(segment))
            }
            (None, false) => (None, spec.segment.clone()),
        };
        let schedule = match spec
            .schedule
            .as_deref()
            .or(path.default_schedule.as_deref())
        {
            Some(s) => Some(schedule::to_eventbridge(s)?),
            None => None,
        };
        let cx = RenderCtx {
            scenario,
            service: &spec.service,
            region: &spec.region,
            version: &path.version,
            cidr,
            segment: segment.as_deref(),
            ipam,
            zones: &zones,
            schedule: schedule.as_deref(),
            vars: &compiled.vars,
            addresses: &addresses,
        };
        let fail = |message: String| PlanningError::Template {
            path: path.id.clone(),
            message,
        };
        let mut out = Vec::new();
        for (t, r) in compiled.resources.iter().enumerate() {
            if !included[t] {
                continue;
            }
            for (copy, address) in addresses[t].iter().enumerate() {
                let mut local = Local {
                    az: r.per_az.then_some(copy),
                    refs: Vec::new(),
                };
                let values = match cx
                    .render(&r.values, &mut local)
                    .map_err(|m| fail(format!("{address}: {m}")))?
                {
                    Some(Value::Object(m)) => m,
                    _ => Map::new(),
                };
                let why = cx
                    .render_string(&r.why, &mut local)
                    .map_err(|m| fail(format!("{address}: {m}")))?;
                let mut depends_on = Vec::new();
                for &d in &r.depends_on {
                    let copies = &addresses[d];
                    if r.per_az && compiled.resources[d].per_az {
                        if let Some(a) = copies.get(copy) {
                            push_unique(&mut depends_on, a);
                        }
                    } else {
                        for a in copies {
                            push_unique(&mut depends_on, a);
                        }
                    }
                }
                for a in &local.refs {
                    push_unique(&mut depends_on, a);
                }
                depends_on.retain(|a| a != address);
                let name = address.split_once('.').map(|(_, n)| n).unwrap_or(&r.name);
                let mut resource = Resource::new(&r.kind, name, ResourceAction::Create);
                resource.values = values;
                resource.depends_on = depends_on;
                resource.why = why;
                tag(&mut resource, path, spec);
                out.push(Rendered {
                    template: t,
                    resource,
                });
            }
        }
        Ok(out)
    }

    /// Puts the sizes the user asked for on the resources they fit (`db.t3.medium` → the DB).
    fn apply_sizes(
        &self,
        path: &GoldenPath,
        rendered: &mut [Rendered],
        sizes: &[String],
        region: &str,
    ) -> Result<(), PlanningError> {
        if sizes.is_empty() {
            return Ok(());
        }
        let prefixes = self.catalog.size_prefixes();
        let mut resized: Vec<usize> = Vec::new();
        for size in sizes {
            let size = size.trim().to_ascii_lowercase();
            let fits = |prefix: &str| {
                if prefix.is_empty() {
                    size.contains('.') && !prefixes.iter().any(|p| size.starts_with(p))
                } else {
                    size.starts_with(prefix)
                }
            };
            let Some(i) = rendered.iter().position(|r| {
                path.resources[r.template]
                    .resize
                    .as_ref()
                    .is_some_and(|rs| fits(&rs.prefix))
            }) else {
                continue;
            };
            // Every copy of the same template gets the size (a per-zone instance, say).
            let template = rendered[i].template;
            let Some(rs) = &path.resources[template].resize else {
                continue;
            };
            for (j, r) in rendered.iter_mut().enumerate() {
                if r.template == template {
                    r.resource
                        .values
                        .insert(rs.attribute.clone(), Value::String(size.clone()));
                    resized.push(j);
                }
            }
        }
        let all: Vec<Resource> = rendered.iter().map(|r| r.resource.clone()).collect();
        for &j in &resized {
            let r = &rendered[j].resource;
            if let Err(PriceError::UnknownRate { key, .. }) =
                self.catalog.prices.resource_cost_in(r, region, &all)
            {
                return Err(PlanningError::NeedsAnswer(format!(
                    "paved has no price for `{key}` on {}; which size should it use instead?",
                    r.address
                )));
            }
        }
        Ok(())
    }
}

fn zone_letter<'z>(zone: &'z str, region: &str) -> &'z str {
    zone.strip_prefix(region).unwrap_or(zone)
}

/// Adds the tags every resource carries.
fn tag(r: &mut Resource, path: &GoldenPath, spec: &Spec) {
    let mut tags = match r.values.remove("tags") {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let name = format!(
        "{}-{}-{}",
        spec.service,
        spec.environment.short(),
        r.name.replace('_', "-")
    );
    tags.entry("Name").or_insert(Value::String(name));
    tags.insert("paved:service".into(), Value::String(spec.service.clone()));
    tags.insert("paved:golden-path".into(), Value::String(path.id.clone()));
    tags.insert(
        "paved:golden-path-version".into(),
        Value::String(path.version.clone()),
    );
    tags.insert(
        "environment".into(),
        Value::String(spec.environment.as_str().into()),
    );
    tags.insert("managed-by".into(), Value::String("paved".into()));
    if !spec.compliance.is_empty() {
        let c: Vec<&str> = spec.compliance.iter().map(|c| c.as_str()).collect();
        tags.insert("paved:compliance".into(), Value::String(c.join(",")));
    }
    r.values.insert("tags".into(), Value::Object(tags));
}

/// The components a plan on `path` has: the intent's, plus the path's defaults that the intent did
/// not rule out. A default data store gives way to one the intent names: a web app "with MySQL"
/// gets MySQL instead of the default PostgreSQL, an API "on Postgres" no default DynamoDB.
pub(crate) fn effective_components(path: &GoldenPath, intent: &Intent) -> Vec<Component> {
    let is_store = |c: &Component| c.is_relational() || *c == Component::Dynamodb;
    // Only a store the path can build displaces its default one; otherwise the request would end
    // up with no store at all.
    let names_store = intent
        .components
        .iter()
        .any(|c| is_store(c) && builds(path, *c));
    let mut out = intent.components.clone();
    for d in &path.default_components {
        if intent.details.excluded_components.contains(d) || (is_store(d) && names_store) {
            continue;
        }
        out.push(*d);
    }
    out.retain(|c| {
        !intent.details.excluded_components.contains(c) || intent.components.contains(c)
    });
    out.sort();
    out.dedup();
    out
}

/// Whether some resource of the path is made for this component.
fn builds(path: &GoldenPath, c: Component) -> bool {
    fn mentions(cond: &paved_core::Condition, c: Component) -> bool {
        cond.any_component.contains(&c) || cond.any_of.iter().any(|a| mentions(a, c))
    }
    path.resources
        .iter()
        .any(|r| r.when.as_ref().is_some_and(|w| mentions(w, c)))
}

/// The compliance regimes of an intent; EU personal data is GDPR even when the word was not said.
pub(crate) fn effective_compliance(intent: &Intent) -> Vec<Compliance> {
    let mut c = intent.compliance.clone();
    if intent.details.eu_personal_data {
        c.push(Compliance::Gdpr);
    }
    c.sort();
    c.dedup();
    c
}

/// The region to plan in: the intent's, unless a data-residency rule of the path moves it.
pub(crate) fn resident_region(path: &GoldenPath, intent: &Intent) -> String {
    let compliance = effective_compliance(intent);
    for rule in &path.data_residency {
        if compliance.contains(&rule.compliance) && !intent.region.starts_with(&rule.region_prefix)
        {
            return rule.default_region.clone();
        }
    }
    intent.region.clone()
}

/// A service name fit for resource identifiers: lower case, letters, digits and dashes, starting
/// with a letter, at most 40 characters.
pub(crate) fn service_name(requested: Option<&str>, default: &str) -> String {
    let mut out = String::new();
    for ch in requested.unwrap_or(default).chars() {
        let ch = ch.to_ascii_lowercase();
        if ch.is_ascii_alphanumeric() {
            out.push(ch);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        return default.to_string();
    }
    if !out.starts_with(|c: char| c.is_ascii_lowercase()) {
        out.insert_str(0, "svc-");
    }
    out.truncate(40);
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names_are_identifier_safe() {
        assert_eq!(
            service_name(Some("Payment Service"), "web"),
            "payment-service"
        );
        assert_eq!(service_name(Some("billing_db"), "web"), "billing-db");
        assert_eq!(service_name(Some("42-things"), "web"), "svc-42-things");
        assert_eq!(service_name(Some("!!!"), "web"), "web");
        assert_eq!(service_name(None, "web-app"), "web-app");
        assert!(service_name(Some(&"x".repeat(100)), "w").len() <= 40);
    }
}
