//! The golden-path template language, compiled once when the catalog loads and rendered for each
//! intent.
//!
//! In a resource's `values` (and its `why`):
//! - `${service}`, `${env}` (`prod`/`stg`/`dev`), `${environment}`, `${region}`, `${golden_path}`,
//!   `${version}`, `${cidr}` (the VPC's block from IPAM), `${segment}` (its IPAM segment), `${schedule}` (an EventBridge
//!   `cron(...)` expression), `${var.NAME}` (a value from the path's `vars`);
//! - in a `per_az` resource also `${az}` (its zone) and `${subnet_cidr.TIER}` (its subnet);
//! - `${azs}` (list of zone names) and `${az_count}`;
//! - `${TYPE.NAME.ATTR}` refers to another resource of the path (`aws_vpc.main.id`), and
//!   `${TYPE.NAME[*].ATTR}` to every copy of a `per_az` resource (`[0]` to the first zone's);
//!   a reference adds a dependency;
//! - `$${` writes a literal `${`.
//!
//! A string that is exactly one placeholder keeps the placeholder's type (a number, a list);
//! otherwise placeholders are interpolated into the string. Two objects are special:
//! `{by_env: {production: A, staging: B, development: C}}` (or `default:` for the rest) picks by
//! environment, and `{when: CONDITION, then: A, else: B}` picks by condition (no `else` and a false
//! condition leaves the attribute, or the list item, out).
//!
//! Every placeholder and every reference is checked when the catalog loads: an unknown placeholder,
//! or a reference to a resource that may not exist where the referring value does, is an error that
//! names the file and line.

use paved_core::golden_path::{Condition, GoldenPath, Scenario, implies};
use paved_core::intent::Environment;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

use crate::ipam::{Cidr, IpamConfig};

/// A compiled template value.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Lit(Value),
    Text(Vec<Piece>),
    Whole(Ph),
    Obj(Vec<(String, Node)>),
    List(Vec<Node>),
    ByEnv(Box<[Node; 3]>),
    When {
        cond: Condition,
        then: Box<Node>,
        otherwise: Option<Box<Node>>,
    },
}

#[derive(Debug, Clone)]
pub(crate) enum Piece {
    Lit(String),
    Ph(Ph),
}

/// A placeholder.
#[derive(Debug, Clone)]
pub(crate) enum Ph {
    Service,
    Env,
    Environment,
    Region,
    GoldenPath,
    Version,
    Cidr,
    Segment,
    SubnetCidr(usize),
    Az,
    Azs,
    AzCount,
    Schedule,
    Var(String),
    /// `index` picks one copy of a per-zone resource (`[0]` is the first zone).
    Ref {
        target: usize,
        attr: String,
        splat: bool,
        index: Option<usize>,
    },
}

impl Ph {
    /// True when the placeholder renders as a list (so it cannot sit inside a string).
    fn is_list(&self) -> bool {
        matches!(self, Ph::Azs | Ph::Ref { splat: true, .. })
    }
}

/// A resource template ready to render.
#[derive(Debug, Clone)]
pub(crate) struct CompiledResource {
    pub kind: String,
    pub name: String,
    pub per_az: bool,
    pub when: Option<Condition>,
    pub why: Node,
    pub values: Node,
    pub on_delete: Node,
    /// Template indices from `depends_on`.
    pub depends_on: Vec<usize>,
    /// Whether the resource needs the VPC's CIDR (it decides whether IPAM allocates one).
    pub uses_network: bool,
}

impl CompiledResource {
    pub fn included(&self, s: &Scenario<'_>) -> bool {
        self.when.as_ref().is_none_or(|c| c.holds(s))
    }
}

/// A golden path ready to render.
#[derive(Debug, Clone)]
pub(crate) struct CompiledPath {
    pub resources: Vec<CompiledResource>,
    pub vars: BTreeMap<String, Node>,
}

/// A defect found while compiling: what is wrong, the field, and text to find its line by.
#[derive(Debug, Clone)]
pub(crate) struct CompileError {
    /// Index of the resource concerned, when there is one.
    pub resource: Option<usize>,
    pub field: String,
    pub needle: String,
    pub message: String,
}

struct Compiler<'a> {
    path: &'a GoldenPath,
    ipam: &'a IpamConfig,
    /// The resource being compiled: its index, whether it is per-AZ, and its condition.
    current: Option<(usize, bool)>,
    /// Conditions in force at the node being compiled, with polarity (`else` branches are false).
    assumptions: Vec<(Condition, bool)>,
    uses_network: bool,
    in_var: bool,
    field: String,
}

impl Compiler<'_> {
    fn fail(&self, needle: &str, message: String) -> CompileError {
        CompileError {
            resource: self.current.map(|(i, _)| i),
            field: self.field.clone(),
            needle: needle.to_string(),
            message,
        }
    }

    fn node(&mut self, v: &Value) -> Result<Node, CompileError> {
        match v {
            Value::String(s) => self.string(s),
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.node(item)?);
                }
                Ok(Node::List(out))
            }
            Value::Object(m) => self.object(m),
            other => Ok(Node::Lit(other.clone())),
        }
    }

    fn object(&mut self, m: &Map<String, Value>) -> Result<Node, CompileError> {
        if m.len() == 1
            && let Some(Value::Object(by)) = m.get("by_env")
        {
            return self.by_env(by);
        }
        if m.contains_key("when")
            && m.keys()
                .all(|k| matches!(k.as_str(), "when" | "then" | "else"))
        {
            return self.when(m);
        }
        let mut out = Vec::with_capacity(m.len());
        for (k, v) in m {
            let saved = self.field.len();
            self.field.push('.');
            self.field.push_str(k);
            out.push((k.clone(), self.node(v)?));
            self.field.truncate(saved);
        }
        Ok(Node::Obj(out))
    }

    fn by_env(&mut self, by: &Map<String, Value>) -> Result<Node, CompileError> {
        for k in by.keys() {
            if !matches!(
                k.as_str(),
                "production" | "staging" | "development" | "default"
            ) {
                return Err(self.fail(
                    &format!("{k}:"),
                    format!(
                        "`by_env` takes production, staging, development or default, not `{k}`"
                    ),
                ));
            }
        }
        let mut nodes = Vec::with_capacity(3);
        for env in Environment::ALL {
            let v = by
                .get(env.as_str())
                .or_else(|| by.get("default"))
                .ok_or_else(|| {
                    self.fail(
                        "by_env",
                        format!("`by_env` has no value for {env} and no `default`"),
                    )
                })?;
            nodes.push(self.node(v)?);
        }
        let [p, s, d]: [Node; 3] = nodes
            .try_into()
            .map_err(|_| self.fail("by_env", "`by_env` needs three values".into()))?;
        Ok(Node::ByEnv(Box::new([p, s, d])))
    }

    fn when(&mut self, m: &Map<String, Value>) -> Result<Node, CompileError> {
        let raw = m.get("when").cloned().unwrap_or(Value::Null);
        let cond: Condition = serde_json::from_value(raw).map_err(|e| {
            let msg = e.to_string();
            let needle = msg.split('`').nth(1).unwrap_or("when").to_string();
            self.fail(&needle, format!("bad `when` condition: {msg}"))
        })?;
        let then = m
            .get("then")
            .ok_or_else(|| self.fail("when:", "a `when` value needs a `then`".into()))?;
        self.assumptions.push((cond.clone(), true));
        let then = self.node(then);
        self.assumptions.pop();
        let then = Box::new(then?);
        let otherwise = match m.get("else") {
            Some(v) => {
                self.assumptions.push((cond.clone(), false));
                let n = self.node(v);
                self.assumptions.pop();
                Some(Box::new(n?))
            }
            None => None,
        };
        Ok(Node::When {
            cond,
            then,
            otherwise,
        })
    }

    fn string(&mut self, s: &str) -> Result<Node, CompileError> {
        let mut pieces = Vec::new();
        let mut lit = String::new();
        let mut rest = s;
        while let Some(i) = rest.find('$') {
            lit.push_str(&rest[..i]);
            let after = &rest[i..];
            if let Some(tail) = after.strip_prefix("$${") {
                lit.push_str("${");
                rest = tail;
            } else if let Some(tail) = after.strip_prefix("${") {
                let end = tail.find('}').ok_or_else(|| {
                    self.fail(
                        after,
                        format!("`{s}` opens a `${{` placeholder that is never closed"),
                    )
                })?;
                let name = &tail[..end];
                let ph = self.placeholder(name)?;
                if !lit.is_empty() {
                    pieces.push(Piece::Lit(std::mem::take(&mut lit)));
                }
                pieces.push(Piece::Ph(ph));
                rest = &tail[end + 1..];
            } else {
                lit.push('$');
                rest = &after[1..];
            }
        }
        lit.push_str(rest);
        if !lit.is_empty() {
            pieces.push(Piece::Lit(lit));
        }
        match pieces.as_slice() {
            [] => Ok(Node::Lit(Value::String(String::new()))),
            [Piece::Lit(l)] => Ok(Node::Lit(Value::String(l.clone()))),
            [Piece::Ph(_)] => match pieces.pop() {
                Some(Piece::Ph(ph)) => Ok(Node::Whole(ph)),
                _ => Err(self.fail(s, "internal: placeholder vanished".into())),
            },
            _ => {
                if let Some(Piece::Ph(ph)) = pieces
                    .iter()
                    .find(|p| matches!(p, Piece::Ph(ph) if ph.is_list()))
                {
                    let _ = ph;
                    return Err(self.fail(s, format!("`{s}` puts a list placeholder inside a string; use it as the whole value")));
                }
                Ok(Node::Text(pieces))
            }
        }
    }

    fn placeholder(&mut self, name: &str) -> Result<Ph, CompileError> {
        let needle = format!("${{{name}}}");
        let per_az = self.current.is_some_and(|(_, p)| p);
        let simple = match name {
            "service" => Some(Ph::Service),
            "env" => Some(Ph::Env),
            "environment" => Some(Ph::Environment),
            "region" => Some(Ph::Region),
            "golden_path" => Some(Ph::GoldenPath),
            "version" => Some(Ph::Version),
            "azs" => Some(Ph::Azs),
            "az_count" => Some(Ph::AzCount),
            "cidr" => {
                self.uses_network = true;
                Some(Ph::Cidr)
            }
            "segment" => {
                self.uses_network = true;
                Some(Ph::Segment)
            }
            "az" if per_az => Some(Ph::Az),
            "az" => {
                return Err(self.fail(
                    &needle,
                    "`${az}` is only known inside a `per_az` resource".into(),
                ));
            }
            "schedule" => {
                if self.path.default_schedule.is_none() {
                    return Err(self.fail(
                        &needle,
                        "`${schedule}` needs the path to set `default_schedule`".into(),
                    ));
                }
                Some(Ph::Schedule)
            }
            _ => None,
        };
        if let Some(ph) = simple {
            return Ok(ph);
        }
        if let Some(tier) = name.strip_prefix("subnet_cidr.") {
            if !per_az {
                return Err(self.fail(
                    &needle,
                    format!("`{needle}` is only known inside a `per_az` resource"),
                ));
            }
            let t = self.ipam.tier_index(tier).ok_or_else(|| {
                self.fail(
                    &needle,
                    format!(
                        "`{needle}` names tier `{tier}`, but ipam.yaml has tiers {}",
                        self.ipam.tiers.join(", ")
                    ),
                )
            })?;
            self.uses_network = true;
            return Ok(Ph::SubnetCidr(t));
        }
        if let Some(var) = name.strip_prefix("var.") {
            if self.in_var {
                return Err(self.fail(&needle, "a var cannot use another var".into()));
            }
            if !self.path.vars.contains_key(var) {
                return Err(self.fail(&needle, format!("`{needle}` names no var of this path")));
            }
            return Ok(Ph::Var(var.to_string()));
        }
        if name.starts_with("aws_") {
            return self.reference(name, &needle);
        }
        Err(self.fail(
            &needle,
            format!(
                "unknown placeholder `{needle}`; known are service, env, environment, region, golden_path, version, cidr, segment, schedule, azs, az_count, az, subnet_cidr.TIER, var.NAME and TYPE.NAME.ATTR references"
            ),
        ))
    }

    fn reference(&mut self, name: &str, needle: &str) -> Result<Ph, CompileError> {
        if self.in_var {
            return Err(self.fail(needle, "a var cannot refer to a resource".into()));
        }
        let mut parts = name.splitn(3, '.');
        let (Some(kind), Some(rname), Some(attr)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(self.fail(needle, format!("`{needle}` must be `TYPE.NAME.ATTRIBUTE`")));
        };
        let (rname, splat, index) = match rname.strip_suffix(']').and_then(|r| r.split_once('[')) {
            Some((n, "*")) => (n, true, None),
            Some((n, i)) => match i.parse::<usize>() {
                Ok(i) => (n, false, Some(i)),
                Err(_) => {
                    return Err(self.fail(
                        needle,
                        format!("`{needle}` must use `[*]` or a zone number such as `[0]`"),
                    ));
                }
            },
            None => (rname, false, None),
        };
        if attr.is_empty()
            || !attr
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(self.fail(
                needle,
                format!("`{needle}` needs an attribute name such as `id` or `arn`"),
            ));
        }
        let target = self.target(kind, rname, needle)?;
        let target_per_az = self.path.resources[target].per_az;
        let here_per_az = self.current.is_some_and(|(_, p)| p);
        if (splat || index.is_some()) && !target_per_az {
            return Err(self.fail(
                needle,
                format!("`{needle}` picks copies, but `{kind}.{rname}` is not per_az"),
            ));
        }
        if let Some(i) = index
            && i >= usize::from(
                self.path
                    .availability_zones
                    .development
                    .min(self.path.availability_zones.staging)
                    .min(self.path.availability_zones.production),
            )
        {
            return Err(self.fail(
                needle,
                format!("`{needle}` picks zone {i}, but some environments have fewer zones"),
            ));
        }
        if !splat && index.is_none() && target_per_az && !here_per_az {
            return Err(self.fail(needle, format!("`{kind}.{rname}` is per_az; refer to all copies with `{kind}.{rname}[*].{attr}`")));
        }
        self.check_exists(target, needle)?;
        Ok(Ph::Ref {
            target,
            attr: attr.to_string(),
            splat,
            index,
        })
    }

    /// Finds a resource of the path by type and name.
    fn target(&self, kind: &str, rname: &str, needle: &str) -> Result<usize, CompileError> {
        let target = self
            .path
            .resources
            .iter()
            .position(|r| r.kind == kind && r.name == rname)
            .ok_or_else(|| {
                self.fail(
                    needle,
                    format!("`{kind}.{rname}` is not a resource of this golden path"),
                )
            })?;
        if self.current.is_some_and(|(i, _)| i == target) {
            return Err(self.fail(needle, format!("`{kind}.{rname}` refers to itself")));
        }
        Ok(target)
    }

    /// Refuses a reference to a resource that may be absent where the reference is rendered.
    fn check_exists(&self, target: usize, needle: &str) -> Result<(), CompileError> {
        let Some(target_when) = &self.path.resources[target].when else {
            return Ok(());
        };
        let mut assumptions: Vec<(&Condition, bool)> =
            self.assumptions.iter().map(|(c, p)| (c, *p)).collect();
        if let Some((i, _)) = self.current
            && let Some(w) = &self.path.resources[i].when
        {
            assumptions.push((w, true));
        }
        if implies(&self.path.id, &assumptions, target_when) {
            Ok(())
        } else {
            let t = &self.path.resources[target];
            Err(self.fail(
                needle,
                format!(
                    "`{}.{}` exists only `when` its condition holds, which is not always so where it is used; give the user the same `when`",
                    t.kind, t.name
                ),
            ))
        }
    }
}

/// Compiles a golden path's templates, checking every placeholder, reference and dependency.
pub(crate) fn compile(path: &GoldenPath, ipam: &IpamConfig) -> Result<CompiledPath, CompileError> {
    let mut c = Compiler {
        path,
        ipam,
        current: None,
        assumptions: Vec::new(),
        uses_network: false,
        in_var: true,
        field: String::new(),
    };
    let mut vars = BTreeMap::new();
    for (name, v) in &path.vars {
        c.field = format!("vars.{name}");
        vars.insert(name.clone(), c.node(v)?);
    }
    c.in_var = false;
    let mut seen = std::collections::BTreeSet::new();
    let mut resources = Vec::with_capacity(path.resources.len());
    for (i, r) in path.resources.iter().enumerate() {
        c.current = Some((i, r.per_az));
        c.uses_network = false;
        c.field = "type".into();
        if !is_identifier(&r.kind) || !r.kind.starts_with("aws_") {
            return Err(c.fail(
                &r.kind,
                format!(
                    "`{}` is not a Terraform AWS resource type (aws_...)",
                    r.kind
                ),
            ));
        }
        c.field = "name".into();
        if r.name.is_empty()
            || !r
                .name
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
        {
            return Err(c.fail(
                &r.name,
                format!(
                    "resource name `{}` may use letters, digits, `_` and `-` only",
                    r.name
                ),
            ));
        }
        if !seen.insert(r.address()) {
            return Err(c.fail(
                &r.name,
                format!(
                    "`{}` appears twice; every address must be unique",
                    r.address()
                ),
            ));
        }
        c.field = "why".into();
        let why = c.string(&r.why)?;
        c.field = "values".into();
        let values = c.object(&r.values)?;
        c.field = "on_delete".into();
        let on_delete = c.object(&r.on_delete)?;
        c.field = "depends_on".into();
        let mut depends_on = Vec::with_capacity(r.depends_on.len());
        for d in &r.depends_on {
            let Some((kind, rname)) = d.split_once('.') else {
                return Err(c.fail(d, format!("`{d}` in depends_on must be `TYPE.NAME`")));
            };
            let t = c.target(kind, rname, d)?;
            c.check_exists(t, d)?;
            depends_on.push(t);
        }
        if let Some(rs) = &r.resize
            && !r.values.contains_key(&rs.attribute)
        {
            c.field = "resize.attribute".into();
            return Err(c.fail(
                &rs.attribute,
                format!(
                    "`resize` names attribute `{}`, which the resource does not set",
                    rs.attribute
                ),
            ));
        }
        for attr in r.on_scale.keys() {
            if !r.values.contains_key(attr) {
                c.field = "on_scale".into();
                return Err(c.fail(
                    attr,
                    format!("`on_scale` names attribute `{attr}`, which the resource does not set"),
                ));
            }
        }
        resources.push(CompiledResource {
            kind: r.kind.clone(),
            name: r.name.clone(),
            per_az: r.per_az,
            when: r.when.clone().filter(|w| !w.is_always()),
            why,
            values,
            on_delete,
            depends_on,
            uses_network: c.uses_network,
        });
    }
    let compiled = CompiledPath { resources, vars };
    check_acyclic(path, &compiled)?;
    Ok(compiled)
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Refuses dependency cycles among the templates (depends_on and references together).
fn check_acyclic(path: &GoldenPath, compiled: &CompiledPath) -> Result<(), CompileError> {
    let n = compiled.resources.len();
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, r) in compiled.resources.iter().enumerate() {
        edges[i].extend(&r.depends_on);
        collect_refs(&r.values, &mut edges[i]);
    }
    // Depth-first search with three colours; a grey node reached again closes a cycle.
    let mut colour = vec![0u8; n];
    fn visit(i: usize, edges: &[Vec<usize>], colour: &mut [u8]) -> Option<usize> {
        colour[i] = 1;
        for &j in &edges[i] {
            match colour[j] {
                1 => return Some(j),
                0 => {
                    if let Some(c) = visit(j, edges, colour) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        colour[i] = 2;
        None
    }
    for i in 0..n {
        if colour[i] == 0
            && let Some(j) = visit(i, &edges, &mut colour)
        {
            let r = &path.resources[j];
            return Err(CompileError {
                resource: Some(j),
                field: "depends_on".into(),
                needle: r.name.clone(),
                message: format!(
                    "`{}` is part of a dependency cycle; dependencies must form a DAG",
                    r.address()
                ),
            });
        }
    }
    Ok(())
}

fn collect_refs(node: &Node, out: &mut Vec<usize>) {
    match node {
        Node::Whole(Ph::Ref { target, .. }) => out.push(*target),
        Node::Text(pieces) => {
            for p in pieces {
                if let Piece::Ph(Ph::Ref { target, .. }) = p {
                    out.push(*target);
                }
            }
        }
        Node::Obj(entries) => entries.iter().for_each(|(_, n)| collect_refs(n, out)),
        Node::List(items) => items.iter().for_each(|n| collect_refs(n, out)),
        Node::ByEnv(nodes) => nodes.iter().for_each(|n| collect_refs(n, out)),
        Node::When {
            then, otherwise, ..
        } => {
            collect_refs(then, out);
            if let Some(o) = otherwise {
                collect_refs(o, out);
            }
        }
        Node::Lit(_) | Node::Whole(_) => {}
    }
}

/// Everything a template needs to render for one intent.
pub(crate) struct RenderCtx<'a> {
    pub scenario: Scenario<'a>,
    pub service: &'a str,
    pub region: &'a str,
    pub version: &'a str,
    pub cidr: Option<Cidr>,
    pub segment: Option<&'a str>,
    pub ipam: &'a IpamConfig,
    pub zones: &'a [String],
    pub schedule: Option<&'a str>,
    pub vars: &'a BTreeMap<String, Node>,
    /// Addresses of each template's copies in this plan (empty when the template is left out).
    pub addresses: &'a [Vec<String>],
}

/// Per-copy state while rendering one resource.
pub(crate) struct Local {
    pub az: Option<usize>,
    /// Addresses referred to, in order of first use.
    pub refs: Vec<String>,
}

impl RenderCtx<'_> {
    pub fn render(&self, node: &Node, local: &mut Local) -> Result<Option<Value>, String> {
        Ok(match node {
            Node::Lit(v) => Some(v.clone()),
            Node::Whole(ph) => Some(self.placeholder(ph, local)?),
            Node::Text(pieces) => {
                let mut s = String::new();
                for p in pieces {
                    match p {
                        Piece::Lit(l) => s.push_str(l),
                        Piece::Ph(ph) => match self.placeholder(ph, local)? {
                            Value::String(v) => s.push_str(&v),
                            Value::Number(n) => s.push_str(&n.to_string()),
                            Value::Bool(b) => s.push_str(if b { "true" } else { "false" }),
                            Value::Null => {}
                            _ => {
                                return Err(
                                    "a list or object cannot be written inside a string".into()
                                );
                            }
                        },
                    }
                }
                Some(Value::String(s))
            }
            Node::Obj(entries) => {
                let mut m = Map::new();
                for (k, n) in entries {
                    if let Some(v) = self.render(n, local)? {
                        m.insert(k.clone(), v);
                    }
                }
                Some(Value::Object(m))
            }
            Node::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for n in items {
                    if let Some(v) = self.render(n, local)? {
                        out.push(v);
                    }
                }
                Some(Value::Array(out))
            }
            Node::ByEnv(nodes) => {
                let i = match self.scenario.environment {
                    Environment::Production => 0,
                    Environment::Staging => 1,
                    Environment::Development => 2,
                };
                self.render(&nodes[i], local)?
            }
            Node::When {
                cond,
                then,
                otherwise,
            } => {
                if cond.holds(&self.scenario) {
                    self.render(then, local)?
                } else if let Some(o) = otherwise {
                    self.render(o, local)?
                } else {
                    None
                }
            }
        })
    }

    pub fn render_string(&self, node: &Node, local: &mut Local) -> Result<String, String> {
        match self.render(node, local)? {
            Some(Value::String(s)) => Ok(s),
            Some(other) => Ok(other.to_string()),
            None => Ok(String::new()),
        }
    }

    fn placeholder(&self, ph: &Ph, local: &mut Local) -> Result<Value, String> {
        Ok(match ph {
            Ph::Service => Value::String(self.service.to_string()),
            Ph::Env => Value::String(self.scenario.environment.short().to_string()),
            Ph::Environment => Value::String(self.scenario.environment.as_str().to_string()),
            Ph::Region => Value::String(self.region.to_string()),
            Ph::GoldenPath => Value::String(self.scenario.golden_path.to_string()),
            Ph::Version => Value::String(self.version.to_string()),
            Ph::Cidr => self
                .cidr
                .map_or(Value::Null, |c| Value::String(c.to_string())),
            Ph::Segment => self
                .segment
                .map_or(Value::Null, |s| Value::String(s.to_string())),
            Ph::SubnetCidr(tier) => {
                let az = local.az.ok_or("a subnet CIDR is only known per zone")?;
                match self.cidr {
                    Some(vpc) => {
                        let c = self.ipam.subnet(vpc, *tier, az).ok_or_else(|| {
                            format!("zone {} is beyond ipam.yaml's max_azs", az + 1)
                        })?;
                        Value::String(c.to_string())
                    }
                    None => Value::Null,
                }
            }
            Ph::Az => {
                let az = local.az.ok_or("a zone is only known per zone")?;
                Value::String(self.zones.get(az).cloned().unwrap_or_default())
            }
            Ph::Azs => Value::Array(self.zones.iter().cloned().map(Value::String).collect()),
            Ph::AzCount => Value::from(self.zones.len()),
            Ph::Schedule => {
                Value::String(self.schedule.ok_or("the plan has no schedule")?.to_string())
            }
            Ph::Var(name) => {
                let node = self
                    .vars
                    .get(name)
                    .ok_or_else(|| format!("no var `{name}`"))?;
                self.render(node, local)?.unwrap_or(Value::Null)
            }
            Ph::Ref {
                target,
                attr,
                splat,
                index,
            } => {
                let copies = &self.addresses[*target];
                if copies.is_empty() {
                    return Err(format!(
                        "a reference names resource #{} of the path, which this plan does not create",
                        target + 1
                    ));
                }
                if *splat {
                    for a in copies {
                        push_unique(&mut local.refs, a);
                    }
                    Value::Array(
                        copies
                            .iter()
                            .map(|a| Value::String(format!("{a}.{attr}")))
                            .collect(),
                    )
                } else {
                    let a = if let Some(i) = index {
                        copies
                            .get(*i)
                            .ok_or("a reference picks a zone this plan does not have")?
                    } else if copies.len() == 1 {
                        &copies[0]
                    } else {
                        let az = local
                            .az
                            .ok_or("a per-zone resource is referred to outside a zone")?;
                        copies
                            .get(az)
                            .ok_or("a per-zone reference has no copy in this zone")?
                    };
                    push_unique(&mut local.refs, a);
                    Value::String(format!("{a}.{attr}"))
                }
            }
        })
    }
}

pub(crate) fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}
