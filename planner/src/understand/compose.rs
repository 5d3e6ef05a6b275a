//! `Facts` → `Intent`: the golden path by score, the path's defaults, the default environment and
//! region, plain-English assumptions, clarifying questions, and a confidence.

use super::PathInfo;
use super::money::Budget;
use super::reading::Facts;
use super::schedule::{self, Schedule};
use super::vocabulary::{self as v, ComponentKind, component_kind};
use paved_core::{Action, Compliance, Component, Environment, Intent, IntentDetails};

pub const ASSUMED_ENVIRONMENT: &str = "Environment assumed production";
/// The machine learning path is non-production only (PRODUCT.md), so that is what is assumed there.
pub const ASSUMED_ML_ENVIRONMENT: &str = "Environment assumed development: the machine learning path is for non-production work";
pub const ASSUMED_REGION: &str = "Region assumed us-east-1 (N. Virginia), the default";
pub const ASSUMED_EU_REGION: &str =
    "Region assumed eu-central-1 (Frankfurt) because the request names the EU but no country";
pub const ASSUMED_GDPR_REGION: &str =
    "Region set to eu-central-1 (Frankfurt) so that personal data stays in the EU under GDPR";
pub const ASSUMED_GDPR: &str =
    "GDPR assumed because the request involves personal data of people in the EU";
pub const ASSUMED_DATABASE: &str = "Database assumed PostgreSQL";
pub const ASSUMED_CACHE: &str = "Cache assumed Redis (ElastiCache), part of the golden path";
pub const ASSUMED_WORKLOAD: &str =
    "Golden path assumed standard_web_app because the request names no workload";

pub const QUESTION_NO_WORKLOAD: &str = "What should paved set up for you: a web app, an API, a data pipeline, a scheduled job or a machine learning workload?";
pub const QUESTION_DELETE_WHICH: &str = "Which service should be deleted, and in which environment (for example payment-service in staging)?";
pub const QUESTION_MODIFY_WHICH: &str =
    "Which service or resource should be changed (for example payment-service or billing-db)?";
pub const QUESTION_SCALE_WHICH: &str =
    "Which service should be scaled, and to roughly how much traffic?";
pub const QUESTION_ROLLBACK_WHICH: &str =
    "Which request should be rolled back (its id looks like req-12345)?";

/// A golden path needs at least this score to be chosen from keywords.
const MIN_PATH_SCORE: f32 = 1.0;
/// An amendment switches golden path only when it names the new one this clearly.
const AMEND_PATH_SWITCH: f32 = 4.0;
/// Two paths closer than this make the choice uncertain.
const CLOSE_CALL: f32 = 1.5;

/// How a component is named in an assumption sentence.
pub fn component_assumption(c: Component) -> &'static str {
    match c {
        Component::Postgres => ASSUMED_DATABASE,
        Component::Mysql => "Database assumed MySQL",
        Component::Dynamodb => "Database assumed DynamoDB",
        Component::Redis => ASSUMED_CACHE,
        Component::S3 => "Storage assumed S3",
        Component::Sqs => "Queue assumed SQS",
        Component::Gpu => "GPU instances assumed for training",
        Component::Lambda => "Compute assumed AWS Lambda",
    }
}

/// Assumptions this module makes itself; an amendment recomputes them instead of carrying them.
fn is_regenerated(text: &str) -> bool {
    text == ASSUMED_ENVIRONMENT
        || text == ASSUMED_ML_ENVIRONMENT
        || text == ASSUMED_REGION
        || text == ASSUMED_WORKLOAD
        || Component::ALL
            .iter()
            .any(|c| component_assumption(*c) == text)
}

/// Assumptions with what each costs in confidence.
#[derive(Default)]
struct Assumptions {
    list: Vec<String>,
    penalty: f64,
}

impl Assumptions {
    fn add(&mut self, text: impl Into<String>, penalty: f64) {
        let text = text.into();
        if !self.list.contains(&text) {
            self.list.push(text);
            self.penalty += penalty;
        }
    }
}

pub fn compose(paths: &[PathInfo], f: Facts) -> Intent {
    let mut a = Assumptions::default();
    let mut questions: Vec<String> = Vec::new();
    let create = f.action == Action::Create;

    // Environment: a deletion never assumes one.
    let ask_delete_env =
        f.action == Action::Delete && f.environment.is_none() && f.service.is_some();
    let mut environment = f.environment.unwrap_or(Environment::Production);
    if f.environment.is_none() && !ask_delete_env {
        a.add(ASSUMED_ENVIRONMENT, 0.10);
    }

    // Compliance, then the region (GDPR pins the data to the EU).
    let mut compliance = f.compliance.clone();
    let eu_region = |r: &Option<String>| r.as_deref().is_some_and(|r| r.starts_with("eu-"));
    if f.personal_data
        && (f.eu || eu_region(&f.region))
        && !compliance.contains(&Compliance::Gdpr)
        && !f.compliance_removed.contains(&Compliance::Gdpr)
    {
        compliance.push(Compliance::Gdpr);
        a.add(ASSUMED_GDPR, 0.03);
    }
    compliance.retain(|c| !f.compliance_removed.contains(c));
    let gdpr = compliance.contains(&Compliance::Gdpr);
    let region = match &f.region {
        Some(r) => r.clone(),
        None if f.eu => {
            a.add(ASSUMED_EU_REGION, 0.03);
            v::DEFAULT_EU_REGION.to_string()
        }
        None if gdpr => {
            a.add(ASSUMED_GDPR_REGION, 0.02);
            v::DEFAULT_EU_REGION.to_string()
        }
        None => {
            a.add(ASSUMED_REGION, 0.02);
            v::DEFAULT_REGION.to_string()
        }
    };
    for n in &f.region_notes {
        a.add(n.clone(), 0.03);
    }

    // Components: what was named, a generic database as PostgreSQL, then the path's defaults.
    let mut components = f.components.clone();
    let mut named_kinds: Vec<ComponentKind> = components
        .iter()
        .chain(f.excluded.iter())
        .map(|c| component_kind(*c))
        .collect();
    if f.container {
        named_kinds.push(ComponentKind::Compute);
    }
    // An off-road database chosen ("a mongodb for the catalog") is the workload's database.
    let own_database = f.off_road.iter().any(|o| v::OFF_ROAD_DATABASES.contains(&o.as_str()));
    if own_database {
        named_kinds.push(ComponentKind::Database);
    }
    let wants_db = f.wants_database || f.wants_relational;
    if wants_db
        && !own_database
        && (create || f.wants_relational)
        && !components
            .iter()
            .any(|c| component_kind(*c) == ComponentKind::Database)
        && !f.excluded.contains(&Component::Postgres)
    {
        components.push(Component::Postgres);
        a.add(ASSUMED_DATABASE, 0.04);
    }
    if wants_db {
        named_kinds.push(ComponentKind::Database);
    }

    // The golden path.
    let mut path: Option<usize> = None;
    if create {
        let idx_of = |id: &str| paths.iter().position(|p| p.id == id);
        let (kw_best, kw_score) = argmax(&f.path_scores);
        if let Some(k) = f.kept_path.filter(|_| kw_score < AMEND_PATH_SWITCH) {
            path = Some(k);
        } else {
            let mut scores = f.path_scores.clone();
            scores.resize(paths.len(), 0.0);
            for c in &components {
                for (nc, pid, w) in v::COMPONENT_PATH_NUDGES {
                    if nc == c
                        && let Some(i) = idx_of(pid)
                    {
                        scores[i] += w;
                    }
                }
            }
            if wants_db && let Some(i) = idx_of(v::GENERIC_DATABASE_NUDGE.0) {
                scores[i] += v::GENERIC_DATABASE_NUDGE.1;
            }
            if f.schedule.is_some()
                && let Some(i) = idx_of(v::SCHEDULE_PATH.0)
            {
                scores[i] += v::SCHEDULE_PATH.1;
            }
            let (best, score) = if f.kept_path.is_some() {
                (kw_best, kw_score)
            } else {
                argmax(&scores)
            };
            if score >= MIN_PATH_SCORE {
                path = Some(best);
                let runner_up = scores
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != best)
                    .map(|(_, s)| *s)
                    .fold(0.0f32, f32::max);
                if runner_up > 0.0 && score - runner_up < CLOSE_CALL {
                    a.penalty += 0.10;
                }
            } else if score > 0.0 {
                // Only the named components point somewhere ("an S3 bucket for backups"): take
                // the path they fit best, and say so.
                path = Some(best);
                a.add(
                    format!(
                        "Golden path assumed {} from the components named, because the request names no workload",
                        paths[best].id
                    ),
                    0.25,
                );
            } else if f.environment_phrase
                || !components.is_empty()
                || wants_db
                || !f.off_road.is_empty()
                || f.container
            {
                path = idx_of(v::FALLBACK_PATH);
                a.add(ASSUMED_WORKLOAD, 0.30);
            } else {
                questions.push(QUESTION_NO_WORKLOAD.to_string());
            }
        }
        if let Some(p) = path
            && f.environment.is_none()
            && paths[p].id == v::NON_PRODUCTION_PATH
        {
            environment = Environment::Development;
            a.list.retain(|t| t != ASSUMED_ENVIRONMENT);
            a.add(ASSUMED_ML_ENVIRONMENT, 0.0);
        }
        if let Some(p) = path {
            for d in &paths[p].defaults {
                if !named_kinds.contains(&component_kind(*d))
                    && !f.excluded.contains(d)
                    && !components.contains(d)
                {
                    components.push(*d);
                    let penalty = if component_kind(*d) == ComponentKind::Database {
                        0.04
                    } else {
                        0.03
                    };
                    a.add(component_assumption(*d), penalty);
                }
            }
        }
    }
    components.retain(|c| !f.excluded.contains(c));

    // Questions for actions on something that exists.
    match f.action {
        Action::Delete => match (&f.service, &f.vague) {
            (None, Some(word)) => questions.push(format!(
                "Which service or resources do you mean by \"{word}\", and in which environment, so that nothing else is deleted?"
            )),
            (None, None) => questions.push(QUESTION_DELETE_WHICH.to_string()),
            (Some(service), _) if ask_delete_env => questions.push(format!(
                "In which environment should {service} be deleted: production, staging or development?"
            )),
            _ => {}
        },
        Action::Modify if f.service.is_none() => questions.push(QUESTION_MODIFY_WHICH.to_string()),
        Action::Scale if f.service.is_none() => questions.push(QUESTION_SCALE_WHICH.to_string()),
        Action::Rollback if f.request_ids.is_empty() => questions.push(QUESTION_ROLLBACK_WHICH.to_string()),
        _ => {}
    }
    if let Some(r) = &f.unknown_region {
        questions.push(format!(
            "\"{r}\" is not an AWS region paved knows; which region should this run in?"
        ));
    }

    // What was read along the way (spelling, budget currency, schedule times).
    for n in f.schedule.iter().flat_map(|s| s.notes.iter()) {
        a.add(n.clone(), 0.02);
    }
    for n in f.budget.iter().flat_map(|b| b.notes.iter()) {
        a.add(n.clone(), 0.03);
    }
    for n in &f.notes {
        a.add(n.clone(), 0.02);
    }

    let mut confidence = 0.97 - a.penalty;
    if !f.recognised {
        confidence = confidence.min(0.10);
    }
    if create && path.is_none() {
        confidence = confidence.min(0.30);
    }
    if !questions.is_empty() {
        confidence = confidence.min(0.45);
    }
    let confidence = (confidence.clamp(0.05, 0.99) * 100.0).round() / 100.0;

    // Deleting or rolling back takes nothing new on board, whatever its names sound like.
    let mut off_road = match f.action {
        Action::Delete | Action::Rollback => Vec::new(),
        _ => f.off_road.clone(),
    };
    off_road.retain(|o| !f.off_road_removed.contains(o));
    let goal = goal(paths, &f, path);
    let mut intent = Intent {
        action: f.action,
        golden_path: path.map(|p| paths[p].id.clone()),
        environment,
        components,
        compliance,
        region,
        off_road,
        schedule: f.schedule.as_ref().map(|s| s.cron.clone()),
        budget_monthly_usd: f.budget.as_ref().map(|b| b.monthly_usd),
        service: f.service.clone(),
        confidence,
        assumptions: a.list,
        clarifications: questions,
        details: IntentDetails {
            goal,
            excluded_components: f.excluded.clone(),
            requested_sizes: f.sizes.clone(),
            change_tickets: f.change_tickets.clone(),
            request_ids: f.request_ids.clone(),
            scale: f.scale.clone(),
            eu_personal_data: gdpr,
            public: f.public.unwrap_or(false),
        },
    };
    intent.normalise();
    intent
}

/// The highest score and its index; ties go to the earlier path.
fn argmax(scores: &[f32]) -> (usize, f32) {
    let mut best = (0, 0.0f32);
    for (i, s) in scores.iter().enumerate() {
        if *s > best.1 {
            best = (i, *s);
        }
    }
    best
}

/// A short summary in the user's own words: "microservice for payment processing".
fn goal(paths: &[PathInfo], f: &Facts, path: Option<usize>) -> String {
    if let Some(g) = &f.goal {
        return g.clone();
    }
    let verb = match f.action {
        Action::Create => None,
        Action::Modify => Some("change"),
        Action::Scale => Some("scale"),
        Action::Delete => Some("delete"),
        Action::Rollback => Some("roll back"),
    };
    if let Some(verb) = verb {
        return match &f.service {
            Some(s) => format!("{verb} {s}"),
            None => format!("{verb} (target not named)"),
        };
    }
    let phrase = path.and_then(|p| f.path_phrases.get(p).cloned().flatten());
    let thing = phrase.or_else(|| path.map(|p| paths[p].id.replace('_', " ")));
    match (thing, &f.purpose) {
        (Some(t), Some(p)) => format!("{t} for {p}"),
        (Some(t), None) => t,
        (None, _) => f.text.chars().take(80).collect(),
    }
}

/// The facts an earlier intent stands for: what it states, with what was assumed left open so
/// that it is worked out again after an amendment.
pub fn facts_from_intent(intent: &Intent, path_ids: &[&str]) -> Facts {
    let assumed = |text: &str| intent.assumptions.iter().any(|x| x == text);
    let components: Vec<Component> = intent
        .components
        .iter()
        .copied()
        .filter(|c| !assumed(component_assumption(*c)))
        .collect();
    let kept_path = if assumed(ASSUMED_WORKLOAD) {
        None
    } else {
        intent
            .golden_path
            .as_deref()
            .and_then(|g| path_ids.iter().position(|p| *p == g))
    };
    Facts {
        action: intent.action,
        action_stated: true,
        environment: (!assumed(ASSUMED_ENVIRONMENT) && !assumed(ASSUMED_ML_ENVIRONMENT)).then_some(intent.environment),
        components,
        wants_database: assumed(ASSUMED_DATABASE),
        excluded: intent.details.excluded_components.clone(),
        compliance: intent.compliance.clone(),
        region: (!assumed(ASSUMED_REGION)).then(|| intent.region.clone()),
        off_road: intent.off_road.clone(),
        path_scores: vec![0.0; path_ids.len()],
        path_phrases: vec![None; path_ids.len()],
        kept_path,
        schedule: intent.schedule.clone().map(|cron| Schedule {
            cron,
            notes: Vec::new(),
        }),
        budget: intent.budget_monthly_usd.map(|monthly_usd| Budget {
            monthly_usd,
            notes: Vec::new(),
            used: Vec::new(),
        }),
        service: intent.service.clone(),
        request_ids: intent.details.request_ids.clone(),
        change_tickets: intent.details.change_tickets.clone(),
        sizes: intent.details.requested_sizes.clone(),
        public: intent.details.public.then_some(true),
        scale: intent.details.scale.clone(),
        notes: intent
            .assumptions
            .iter()
            .filter(|x| !is_regenerated(x))
            .cloned()
            .collect(),
        recognised: true,
        goal: Some(intent.details.goal.clone()).filter(|g| !g.is_empty()),
        ..Facts::default()
    }
}

/// An earlier intent's facts with a follow-up instruction's facts applied.
pub fn merge(base: Facts, delta: Facts) -> Facts {
    let mut m = base;
    if delta.environment.is_some() {
        m.environment = delta.environment;
    }

    // Components: one relational engine at a time; what is ruled out goes, what is named comes.
    if delta.components.iter().any(|c| c.is_relational()) {
        m.components
            .retain(|c| !c.is_relational() || delta.components.contains(c));
        m.wants_database = false;
    }
    if delta
        .components
        .iter()
        .any(|c| component_kind(*c) == ComponentKind::Database)
    {
        m.wants_database = false;
    }
    m.components.retain(|c| !delta.excluded.contains(c));
    m.components.extend(delta.components.iter().copied());
    m.components.sort();
    m.components.dedup();
    m.excluded.retain(|c| !delta.components.contains(c));
    m.excluded.extend(delta.excluded.iter().copied());
    m.excluded.sort();
    m.excluded.dedup();
    m.wants_database |= delta.wants_database;
    m.wants_relational |= delta.wants_relational;
    m.container |= delta.container;

    // Compliance and region.
    m.compliance
        .retain(|c| !delta.compliance_removed.contains(c));
    m.compliance.extend(delta.compliance.iter().copied());
    m.compliance.sort();
    m.compliance.dedup();
    m.compliance_removed = delta.compliance_removed.clone();
    m.personal_data = delta.personal_data;
    m.eu = delta.eu;
    let in_eu = |r: &Option<String>| r.as_deref().is_some_and(|r| r.starts_with("eu-"));
    if delta.region.is_some() {
        m.region = delta.region.clone();
        m.region_notes = delta.region_notes.clone();
        m.notes.retain(|n| !n.starts_with("Region"));
    } else if (delta.eu
        || m.compliance.contains(&Compliance::Gdpr) && delta.compliance.contains(&Compliance::Gdpr))
        && !in_eu(&m.region)
    {
        // Moving the data into the EU is what GDPR asks for; the new region is an assumption.
        m.region = None;
        m.notes.retain(|n| !n.starts_with("Region"));
    }
    m.unknown_region = delta.unknown_region.clone();

    m.off_road.retain(|o| !delta.off_road_removed.contains(o));
    m.off_road.extend(delta.off_road.iter().cloned());
    m.off_road.sort();
    m.off_road.dedup();

    let (best, score) = argmax(&delta.path_scores);
    if score >= AMEND_PATH_SWITCH {
        m.kept_path = Some(best);
    }
    if delta.schedule.is_some() {
        m.schedule = delta.schedule.clone();
        m.notes
            .retain(|n| !schedule::NOTE_PREFIXES.iter().any(|p| n.starts_with(p)));
    }
    if delta.budget.is_some() {
        m.budget = delta.budget.clone();
        m.notes
            .retain(|n| !n.starts_with(super::money::NOTE_PREFIX));
    }
    if delta.service.is_some() {
        m.service = delta.service.clone();
    }
    for id in &delta.request_ids {
        if !m.request_ids.contains(id) {
            m.request_ids.push(id.clone());
        }
    }
    for t in &delta.change_tickets {
        if !m.change_tickets.contains(t) {
            m.change_tickets.push(t.clone());
        }
    }
    // A new size replaces an earlier one of the same kind (db., cache., ml., or EC2).
    for s in &delta.sizes {
        let class = size_class(s);
        m.sizes.retain(|old| size_class(old) != class);
        m.sizes.push(s.clone());
    }
    if delta.public.is_some() {
        m.public = delta.public;
    }
    if delta.scale.is_some() {
        m.scale = delta.scale.clone();
    }
    m.vague = delta.vague.clone();
    m.notes.extend(delta.notes.iter().cloned());
    m
}

fn size_class(size: &str) -> &str {
    match size.split_once('.') {
        Some((prefix @ ("db" | "cache" | "ml"), _)) => prefix,
        _ => "ec2",
    }
}
