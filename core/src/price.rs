//! The offline price table (`policies/prices.yaml`) and the pricing of plans.
//!
//! A price table lists, per Terraform resource type, the charges a resource of that type incurs.
//! A charge is a rate (flat, or chosen by attribute values such as `engine` and `instance_class`)
//! times a quantity (a product of factors read from the resource's attributes or assumed usage
//! stated in the table). The numbers are data; adding a resource type or an instance class needs
//! no Rust change.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

use crate::plan::{Plan, Resource, ResourceAction, round_cents};
use crate::policy::{PolicyError, line_of};

/// The whole price table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceTable {
    /// Always `USD`.
    pub currency: String,
    /// Hours billed in a month (730).
    pub hours_per_month: f64,
    /// What kind of prices these are ("on-demand, Linux").
    pub basis: String,
    /// When the table was last brought up to date.
    pub as_of: String,
    /// Regions priced, with the multiplier applied to the base (us-east-1) rates.
    pub regions: BTreeMap<String, RegionPricing>,
    /// Resource types that cost nothing by themselves (VPCs, subnets, security groups, roles).
    pub free_types: Vec<String>,
    /// Resource types with a price.
    pub types: BTreeMap<String, TypePricing>,
}

/// How a region's prices relate to the base rates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionPricing {
    pub multiplier: f64,
    /// True when the multiplier is derived rather than read from the region's own price list.
    pub derived: bool,
    /// Where the multiplier comes from.
    pub basis: String,
}

/// The charges of one resource type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypePricing {
    pub charges: Vec<Charge>,
}

/// The unit a rate is quoted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateUnit {
    /// Per hour; multiplied by the table's hours per month.
    Hour,
    /// Per month.
    Month,
}

/// One line of a resource's bill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Charge {
    /// What is billed ("instance hours", "storage").
    pub what: String,
    pub unit: RateUnit,
    /// A flat rate in USD per unit.
    #[serde(default)]
    pub rate: Option<f64>,
    /// Attribute paths whose values, joined with `/`, select the rate from `rates`.
    #[serde(default)]
    pub rate_by: Vec<String>,
    /// Rates keyed by the values of `rate_by` (`postgres/db.r5.large`).
    #[serde(default)]
    pub rates: BTreeMap<String, f64>,
    /// Factors multiplied together to give the quantity billed; none means one.
    #[serde(default)]
    pub quantity: Vec<Factor>,
    /// The usage assumed, in plain English, when the charge depends on use.
    #[serde(default)]
    pub note: Option<String>,
    /// Bills only when an attribute has one of some values (a DynamoDB table's `billing_mode`).
    #[serde(default)]
    pub when: Option<When>,
    pub source: String,
    pub as_of: String,
}

/// The condition of a charge that applies to one way of billing a resource only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    /// The attribute read (a path, as in `rate_by`).
    pub attribute: String,
    /// The values, compared without regard to case, under which the charge applies.
    #[serde(rename = "in")]
    pub one_of: Vec<String>,
    /// The value taken when the attribute is absent.
    #[serde(default)]
    pub default: Option<String>,
}

/// How a resource's price was found.
#[derive(Debug, Clone, PartialEq)]
pub enum Basis {
    /// Every rate was in the table.
    Table,
    /// A size the table does not list, scaled along AWS's size ladder from the nearest size of the
    /// same family that it does list (AWS prices a family in proportion to size).
    Ladder { size: String, from: String },
    /// A family the table does not know at all: the cheapest rate per unit of size of the families
    /// it knows, times the size. A floor, not a price: the real cost is at least this.
    Floor { size: String },
}

/// A resource priced by [`PriceTable::estimate_in`].
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    pub cost: f64,
    pub note: Option<String>,
    pub basis: Basis,
}

/// One factor of a charge's quantity. Exactly one of `attribute` and `assume` is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factor {
    /// An attribute path: `a.b.0.c` walks objects and lists; `x->y` follows the reference held in
    /// attribute `x` (`aws_ecs_task_definition.app.arn`) to that resource and reads its `y`.
    #[serde(default)]
    pub attribute: Option<String>,
    /// A usage figure assumed (requests per month, GB stored); the charge's note states it.
    #[serde(default)]
    pub assume: Option<f64>,
    /// Divides the attribute's number (`cpu: 2048` / 1024 = 2 vCPU).
    #[serde(default)]
    pub divide_by: Option<f64>,
    /// The number used when the attribute is absent.
    #[serde(default)]
    pub default: Option<f64>,
    /// For a boolean attribute: the factor when it is true (false or absent gives 1).
    #[serde(default)]
    pub if_true: Option<f64>,
    /// For a list attribute: count its items.
    #[serde(default)]
    pub count_items: bool,
}

/// Why a resource could not be priced.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PriceError {
    #[error("the price table has no region `{region}`; priced regions are {known}")]
    UnknownRegion { region: String, known: String },
    #[error(
        "the price table has no price for resource type `{0}`; add it to prices.yaml or to its free_types"
    )]
    UnpricedType(String),
    #[error(
        "the price table has no {what} rate for `{key}` on `{kind}` ({attribute}); add it to prices.yaml"
    )]
    UnknownRate {
        kind: String,
        what: String,
        attribute: String,
        key: String,
    },
    #[error("`{address}` has no usable `{attribute}` to price its {what}")]
    MissingAttribute {
        address: String,
        attribute: String,
        what: String,
    },
    #[error("`{address}` refers through `{attribute}` to a resource that is not in the plan")]
    UnresolvedReference { address: String, attribute: String },
}

impl PriceTable {
    /// Parses and checks a price table.
    pub fn parse(file: &str, text: &str) -> Result<PriceTable, PolicyError> {
        let table: PriceTable = crate::policy::parse_yaml(file, text)?;
        table.check(file, text)?;
        Ok(table)
    }

    fn check(&self, file: &str, text: &str) -> Result<(), PolicyError> {
        let err = |key: &str, field: &str, msg: String| {
            PolicyError::new(file, line_of(text, key, 1), Some(field), msg)
        };
        if !(self.hours_per_month.is_finite() && self.hours_per_month > 0.0) {
            return Err(err(
                "hours_per_month",
                "hours_per_month",
                "must be a positive number of hours".into(),
            ));
        }
        if self.regions.is_empty() {
            return Err(err(
                "regions",
                "regions",
                "at least one region must be priced".into(),
            ));
        }
        for (name, r) in &self.regions {
            if !(r.multiplier.is_finite() && r.multiplier > 0.0) {
                return Err(err(
                    name,
                    "multiplier",
                    format!("region `{name}` needs a positive multiplier"),
                ));
            }
        }
        for t in &self.free_types {
            if self.types.contains_key(t) {
                return Err(err(
                    t,
                    "free_types",
                    format!("`{t}` is both free and priced; keep one"),
                ));
            }
        }
        for (kind, tp) in &self.types {
            let at = line_of(text, kind, 1).unwrap_or(1);
            let here =
                |field: &str, msg: String| PolicyError::new(file, Some(at), Some(field), msg);
            if tp.charges.is_empty() {
                return Err(here(
                    "charges",
                    format!("`{kind}` has no charges; list them or move it to free_types"),
                ));
            }
            for c in &tp.charges {
                match (c.rate, c.rates.is_empty()) {
                    (Some(_), false) => {
                        return Err(here(
                            "rates",
                            format!(
                                "charge `{}` of `{kind}` has both `rate` and `rates`; keep one",
                                c.what
                            ),
                        ));
                    }
                    (None, true) => {
                        return Err(here(
                            "rate",
                            format!("charge `{}` of `{kind}` needs a `rate` or `rates`", c.what),
                        ));
                    }
                    _ => {}
                }
                if c.rates.is_empty() != c.rate_by.is_empty() {
                    return Err(here(
                        "rate_by",
                        format!(
                            "charge `{}` of `{kind}`: `rates` and `rate_by` go together",
                            c.what
                        ),
                    ));
                }
                if let Some(w) = &c.when
                    && (w.attribute.is_empty() || w.one_of.is_empty())
                {
                    return Err(here(
                        "when",
                        format!(
                            "charge `{}` of `{kind}`: `when` needs an `attribute` and the values it applies `in`",
                            c.what
                        ),
                    ));
                }
                for (key, rate) in &c.rates {
                    if key.split('/').count() != c.rate_by.len() {
                        return Err(here(
                            "rates",
                            format!(
                                "rate key `{key}` of `{kind}` needs {} part(s) separated by `/`, one per rate_by attribute",
                                c.rate_by.len()
                            ),
                        ));
                    }
                    if !(rate.is_finite() && *rate >= 0.0) {
                        return Err(here(
                            "rates",
                            format!("rate `{key}` of `{kind}` must be a non-negative number"),
                        ));
                    }
                }
                if let Some(rate) = c.rate
                    && !(rate.is_finite() && rate >= 0.0)
                {
                    return Err(here(
                        "rate",
                        format!(
                            "charge `{}` of `{kind}` must have a non-negative rate",
                            c.what
                        ),
                    ));
                }
                for f in &c.quantity {
                    if f.attribute.is_some() == f.assume.is_some() {
                        return Err(here(
                            "quantity",
                            format!(
                                "each quantity factor of `{kind}` ({}) needs exactly one of `attribute` and `assume`",
                                c.what
                            ),
                        ));
                    }
                    // The note may sit on another charge of the same type when they share the
                    // assumption (reads, writes and storage of one table).
                    if f.assume.is_some() && tp.charges.iter().all(|c| c.note.is_none()) {
                        return Err(here(
                            "note",
                            format!(
                                "charge `{}` of `{kind}` assumes usage, so it needs a `note` that states it",
                                c.what
                            ),
                        ));
                    }
                    if f.divide_by.is_some_and(|d| d == 0.0) {
                        return Err(here(
                            "divide_by",
                            format!("`divide_by` of `{kind}` must not be zero"),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// True when resources of this type are priced (possibly at zero).
    pub fn knows_type(&self, kind: &str) -> bool {
        self.types.contains_key(kind) || self.is_free(kind)
    }

    pub fn is_free(&self, kind: &str) -> bool {
        self.free_types.iter().any(|t| t == kind)
    }

    fn region(&self, region: &str) -> Result<&RegionPricing, PriceError> {
        self.regions
            .get(region)
            .ok_or_else(|| PriceError::UnknownRegion {
                region: region.to_string(),
                known: self.regions.keys().cloned().collect::<Vec<_>>().join(", "),
            })
    }

    /// Checks that the region is priced.
    pub fn check_region(&self, region: &str) -> Result<(), PriceError> {
        self.region(region).map(|_| ())
    }

    /// Prices one resource: (monthly USD rounded to cents, optional note on the usage assumed).
    ///
    /// References to other resources (`task_definition->cpu`) can only be followed by
    /// [`price_plan`], which sees the whole plan.
    pub fn resource_cost(
        &self,
        r: &Resource,
        region: &str,
    ) -> Result<(f64, Option<String>), PriceError> {
        self.resource_cost_in(r, region, std::slice::from_ref(r))
    }

    /// Prices one resource of a plan; `plan` is every resource, for following references.
    pub fn resource_cost_in(
        &self,
        r: &Resource,
        region: &str,
        plan: &[Resource],
    ) -> Result<(f64, Option<String>), PriceError> {
        self.cost(r, region, plan, false).map(|e| (e.cost, e.note))
    }

    /// Like [`PriceTable::resource_cost_in`], and when the table lists no rate for a resource's
    /// size: a size of a family it knows is scaled along AWS's size ladder from the nearest size
    /// it lists; a family it does not know gets a floor, the cheapest rate per unit of size the
    /// table knows for that charge. [`Estimate::basis`] says which.
    pub fn estimate_in(
        &self,
        r: &Resource,
        region: &str,
        plan: &[Resource],
    ) -> Result<Estimate, PriceError> {
        self.cost(r, region, plan, true)
    }

    fn cost(
        &self,
        r: &Resource,
        region: &str,
        plan: &[Resource],
        estimate: bool,
    ) -> Result<Estimate, PriceError> {
        let multiplier = self.region(region)?.multiplier;
        if self.is_free(&r.kind) {
            return Ok(Estimate {
                cost: 0.0,
                note: None,
                basis: Basis::Table,
            });
        }
        let tp = self
            .types
            .get(&r.kind)
            .ok_or_else(|| PriceError::UnpricedType(r.kind.clone()))?;
        let mut total = 0.0;
        let mut notes: Vec<String> = Vec::new();
        let mut basis = Basis::Table;
        for c in &tp.charges {
            if let Some(w) = &c.when {
                let value = match lookup(r, &w.attribute, plan)? {
                    Some(Value::String(s)) => Some(s.clone()),
                    Some(Value::Number(n)) => Some(n.to_string()),
                    Some(Value::Bool(b)) => Some(b.to_string()),
                    _ => w.default.clone(),
                };
                if !value.is_some_and(|v| w.one_of.iter().any(|o| o.eq_ignore_ascii_case(&v))) {
                    continue;
                }
            }
            let rate = match c.rate {
                Some(rate) => rate,
                None => {
                    let mut parts = Vec::with_capacity(c.rate_by.len());
                    for attr in &c.rate_by {
                        match lookup(r, attr, plan)? {
                            Some(Value::String(s)) => parts.push(s.clone()),
                            Some(Value::Number(n)) => parts.push(n.to_string()),
                            _ => {
                                return Err(PriceError::MissingAttribute {
                                    address: r.address.clone(),
                                    attribute: attr.clone(),
                                    what: c.what.clone(),
                                });
                            }
                        }
                    }
                    let key = parts.join("/");
                    let unknown = || PriceError::UnknownRate {
                        kind: r.kind.clone(),
                        what: c.what.clone(),
                        attribute: c.rate_by.join("/"),
                        key: key.clone(),
                    };
                    match c.rates.get(&key) {
                        Some(rate) => *rate,
                        None if !estimate => return Err(unknown()),
                        None => {
                            let size = key.rsplit('/').next().unwrap_or(&key).to_string();
                            if let Some((rate, from)) = ladder(&c.rates, &key) {
                                notes.push(format!(
                                    "{size} priced from {from} along AWS's size ladder"
                                ));
                                basis = Basis::Ladder { size, from };
                                rate
                            } else if let Some(rate) = floor(&c.rates, &key) {
                                notes.push(format!(
                                    "{size} is a family the price table does not know; at least \
                                     the cheapest rate per size it knows"
                                ));
                                basis = Basis::Floor { size };
                                rate
                            } else {
                                return Err(unknown());
                            }
                        }
                    }
                }
            };
            let mut quantity = 1.0;
            for f in &c.quantity {
                quantity *= factor(r, f, &c.what, plan)?;
            }
            let per_month = match c.unit {
                RateUnit::Hour => self.hours_per_month,
                RateUnit::Month => 1.0,
            };
            total += rate * multiplier * per_month * quantity;
            if let Some(n) = &c.note {
                notes.push(n.clone());
            }
        }
        let note = if notes.is_empty() {
            None
        } else {
            Some(notes.join("; "))
        };
        Ok(Estimate {
            cost: round_cents(total),
            note,
            basis,
        })
    }
}

/// Units of size on AWS's ladder, the normalisation factors AWS itself uses (nano 0.25 ... large 4,
/// xlarge 8, Nxlarge 8N); `metal` is taken as the 24xlarge most families' bare metal matches.
pub fn size_units(size: &str) -> Option<f64> {
    Some(match size {
        "nano" => 0.25,
        "micro" => 0.5,
        "small" => 1.0,
        "medium" => 2.0,
        "large" => 4.0,
        "xlarge" => 8.0,
        "metal" => 192.0,
        s => {
            let n: f64 = s.strip_suffix("xlarge")?.parse().ok()?;
            if !(n.is_finite() && n >= 1.0) {
                return None;
            }
            8.0 * n
        }
    })
}

/// A rate key split into what precedes the family (`postgres/db.`), the family (`r5`) and the
/// size's units on the ladder; `None` when the last part is not `[prefix.]family.size`.
fn split_key(key: &str) -> Option<(String, &str, f64)> {
    let (head, last) = match key.rsplit_once('/') {
        Some((h, l)) => (format!("{h}/"), l),
        None => (String::new(), key),
    };
    let (rest, size) = last.rsplit_once('.')?;
    let units = size_units(size)?;
    let (prefix, family) = match rest.rsplit_once('.') {
        Some((p, f)) => (format!("{head}{p}."), f),
        None => (head, rest),
    };
    if family.is_empty()
        || !family
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return None;
    }
    Some((prefix, family, units))
}

/// The rate of a size the table does not list, from the nearest size of the same family it does
/// (AWS prices a family in proportion to size), and the key it was scaled from.
fn ladder(rates: &BTreeMap<String, f64>, key: &str) -> Option<(f64, String)> {
    let (prefix, family, units) = split_key(key)?;
    rates
        .iter()
        .filter_map(|(k, rate)| {
            let (p, f, u) = split_key(k)?;
            (p == prefix && f == family).then_some((k, *rate, u))
        })
        .min_by(|a, b| {
            let da = (a.2 / units).ln().abs();
            let db = (b.2 / units).ln().abs();
            // Equally near: the larger size, whose price is nearer the big sizes' proportion.
            da.total_cmp(&db).then(b.2.total_cmp(&a.2))
        })
        .map(|(k, rate, u)| {
            let size = k.rsplit('/').next().unwrap_or(k).to_string();
            (rate * units / u, size)
        })
}

/// The least a size of an unknown family can cost: the cheapest rate per unit of size among the
/// families the table lists under the same prefix (`postgres/db.`, `cache.`).
fn floor(rates: &BTreeMap<String, f64>, key: &str) -> Option<f64> {
    let (prefix, _, units) = split_key(key)?;
    rates
        .iter()
        .filter_map(|(k, rate)| {
            let (p, _, u) = split_key(k)?;
            (p == prefix).then_some(*rate / u)
        })
        .min_by(f64::total_cmp)
        .map(|per_unit| per_unit * units)
}

fn factor(r: &Resource, f: &Factor, what: &str, plan: &[Resource]) -> Result<f64, PriceError> {
    if let Some(a) = f.assume {
        return Ok(a);
    }
    let Some(attr) = &f.attribute else {
        return Ok(1.0);
    };
    let missing = || PriceError::MissingAttribute {
        address: r.address.clone(),
        attribute: attr.clone(),
        what: what.to_string(),
    };
    let v = lookup(r, attr, plan)?;
    let n = match (v, f.if_true, f.count_items) {
        (v, Some(t), _) => {
            if v.and_then(Value::as_bool).unwrap_or(false) {
                t
            } else {
                1.0
            }
        }
        (Some(Value::Array(items)), None, true) => items.len() as f64,
        (None, None, true) => 0.0,
        (Some(Value::Number(n)), None, false) => n.as_f64().ok_or_else(missing)?,
        // Terraform writes some numbers as strings (an ECS task's `cpu = "2048"`).
        (Some(Value::String(s)), None, false) => s.trim().parse::<f64>().map_err(|_| missing())?,
        (None, None, false) => f.default.ok_or_else(missing)?,
        _ => return Err(missing()),
    };
    Ok(match f.divide_by {
        Some(d) => n / d,
        None => n,
    })
}

/// Reads an attribute path of a resource, following `->` references through the plan.
fn lookup<'a>(
    r: &'a Resource,
    path: &str,
    plan: &'a [Resource],
) -> Result<Option<&'a Value>, PriceError> {
    let mut resource = r;
    let mut segments = path.split("->").peekable();
    while let Some(seg) = segments.next() {
        let v = walk(&resource.values, seg);
        if segments.peek().is_none() {
            return Ok(v);
        }
        // The value is a reference `TYPE.NAME.ATTRIBUTE`; find `TYPE.NAME` in the plan.
        let target = v
            .and_then(Value::as_str)
            .and_then(|s| s.rsplit_once('.').map(|(addr, _)| addr))
            .and_then(|addr| plan.iter().find(|p| p.address == addr));
        match target {
            Some(t) => resource = t,
            None => {
                return Err(PriceError::UnresolvedReference {
                    address: r.address.clone(),
                    attribute: seg.to_string(),
                });
            }
        }
    }
    Ok(None)
}

fn walk<'a>(values: &'a serde_json::Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut cur = values.get(parts.next()?)?;
    for p in parts {
        cur = match cur {
            Value::Object(m) => m.get(p)?,
            Value::Array(a) => a.get(p.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// Fills every resource's `monthly_cost_usd` and `cost_note`, and the plan's total.
///
/// A resource being deleted costs nothing from then on; its note says what the deletion saves.
pub fn price_plan(plan: &mut Plan, prices: &PriceTable) -> Result<(), PriceError> {
    price_plan_with(plan, prices, &[])
}

/// Like [`price_plan`], for a plan that changes part of what exists: references from a changed
/// resource to an unchanged one (an ECS service's task definition) are followed into `existing`.
pub fn price_plan_with(
    plan: &mut Plan,
    prices: &PriceTable,
    existing: &[Resource],
) -> Result<(), PriceError> {
    let mut all: Vec<Resource> = plan.resources.clone();
    all.extend(
        existing
            .iter()
            .filter(|e| plan.resource(&e.address).is_none())
            .cloned(),
    );
    let mut costs = Vec::with_capacity(plan.resources.len());
    for r in &plan.resources {
        let (cost, note) = prices.resource_cost_in(r, &plan.region, &all)?;
        costs.push(match r.action {
            ResourceAction::Delete => {
                let saves =
                    (cost > 0.0).then(|| format!("deleting it saves about ${cost:.2} a month"));
                (0.0, saves)
            }
            _ => (cost, note),
        });
    }
    for (r, (cost, note)) in plan.resources.iter_mut().zip(costs) {
        r.monthly_cost_usd = cost;
        r.cost_note = note;
    }
    plan.update_total();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::Environment;
    use serde_json::json;

    const TABLE: &str = r#"
currency: USD
hours_per_month: 730
basis: on-demand, Linux
as_of: "2026-10"
regions:
  us-east-1: {multiplier: 1.0, derived: false, basis: published}
  eu-central-1: {multiplier: 1.2, derived: true, basis: m5.large ratio}
free_types: [aws_vpc, aws_ecs_task_definition]
types:
  aws_db_instance:
    charges:
      - what: instance
        unit: hour
        rate_by: [engine, instance_class]
        rates:
          postgres/db.r5.large: 0.25
        quantity:
          - attribute: multi_az
            if_true: 2
        source: test
        as_of: "2026-10"
      - what: storage
        unit: month
        rate: 0.115
        quantity:
          - attribute: allocated_storage
          - attribute: multi_az
            if_true: 2
        source: test
        as_of: "2026-10"
  aws_ecs_service:
    charges:
      - what: vCPU
        unit: hour
        rate: 0.04048
        quantity:
          - attribute: desired_count
          - attribute: task_definition->cpu
            divide_by: 1024
        source: test
        as_of: "2026-10"
  aws_lambda_function:
    charges:
      - what: requests
        unit: month
        rate: 0.2
        quantity:
          - assume: 5
        note: assumes 5 million requests a month
        source: test
        as_of: "2026-10"
"#;

    fn db(multi_az: bool) -> Resource {
        let mut r = Resource::new("aws_db_instance", "main", ResourceAction::Create);
        r.values.insert("engine".into(), json!("postgres"));
        r.values
            .insert("instance_class".into(), json!("db.r5.large"));
        r.values.insert("multi_az".into(), json!(multi_az));
        r.values.insert("allocated_storage".into(), json!(100));
        r
    }

    #[test]
    fn multi_az_doubles_instance_and_storage() {
        let t = PriceTable::parse("prices.yaml", TABLE).unwrap();
        let (single, _) = t.resource_cost(&db(false), "us-east-1").unwrap();
        let (multi, _) = t.resource_cost(&db(true), "us-east-1").unwrap();
        assert_eq!(single, round_cents(0.25 * 730.0 + 11.5));
        assert_eq!(multi, round_cents(0.5 * 730.0 + 23.0));
        let (eu, _) = t.resource_cost(&db(false), "eu-central-1").unwrap();
        assert_eq!(eu, round_cents((0.25 * 730.0 + 11.5) * 1.2));
    }

    #[test]
    fn unknown_region_type_and_rate_are_named() {
        let t = PriceTable::parse("prices.yaml", TABLE).unwrap();
        let e = t.resource_cost(&db(false), "mars-1").unwrap_err();
        assert!(
            e.to_string().contains("mars-1") && e.to_string().contains("eu-central-1"),
            "{e}"
        );
        let e = t
            .resource_cost(
                &Resource::new("aws_foo", "x", ResourceAction::Create),
                "us-east-1",
            )
            .unwrap_err();
        assert_eq!(e, PriceError::UnpricedType("aws_foo".into()));
        let mut r = db(false);
        r.values
            .insert("instance_class".into(), json!("db.x9.huge"));
        let e = t.resource_cost(&r, "us-east-1").unwrap_err();
        assert!(e.to_string().contains("postgres/db.x9.huge"), "{e}");
        assert_eq!(
            t.resource_cost(
                &Resource::new("aws_vpc", "v", ResourceAction::Create),
                "us-east-1"
            )
            .unwrap(),
            (0.0, None)
        );
    }

    #[test]
    fn references_are_followed_through_the_plan_and_usage_notes_kept() {
        let t = PriceTable::parse("prices.yaml", TABLE).unwrap();
        let mut td = Resource::new("aws_ecs_task_definition", "app", ResourceAction::Create);
        td.values.insert("cpu".into(), json!("2048"));
        let mut svc = Resource::new("aws_ecs_service", "app", ResourceAction::Create);
        svc.values.insert("desired_count".into(), json!(2));
        svc.values.insert(
            "task_definition".into(),
            json!("aws_ecs_task_definition.app.arn"),
        );
        assert!(matches!(
            t.resource_cost(&svc, "us-east-1"),
            Err(PriceError::UnresolvedReference { .. })
        ));
        let mut lambda = Resource::new("aws_lambda_function", "f", ResourceAction::Create);
        lambda.values.insert("memory_size".into(), json!(512));
        let mut plan = Plan {
            golden_path: None,
            golden_path_version: "1".into(),
            environment: Environment::Production,
            region: "us-east-1".into(),
            resources: vec![td, svc, lambda],
            estimated_monthly_cost_usd: 0.0,
        };
        price_plan(&mut plan, &t).unwrap();
        assert_eq!(
            plan.resources[1].monthly_cost_usd,
            round_cents(0.04048 * 730.0 * 4.0)
        );
        assert_eq!(plan.resources[2].monthly_cost_usd, 1.0);
        assert_eq!(
            plan.resources[2].cost_note.as_deref(),
            Some("assumes 5 million requests a month")
        );
        assert_eq!(plan.estimated_monthly_cost_usd, plan.total_cost());
    }

    #[test]
    fn deletions_cost_nothing_and_say_what_they_save() {
        let t = PriceTable::parse("prices.yaml", TABLE).unwrap();
        let mut r = db(true);
        r.action = ResourceAction::Delete;
        let mut plan = Plan {
            golden_path: None,
            golden_path_version: "1".into(),
            environment: Environment::Production,
            region: "us-east-1".into(),
            resources: vec![r],
            estimated_monthly_cost_usd: 0.0,
        };
        price_plan(&mut plan, &t).unwrap();
        assert_eq!(plan.resources[0].monthly_cost_usd, 0.0);
        assert!(
            plan.resources[0]
                .cost_note
                .as_deref()
                .unwrap()
                .contains("388.00")
        );
    }

    #[test]
    fn unlisted_sizes_follow_the_ladder_and_unknown_families_get_a_floor() {
        let t = PriceTable::parse("prices.yaml", TABLE).unwrap();
        let mut r = db(false);
        r.values
            .insert("instance_class".into(), json!("db.r5.4xlarge"));
        r.values.insert("allocated_storage".into(), json!(0));
        // The exact table refuses; the estimate scales db.r5.large (4 units) to 32 units.
        assert!(t.resource_cost(&r, "us-east-1").is_err());
        let e = t.estimate_in(&r, "us-east-1", &[]).unwrap();
        assert_eq!(e.cost, round_cents(0.25 * 8.0 * 730.0));
        assert_eq!(
            e.basis,
            Basis::Ladder {
                size: "db.r5.4xlarge".into(),
                from: "db.r5.large".into()
            }
        );
        assert!(e.note.unwrap().contains("size ladder"));
        // A family the table does not know: the cheapest rate per unit it knows, times the size.
        r.values
            .insert("instance_class".into(), json!("db.x9.2xlarge"));
        let e = t.estimate_in(&r, "us-east-1", &[]).unwrap();
        assert_eq!(e.cost, round_cents(0.25 / 4.0 * 16.0 * 730.0));
        assert!(matches!(e.basis, Basis::Floor { .. }));
        // Not an instance size at all: still unknown.
        r.values.insert("instance_class".into(), json!("huge"));
        assert!(t.estimate_in(&r, "us-east-1", &[]).is_err());
        assert_eq!(size_units("nano"), Some(0.25));
        assert_eq!(size_units("48xlarge"), Some(384.0));
        assert_eq!(size_units("xxlarge"), None);
    }

    #[test]
    fn charges_apply_to_their_billing_mode_only() {
        let table = format!(
            "{TABLE}  aws_dynamodb_table:
    charges:
      - what: on-demand reads
        unit: month
        rate: 1.25
        when: {{attribute: billing_mode, in: [PAY_PER_REQUEST], default: PAY_PER_REQUEST}}
        source: test
        as_of: \"2026-10\"
      - what: provisioned reads
        unit: hour
        rate: 0.00013
        quantity:
          - attribute: read_capacity
            default: 0
        when: {{attribute: billing_mode, in: [PROVISIONED], default: PROVISIONED}}
        source: test
        as_of: \"2026-10\"
"
        );
        let t = PriceTable::parse("prices.yaml", &table).unwrap();
        let mut r = Resource::new("aws_dynamodb_table", "t", ResourceAction::Create);
        r.values
            .insert("billing_mode".into(), json!("PAY_PER_REQUEST"));
        assert_eq!(t.resource_cost(&r, "us-east-1").unwrap().0, 1.25);
        r.values.insert("billing_mode".into(), json!("provisioned"));
        r.values.insert("read_capacity".into(), json!(40000));
        assert_eq!(
            t.resource_cost(&r, "us-east-1").unwrap().0,
            round_cents(0.00013 * 40000.0 * 730.0)
        );
        // Saying nothing bills both ways.
        r.values.remove("billing_mode");
        assert_eq!(
            t.resource_cost(&r, "us-east-1").unwrap().0,
            round_cents(1.25 + 0.00013 * 40000.0 * 730.0)
        );
        let bad = table.replace("in: [PROVISIONED], ", "in: [], ");
        let e = PriceTable::parse("prices.yaml", &bad).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("when"), "{e}");
    }

    #[test]
    fn bad_tables_are_refused_with_a_line() {
        let bad = TABLE.replace(
            "        rate: 0.115\n",
            "        rate: 0.115\n        rates: {a: 1}\n",
        );
        let e = PriceTable::parse("prices.yaml", &bad).unwrap_err();
        assert!(e.line.is_some(), "{e}");
        let bad = TABLE.replace("        note: assumes 5 million requests a month\n", "");
        assert_ne!(bad, TABLE);
        let e = PriceTable::parse("prices.yaml", &bad).unwrap_err();
        assert!(e.message.contains("note"), "{e}");
        let bad = TABLE.replace(
            "  us-east-1: {multiplier: 1.0,",
            "  us-east-1: {multiplier: 1.0, bogus: 1,",
        );
        let e = PriceTable::parse("prices.yaml", &bad).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("bogus"), "{e}");
        assert_eq!(e.line, Some(7), "{e}");
    }
}
