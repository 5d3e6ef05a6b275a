//! Who may approve what: roles, their members, their channels, and how many must agree.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One approver role (`finance_manager`, `cfo`, `security_team`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Verified user ids of the role's members (Slack `U…`, Discord ids, `terminal:name`).
    #[serde(default)]
    pub users: Vec<String>,
    /// Platform group ids whose members hold the role (Slack user groups, Discord role ids); the
    /// adapter resolves them to user ids when a button is pressed.
    #[serde(default)]
    pub groups: Vec<String>,
    /// The channel where this role's escalations are posted.
    #[serde(default)]
    pub channel: String,
    /// How many different members must approve (N of M). At least 1.
    #[serde(default = "one")]
    pub required: u32,
}

fn one() -> u32 {
    1
}

/// The approver directory of the configuration file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Directory {
    #[serde(default)]
    pub roles: BTreeMap<String, Role>,
    /// How long an escalation waits for its approvers before it expires, in minutes.
    #[serde(default = "default_ttl")]
    pub escalation_ttl_minutes: u64,
}

fn default_ttl() -> u64 {
    24 * 60
}

impl Default for Directory {
    fn default() -> Self {
        Directory { roles: BTreeMap::new(), escalation_ttl_minutes: default_ttl() }
    }
}

impl Directory {
    pub fn role(&self, name: &str) -> Option<&Role> {
        self.roles.get(name)
    }

    /// True when `user` (with the platform groups it belongs to) holds `role`.
    pub fn holds(&self, role: &str, user: &str, groups: &[String]) -> bool {
        self.roles.get(role).is_some_and(|r| {
            r.users.iter().any(|u| u == user) || r.groups.iter().any(|g| groups.contains(g))
        })
    }

    pub fn required(&self, role: &str) -> u32 {
        self.roles.get(role).map(|r| r.required.max(1)).unwrap_or(1)
    }

    pub fn ttl_ms(&self) -> i64 {
        (self.escalation_ttl_minutes as i64).saturating_mul(60_000)
    }
}
