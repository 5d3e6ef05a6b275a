//! Network exposure: which ingress rules of a plan let the whole internet in, and where.
//!
//! Terraform spells ingress three ways: an `ingress` list on `aws_security_group`, separate
//! `aws_security_group_rule` resources with `type = "ingress"`, and
//! `aws_vpc_security_group_ingress_rule` resources. All three are read, with `ingress` as a list
//! of blocks or as one block object (Terraform's JSON syntax accepts both).

use paved_core::guardrail::{as_bool, is_world_cidr};
use paved_core::{Plan, Resource};
use serde_json::Value;

use crate::facts::{refers_to, survives};

/// One ingress rule open to the world.
#[derive(Debug, Clone, PartialEq)]
pub struct WorldIngress {
    /// The resource that carries the rule (a security group or a rule resource).
    pub carrier: String,
    /// The security group it opens, when that group is in the plan.
    pub group: Option<String>,
    pub from_port: i64,
    pub to_port: i64,
    /// Lower case; `-1` means every protocol.
    pub protocol: String,
    pub cidr: String,
}

impl WorldIngress {
    /// `port 22 (tcp) from 0.0.0.0/0`.
    pub fn describe(&self) -> String {
        let protocol = match self.protocol.as_str() {
            "6" => "tcp",
            "17" => "udp",
            "1" => "icmp",
            "58" => "icmpv6",
            other => other,
        };
        let ports = if self.protocol == "-1" || self.protocol == "all" {
            "every port".to_string()
        } else if self.from_port == self.to_port {
            format!("port {} ({protocol})", self.from_port)
        } else {
            format!("ports {}-{} ({protocol})", self.from_port, self.to_port)
        };
        format!("{ports} from {}", self.cidr)
    }

    /// True when every port the rule opens is one of `allowed` over TCP.
    pub fn only_ports(&self, allowed: &[u16]) -> bool {
        let tcp = matches!(self.protocol.as_str(), "tcp" | "6");
        if !tcp || self.from_port > self.to_port || self.from_port < 0 {
            return false;
        }
        let span = (self.to_port - self.from_port) as usize + 1;
        span <= allowed.len()
            && (self.from_port..=self.to_port).all(|p| allowed.iter().any(|&a| i64::from(a) == p))
    }
}

const SG: &str = "aws_security_group";
const SG_RULE: &str = "aws_security_group_rule";
const SG_INGRESS: &str = "aws_vpc_security_group_ingress_rule";

fn int(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn protocol(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.trim().to_ascii_lowercase(),
        Some(Value::Number(n)) => n.to_string(),
        _ => "-1".to_string(),
    }
}

fn cidrs(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// The security group in the plan that a rule resource attaches to.
fn target_group<'p>(plan: &'p Plan, rule: &Resource) -> Option<&'p Resource> {
    plan.resources
        .iter()
        .find(|g| g.kind == SG && refers_to(rule, g))
}

/// World-open ingress rules carried by one resource.
pub fn world_ingress_of(plan: &Plan, r: &Resource) -> Vec<WorldIngress> {
    let mut out = Vec::new();
    if !survives(r) {
        return out;
    }
    let mut push = |group: Option<String>,
                    obj: &serde_json::Map<String, Value>,
                    cidr_keys: &[&str],
                    proto_key: &str| {
        let from_port = int(obj.get("from_port")).unwrap_or(0);
        let to_port = int(obj.get("to_port")).unwrap_or(from_port);
        let mut proto = protocol(obj.get(proto_key));
        if proto == "all" {
            proto = "-1".to_string();
        }
        let (from_port, to_port) = if proto == "-1" {
            (0, 65535)
        } else {
            (from_port, to_port)
        };
        for key in cidr_keys {
            for cidr in cidrs(obj.get(*key)) {
                if is_world_cidr(&cidr) {
                    out.push(WorldIngress {
                        carrier: r.address.clone(),
                        group: group.clone(),
                        from_port,
                        to_port,
                        protocol: proto.clone(),
                        cidr,
                    });
                }
            }
        }
    };
    match r.kind.as_str() {
        SG => {
            let blocks: Vec<&Value> = match r.value("ingress") {
                Some(Value::Array(rules)) => rules.iter().collect(),
                Some(one @ Value::Object(_)) => vec![one],
                _ => Vec::new(),
            };
            for rule in blocks {
                if let Value::Object(obj) = rule {
                    push(
                        Some(r.address.clone()),
                        obj,
                        &["cidr_blocks", "ipv6_cidr_blocks"],
                        "protocol",
                    );
                }
            }
        }
        SG_RULE
            if r.str_value("type")
                .is_none_or(|t| t.eq_ignore_ascii_case("ingress")) =>
        {
            let group = target_group(plan, r).map(|g| g.address.clone());
            push(
                group,
                &r.values,
                &["cidr_blocks", "ipv6_cidr_blocks"],
                "protocol",
            );
        }
        SG_INGRESS => {
            let group = target_group(plan, r).map(|g| g.address.clone());
            push(group, &r.values, &["cidr_ipv4", "cidr_ipv6"], "ip_protocol");
        }
        _ => {}
    }
    out
}

/// Every world-open ingress rule in the plan.
pub fn world_ingress(plan: &Plan) -> Vec<WorldIngress> {
    plan.resources
        .iter()
        .flat_map(|r| world_ingress_of(plan, r))
        .collect()
}

/// True when the security group is attached to a load balancer that faces the internet.
pub fn fronts_public_load_balancer(plan: &Plan, group: &str) -> bool {
    let Some(sg) = plan.resource(group) else {
        return false;
    };
    plan.resources.iter().any(|lb| {
        matches!(lb.kind.as_str(), "aws_lb" | "aws_alb" | "aws_elb")
            && survives(lb)
            && lb.value("internal").and_then(as_bool) != Some(true)
            && refers_to(lb, sg)
    })
}

/// The plan's security groups a resource uses (a database's `vpc_security_group_ids`).
pub fn groups_of<'p>(plan: &'p Plan, r: &Resource) -> Vec<&'p Resource> {
    plan.resources
        .iter()
        .filter(|g| g.kind == SG && refers_to(r, g))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use paved_core::Environment;
    use serde_json::json;

    use crate::test_support::res;

    fn plan(resources: Vec<Resource>) -> Plan {
        crate::test_support::plan(Environment::Development, resources)
    }

    #[test]
    fn reads_all_three_spellings() {
        let p = plan(vec![
            res(
                "aws_security_group",
                "web",
                json!({"ingress": [
                    {"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]},
                    {"from_port": 5432, "to_port": 5432, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/16"]}
                ]}),
            ),
            res(
                "aws_security_group_rule",
                "ssh",
                json!({"type": "ingress", "from_port": 22, "to_port": 22,
                "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"], "security_group_id": "${aws_security_group.web.id}"}),
            ),
            res(
                "aws_vpc_security_group_ingress_rule",
                "all6",
                json!({"ip_protocol": "-1",
                "cidr_ipv6": "::/0", "security_group_id": "sg-0abc"}),
            ),
            res(
                "aws_security_group_rule",
                "egress",
                json!({"type": "egress", "from_port": 0, "to_port": 0,
                "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"]}),
            ),
        ]);
        let found = world_ingress(&p);
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(found[0].from_port, 443);
        assert_eq!(found[1].group.as_deref(), Some("aws_security_group.web"));
        assert_eq!(found[1].describe(), "port 22 (tcp) from 0.0.0.0/0");
        assert_eq!(found[2].group, None);
        assert_eq!(found[2].describe(), "every port from ::/0");
        assert!(found[0].only_ports(&[80, 443]));
        assert!(!found[1].only_ports(&[80, 443]));
        assert!(!found[2].only_ports(&[80, 443]));
    }

    #[test]
    fn public_and_internal_load_balancers() {
        let p = plan(vec![
            res("aws_security_group", "alb", json!({})),
            res("aws_security_group", "int", json!({})),
            res(
                "aws_lb",
                "public",
                json!({"internal": false, "security_groups": ["aws_security_group.alb.id"]}),
            ),
            res(
                "aws_lb",
                "private",
                json!({"internal": true, "security_groups": ["aws_security_group.int.id"]}),
            ),
        ]);
        assert!(fronts_public_load_balancer(&p, "aws_security_group.alb"));
        assert!(!fronts_public_load_balancer(&p, "aws_security_group.int"));
        assert!(!fronts_public_load_balancer(&p, "aws_security_group.none"));
    }

    #[test]
    fn a_single_ingress_object_is_one_rule() {
        let p = plan(vec![res(
            "aws_security_group",
            "app",
            json!({"ingress": {"from_port": 20, "to_port": 25, "protocol": "6",
                "ipv6_cidr_blocks": ["::/0"]}}),
        )]);
        let found = world_ingress(&p);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].describe(), "ports 20-25 (tcp) from ::/0");
        assert!(!found[0].only_ports(&[80, 443]));
    }

    #[test]
    fn internal_is_read_however_spelled() {
        let p = plan(vec![
            res("aws_security_group", "alb", json!({})),
            res(
                "aws_lb",
                "x",
                json!({"internal": 1, "security_groups": ["aws_security_group.alb.id"]}),
            ),
        ]);
        assert!(!fronts_public_load_balancer(&p, "aws_security_group.alb"));
    }
}
