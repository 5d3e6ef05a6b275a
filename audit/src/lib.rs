//! The audit: judges a plan from the user's original words, the plan and the platform team's
//! policies alone, and says whether it may run.
//!
//! The audit trusts nothing the orchestrator says about a plan. It reads the request itself,
//! plans it itself on the shipped golden paths to learn what the request justifies, recomputes
//! every cost from the price table, and evaluates the guardrails as data. The result is a
//! [`Verdict`] bound to the exact plan it judged by hash; [`paved_core::signing::sign_verdict`]
//! signs it with the key from [`keys`].
//!
//! Auditing is a pure function of the request, the plan, the [`AuditContext`] and the policies:
//! the same inputs always give the same verdict, byte for byte.

pub mod engine;
pub mod facts;
pub mod guardrails;
pub mod iam;
pub mod intent_check;
pub mod keys;
pub mod network;
#[cfg(test)]
mod test_support;
#[cfg(feature = "worker")]
pub mod worker;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use paved_core::canonical::{plan_hash, request_hash};
use paved_core::price::{Basis, Estimate, PriceTable};
use paved_core::{
    Action, Check, Finding, Intent, Level, Outcome, Plan, ResourceAction, Verdict, round_cents,
};
use paved_planner::understand::PathHint;
use paved_planner::{Catalog, Planner, PlanningContext, RuleUnderstander, Understander};

pub use guardrails::Guardrails;
pub use intent_check::Reference;

/// Circumstances of an audit that the request and plan do not carry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditContext {
    /// The plan is already (partly) deployed: fixes that move it (a region change) are refused
    /// and vetoed instead.
    pub deployed: bool,
    /// The requester explicitly confirmed the plan's deletions.
    pub confirmed_deletion: bool,
    /// A change-ticket id given alongside the request (`CHG-1234`).
    pub change_ticket: Option<String>,
}

/// How many readings of requests an auditor keeps; a worker sees the same request again when a
/// plan is modified, and a bounded cache keeps memory flat.
const READING_CACHE: usize = 512;

/// The audit's reading of one request: its intent and the reference plan.
struct Reading {
    intent: Intent,
    reference: Reference,
}

/// Judges plans against requests and the policies.
pub struct Auditor<'a> {
    catalog: &'a Catalog,
    guardrails: &'a Guardrails,
    understander: RuleUnderstander,
    readings: Mutex<HashMap<String, Arc<Reading>>>,
}

impl<'a> Auditor<'a> {
    pub fn new(catalog: &'a Catalog, guardrails: &'a Guardrails) -> Self {
        Auditor {
            catalog,
            guardrails,
            understander: RuleUnderstander::with_paths(path_hints(catalog)),
            readings: Mutex::new(HashMap::new()),
        }
    }

    /// Judges `plan` against the original request text and the policies alone. Pure and
    /// deterministic; the verdict is unsigned, with `plan_hash`, `approved_plan_hash` and
    /// `request_hash` filled.
    pub fn audit(&self, request: &str, plan: &Plan, ctx: &AuditContext) -> Verdict {
        self.audit_with_inventory(request, plan, ctx, &[])
    }

    /// Like [`Auditor::audit`], with the resources that already exist. A change plan is a delta:
    /// requirements such as "the PCI segment has flow logs" are then judged on what exists plus
    /// what the plan changes. Without an inventory, a change plan is judged on what it changes.
    pub fn audit_with_inventory(
        &self,
        request: &str,
        plan: &Plan,
        ctx: &AuditContext,
        inventory: &[paved_core::Resource],
    ) -> Verdict {
        let reading = self.reading(request);
        let prices = &self.catalog.prices;
        let mut working = plan.clone();
        let repriced = reprice(&mut working, prices);

        let (mut findings, mut checks) = intent_check::check(
            &reading.intent,
            request,
            &working,
            &reading.reference,
            &self.guardrails.policy().intent_check,
        );
        findings.extend(cost_findings(plan, &repriced, prices));
        checks.push(cost_check(plan, &working, &repriced));

        let facts = facts::Facts::new(request, &reading.intent, ctx).with_inventory(inventory);
        let judgement = engine::evaluate(self.guardrails.policy(), &mut working, &facts, &|p| {
            reprice(p, prices);
        });
        findings.extend(judgement.findings);
        checks.extend(judgement.checks);

        let decision = Verdict::decide(&findings);
        let approvers = if decision == paved_core::Decision::Escalated {
            judgement.approvers
        } else {
            Vec::new()
        };
        Verdict {
            decision,
            findings,
            approvers,
            approved_plan_hash: plan_hash(&working),
            plan: working,
            checks,
            plan_hash: plan_hash(plan),
            request_hash: request_hash(request),
            signature: None,
        }
    }

    /// The audit's own reading of a request, planned once and remembered.
    fn reading(&self, request: &str) -> Arc<Reading> {
        if let Ok(cache) = self.readings.lock()
            && let Some(r) = cache.get(request)
        {
            return Arc::clone(r);
        }
        let reading = Arc::new(self.read(request));
        if let Ok(mut cache) = self.readings.lock() {
            if cache.len() >= READING_CACHE {
                cache.clear();
            }
            cache.insert(request.to_string(), Arc::clone(&reading));
        }
        reading
    }

    fn read(&self, request: &str) -> Reading {
        let mut intent = self.understander.understand(request);
        name_the_target(&mut intent, request);
        let reference = self.reference(&intent);
        Reading { intent, reference }
    }

    /// Plans the audit's own reading on the shipped golden paths: what the request justifies. For
    /// a change (modify, scale), the plan the shipped planner makes against the service as its
    /// golden path builds it says which kinds of resources the change may touch.
    pub fn reference(&self, intent: &Intent) -> Reference {
        if intent.action != Action::Create {
            let changes = match intent.action {
                Action::Modify | Action::Scale if !intent.needs_clarification() => {
                    Planner::new(self.catalog)
                        .plan(intent, &PlanningContext::default())
                        .ok()
                        .flatten()
                }
                _ => None,
            };
            return Reference {
                plan: None,
                why_none: None,
                changes,
            };
        }
        if intent.needs_clarification() {
            return Reference {
                plan: None,
                why_none: Some(intent.clarifications.join(" ")),
                changes: None,
            };
        }
        match Planner::new(self.catalog).plan(intent, &PlanningContext::default()) {
            Ok(Some(mut p)) => {
                reprice(&mut p, &self.catalog.prices);
                Reference {
                    plan: Some(p),
                    why_none: None,
                    changes: None,
                }
            }
            Ok(None) => Reference {
                plan: None,
                why_none: Some("no golden path fits the request".to_string()),
                changes: None,
            },
            Err(e) => Reference {
                plan: None,
                why_none: Some(e.to_string()),
                changes: None,
            },
        }
    }

    /// The audit's reading of a request (for cards and tests).
    pub fn understand(&self, request: &str) -> Intent {
        self.reading(request).intent.clone()
    }
}

/// A change request whose target the understander missed gets it from a hyphenated name followed
/// by a service noun ("scale the production web-app service"). The understander reads a hyphenated
/// word that is also a golden path's keyword ("web-app", paved's own default service name) as the
/// workload it describes unless "the" comes right before it, so "the production web-app service"
/// named nothing and the audit refused every change to it as "scale nothing".
fn name_the_target(intent: &mut Intent, request: &str) {
    if intent.action == Action::Create
        || intent.service.is_some()
        || !intent.details.request_ids.is_empty()
    {
        return;
    }
    let words: Vec<String> = request
        .split(|c: char| {
            c.is_whitespace() || matches!(c, ',' | ';' | '.' | '`' | '"' | '\'' | '(' | ')')
        })
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let is_noun = |w: &str| {
        paved_planner::understand::vocabulary::SERVICE_NOUNS
            .iter()
            .any(|(n, _)| *n == w)
    };
    let found = words.windows(2).find_map(|pair| {
        let (name, next) = (&pair[0], &pair[1]);
        let parts: Vec<&str> = name.split('-').collect();
        (parts.len() >= 2
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()))
            && !paved_planner::understand::looks_like_region(name)
            && is_noun(next))
        .then(|| name.clone())
    });
    if let Some(name) = found {
        let verb = intent.action.as_str();
        intent.service = Some(name.clone());
        intent.details.goal = format!("{verb} {name}");
        // The question asked only because no target was found is answered.
        intent
            .clarifications
            .retain(|q| !q.starts_with("Which service") && !q.starts_with("Which request"));
    }
}

/// What the understander needs from the golden paths: their ids, keywords and default
/// components, read from the catalog the audit was given.
fn path_hints(catalog: &Catalog) -> Vec<PathHint> {
    catalog
        .paths
        .iter()
        .map(|p| PathHint {
            id: p.id.clone(),
            keywords: p.keywords.clone(),
            default_components: p.default_components.clone(),
        })
        .collect()
}

/// What repricing a plan found that the price table could not simply read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Repriced {
    /// Resources the table cannot price at all: they keep the cost the plan states.
    pub unpriced: Vec<String>,
    /// Resources priced by estimate: a size off the table's list, or a family it does not know.
    pub estimated: Vec<Estimated>,
}

/// One resource priced by estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimated {
    pub address: String,
    pub basis: Basis,
    /// What the plan said it costs.
    pub stated: f64,
    /// The estimate: along the size ladder, or the floor of an unknown family.
    pub estimate: f64,
}

/// Recomputes every resource's cost from the price table in the plan's region, and the total.
///
/// A size the table does not list is priced along AWS's size ladder from its family's nearest
/// listed size. A family the table does not know keeps the cost the plan states, but never less
/// than the floor (the cheapest rate per unit of size the table knows): a plan cannot slip a
/// large machine past the cost rules by calling it free. A resource type the table cannot price
/// keeps its stated cost.
pub fn reprice(plan: &mut Plan, prices: &PriceTable) -> Repriced {
    let mut out = Repriced::default();
    let costs: Vec<Option<Estimate>> = plan
        .resources
        .iter()
        .map(|r| prices.estimate_in(r, &plan.region, &plan.resources).ok())
        .collect();
    for (r, cost) in plan.resources.iter_mut().zip(costs) {
        let Some(Estimate { cost, note, basis }) = cost else {
            out.unpriced.push(r.address.clone());
            continue;
        };
        let stated = r.monthly_cost_usd;
        let cost = match basis {
            Basis::Floor { .. } => cost.max(stated),
            _ => cost,
        };
        if basis != Basis::Table && r.action != ResourceAction::Delete {
            out.estimated.push(Estimated {
                address: r.address.clone(),
                basis,
                stated,
                estimate: round_cents(cost),
            });
        }
        if r.action == ResourceAction::Delete {
            r.monthly_cost_usd = 0.0;
            r.cost_note =
                (cost > 0.0).then(|| format!("deleting it saves about ${cost:.2} a month"));
        } else {
            r.monthly_cost_usd = round_cents(cost);
            r.cost_note = note;
        }
    }
    plan.estimated_monthly_cost_usd =
        round_cents(plan.resources.iter().map(|r| r.monthly_cost_usd).sum());
    out
}

/// The rule of findings about costs the audit could not verify.
pub const RULE_UNVERIFIED_COST: &str = "unverified_cost";

/// Findings on costs the price table could not confirm: a warning when the stated cost is kept, a
/// veto when it is below what any machine of that size costs (the cost rules and approvers would
/// judge a number that cannot be true).
fn cost_findings(given: &Plan, repriced: &Repriced, prices: &PriceTable) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in &repriced.estimated {
        let Basis::Floor { size } = &e.basis else {
            continue;
        };
        if e.stated + 0.005 < e.estimate {
            out.push(Finding {
                rule: RULE_UNVERIFIED_COST.to_string(),
                level: Level::Intent,
                outcome: Outcome::Veto,
                resource: Some(e.address.clone()),
                message: format!(
                    "{} is a {size}, a family paved's price table does not know, and the plan says \
                     it costs ${}/month, but anything that size costs at least ${}/month, so its \
                     cost could not be verified.",
                    e.address,
                    engine::money(e.stated),
                    engine::money(e.estimate)
                ),
                suggestion: Some(format!(
                    "Use a size whose price paved knows, or add the published price of {size} to \
                     policies/prices.yaml and state its real cost."
                )),
            });
        } else {
            out.push(Finding {
                rule: RULE_UNVERIFIED_COST.to_string(),
                level: Level::Soft,
                outcome: Outcome::Warn,
                resource: Some(e.address.clone()),
                message: format!(
                    "The cost of {} ({size}, ${}/month as the plan states) could not be verified: \
                     paved's price table does not know that family.",
                    e.address,
                    engine::money(e.stated)
                ),
                suggestion: Some(format!(
                    "Add the published price of {size} to policies/prices.yaml."
                )),
            });
        }
    }
    for address in &repriced.unpriced {
        // Only a sized type the table has no price for (a Redshift cluster's nodes): that is
        // billed by the hour for sure. Types without a size are mostly free glue (rules, ACLs,
        // attachments), and a change plan's reference to a resource it does not carry (an ECS
        // service's existing task definition) is no unknown cost; the check line names them.
        let Some(r) = given.resource(address) else {
            continue;
        };
        let sized = [
            "instance_type",
            "instance_class",
            "node_type",
            "instance_types",
        ]
        .iter()
        .any(|k| r.values.contains_key(*k));
        if r.action == ResourceAction::Delete || prices.knows_type(&r.kind) || !sized {
            continue;
        }
        out.push(Finding {
            rule: RULE_UNVERIFIED_COST.to_string(),
            level: Level::Soft,
            outcome: Outcome::Warn,
            resource: Some(address.clone()),
            message: format!(
                "The cost of {address} (${}/month as the plan states) could not be verified: \
                 paved's price table has no price for {}.",
                engine::money(r.monthly_cost_usd),
                r.kind
            ),
            suggestion: Some(format!(
                "Add the published price of {} to policies/prices.yaml.",
                r.kind
            )),
        });
    }
    out
}

fn cost_check(given: &Plan, repriced: &Plan, report: &Repriced) -> Check {
    let mut summary = format!(
        "Costs recomputed from the price table: ${}/month (the plan stated ${})",
        engine::money(repriced.estimated_monthly_cost_usd),
        engine::money(given.estimated_monthly_cost_usd)
    );
    let ladder: Vec<String> = report
        .estimated
        .iter()
        .filter_map(|e| match &e.basis {
            Basis::Ladder { size, from } => Some(format!("{} ({size} from {from})", e.address)),
            _ => None,
        })
        .collect();
    if !ladder.is_empty() {
        summary.push_str(&format!(
            "; priced along AWS's size ladder: {}",
            ladder.join(", ")
        ));
    }
    let floor: Vec<&str> = report
        .estimated
        .iter()
        .filter(|e| matches!(e.basis, Basis::Floor { .. }))
        .map(|e| e.address.as_str())
        .collect();
    if !floor.is_empty() {
        summary.push_str(&format!(
            "; the price table does not know the family of {}, so at least a floor was counted",
            floor.join(", ")
        ));
    }
    if !report.unpriced.is_empty() {
        summary.push_str(&format!(
            "; the price table cannot price {}, so their stated costs were kept",
            report.unpriced.join(", ")
        ));
    }
    Check {
        rule: "recomputed_costs".to_string(),
        passed: report.unpriced.is_empty() && floor.is_empty(),
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::name_the_target;
    use paved_core::{Action, Intent};

    #[test]
    fn a_hyphenated_name_before_a_service_noun_names_the_target() {
        let mut intent = Intent::empty();
        intent.action = Action::Scale;
        intent.clarifications = vec!["Which service should be scaled?".into()];
        name_the_target(
            &mut intent,
            "scale the production web-app service to 4 tasks",
        );
        assert_eq!(intent.service.as_deref(), Some("web-app"));
        assert!(intent.clarifications.is_empty());
        // A region is no name; a create request keeps its reading.
        let mut intent = Intent::empty();
        intent.action = Action::Scale;
        name_the_target(&mut intent, "scale the eu-west-1 service");
        assert_eq!(intent.service, None);
        let mut intent = Intent::empty();
        name_the_target(&mut intent, "a new web-app service");
        assert_eq!(intent.service, None);
    }
}
