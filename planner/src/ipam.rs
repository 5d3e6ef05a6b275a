//! IP address management: VPC CIDRs come from a configured pool split into segments, and a new
//! VPC never overlaps an allocation already made.
//!
//! The arithmetic is done by hand on `u32`s: an IPv4 network is a 32-bit address and a prefix
//! length, and everything needed here (parse, contain, overlap, carve) is a few shifts.

use paved_core::PolicyError;
use paved_core::golden_path::{Condition, Scenario};
use paved_core::policy::{line_of, parse_yaml};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// An IPv4 network: address and prefix length, host bits zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cidr {
    addr: u32,
    prefix: u8,
}

/// Why a CIDR string is not a network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not an IPv4 network such as 10.100.0.0/16 (address, slash, prefix 0-32, host bits zero)"
)]
pub struct CidrError(pub String);

impl Cidr {
    pub fn new(addr: u32, prefix: u8) -> Option<Cidr> {
        if prefix > 32 {
            return None;
        }
        let c = Cidr { addr, prefix };
        (addr & !c.mask() == 0).then_some(c)
    }

    pub fn prefix(self) -> u8 {
        self.prefix
    }

    fn mask(self) -> u32 {
        if self.prefix == 0 {
            0
        } else {
            u32::MAX << (32 - self.prefix)
        }
    }

    pub fn first(self) -> u32 {
        self.addr
    }

    pub fn last(self) -> u32 {
        self.addr | !self.mask()
    }

    pub fn contains(self, other: Cidr) -> bool {
        other.prefix >= self.prefix && other.addr & self.mask() == self.addr
    }

    pub fn overlaps(self, other: Cidr) -> bool {
        self.first() <= other.last() && other.first() <= self.last()
    }

    /// How many networks of `prefix` fit in this one.
    pub fn count_of(self, prefix: u8) -> u64 {
        if prefix < self.prefix || prefix > 32 {
            0
        } else {
            1u64 << (prefix - self.prefix)
        }
    }

    /// The `index`-th network of length `prefix` inside this one.
    pub fn subnet(self, prefix: u8, index: u64) -> Option<Cidr> {
        if index >= self.count_of(prefix) {
            return None;
        }
        let size = 1u64 << (32 - prefix);
        let addr = u64::from(self.addr) + index * size;
        Cidr::new(u32::try_from(addr).ok()?, prefix)
    }
}

impl FromStr for Cidr {
    type Err = CidrError;

    fn from_str(s: &str) -> Result<Cidr, CidrError> {
        let bad = || CidrError(s.to_string());
        let (ip, prefix) = s.trim().split_once('/').ok_or_else(bad)?;
        let prefix: u8 = prefix.parse().map_err(|_| bad())?;
        let mut octets = ip.split('.');
        let mut addr: u32 = 0;
        for _ in 0..4 {
            let o: u8 = octets.next().ok_or_else(bad)?.parse().map_err(|_| bad())?;
            addr = (addr << 8) | u32::from(o);
        }
        if octets.next().is_some() {
            return Err(bad());
        }
        Cidr::new(addr, prefix).ok_or_else(bad)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = self.addr;
        write!(
            f,
            "{}.{}.{}.{}/{}",
            a >> 24,
            (a >> 16) & 255,
            (a >> 8) & 255,
            a & 255,
            self.prefix
        )
    }
}

/// The IPAM policy (`policies/ipam.yaml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IpamConfig {
    /// The whole pool, e.g. `10.100.0.0/14`.
    pub pool: String,
    /// Prefix length of one VPC (`20` = 4,096 addresses).
    pub vpc_prefix: u8,
    /// Prefix length of one subnet carved from a VPC.
    pub subnet_prefix: u8,
    /// Subnet tiers, in the order their blocks are carved (`public`, `private`, `data`).
    pub tiers: Vec<String>,
    /// The most availability zones a VPC may span; each tier reserves this many subnets.
    pub max_azs: u8,
    /// Availability-zone letters per region, where they are not `a, b, c, ...`.
    #[serde(default)]
    pub zone_letters: BTreeMap<String, Vec<String>>,
    pub segments: Vec<Segment>,
    /// Which segment a plan's VPC goes in: the first rule whose condition holds.
    pub segment_rules: Vec<SegmentRule>,
}

/// A part of the pool reserved for one kind of network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    pub name: String,
    pub cidr: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentRule {
    pub segment: String,
    /// No condition: the rule always matches (the last rule must be one).
    #[serde(default)]
    pub when: Option<Condition>,
}

/// A VPC CIDR already handed out; the input planning must not overlap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpamAllocation {
    pub cidr: String,
    pub segment: String,
    /// Who holds it: a service and environment (`payment-service/production`) or a request id.
    pub owner: String,
}

/// Why no CIDR could be allocated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IpamError {
    #[error(
        "the IPAM segment `{segment}` ({cidr}) has no free /{prefix} left ({allocated} allocated); free an allocation or widen the segment in ipam.yaml"
    )]
    SegmentFull {
        segment: String,
        cidr: String,
        prefix: u8,
        allocated: usize,
    },
    #[error("the existing allocation `{0}` is not an IPv4 network; correct it in the IPAM records")]
    BadAllocation(String),
    #[error("no IPAM segment is named `{0}`")]
    UnknownSegment(String),
}

impl IpamConfig {
    /// Parses and checks `ipam.yaml`.
    pub fn parse(file: &str, text: &str) -> Result<IpamConfig, PolicyError> {
        let cfg: IpamConfig = parse_yaml(file, text)?;
        cfg.check(file, text)?;
        Ok(cfg)
    }

    fn check(&self, file: &str, text: &str) -> Result<(), PolicyError> {
        let err =
            |key: &str, msg: String| PolicyError::new(file, line_of(text, key, 1), Some(key), msg);
        let pool: Cidr = self
            .pool
            .parse()
            .map_err(|e: CidrError| err("pool", e.to_string()))?;
        if self.vpc_prefix < pool.prefix() || self.vpc_prefix > 28 {
            return Err(err(
                "vpc_prefix",
                format!("must be between the pool's /{} and /28", pool.prefix()),
            ));
        }
        if self.subnet_prefix <= self.vpc_prefix || self.subnet_prefix > 28 {
            return Err(err(
                "subnet_prefix",
                "must be longer than vpc_prefix and at most /28".into(),
            ));
        }
        if self.tiers.is_empty() || self.max_azs == 0 {
            return Err(err(
                "tiers",
                "needs at least one tier and max_azs of at least 1".into(),
            ));
        }
        let needed = self.tiers.len() as u64 * u64::from(self.max_azs);
        let fits = 1u64 << (self.subnet_prefix - self.vpc_prefix);
        if needed > fits {
            return Err(err(
                "subnet_prefix",
                format!(
                    "{} tiers × {} zones need {needed} subnets of /{}, but a /{} VPC holds only {fits}",
                    self.tiers.len(),
                    self.max_azs,
                    self.subnet_prefix,
                    self.vpc_prefix
                ),
            ));
        }
        let mut seen: Vec<(&str, Cidr)> = Vec::new();
        for s in &self.segments {
            let c: Cidr = s
                .cidr
                .parse()
                .map_err(|e: CidrError| err(&s.name, e.to_string()))?;
            let line = text
                .lines()
                .position(|l| l.contains(&s.cidr))
                .map(|i| i + 1);
            if !pool.contains(c) {
                return Err(PolicyError::new(
                    file,
                    line,
                    Some("cidr"),
                    format!("segment `{}` ({c}) is outside the pool {pool}", s.name),
                ));
            }
            if c.prefix() > self.vpc_prefix {
                return Err(PolicyError::new(
                    file,
                    line,
                    Some("cidr"),
                    format!(
                        "segment `{}` is smaller than one VPC (/{})",
                        s.name, self.vpc_prefix
                    ),
                ));
            }
            if let Some((other, _)) = seen.iter().find(|(n, o)| *n == s.name || o.overlaps(c)) {
                return Err(PolicyError::new(
                    file,
                    line,
                    Some("cidr"),
                    format!("segment `{}` overlaps or repeats segment `{other}`", s.name),
                ));
            }
            seen.push((&s.name, c));
        }
        for (i, r) in self.segment_rules.iter().enumerate() {
            if !self.segments.iter().any(|s| s.name == r.segment) {
                let line = text
                    .lines()
                    .position(|l| l.contains("segment:") && l.contains(&r.segment))
                    .map(|i| i + 1);
                return Err(PolicyError::new(
                    file,
                    line,
                    Some("segment"),
                    format!(
                        "rule {} names segment `{}`, which is not in `segments`",
                        i + 1,
                        r.segment
                    ),
                ));
            }
        }
        if self
            .segment_rules
            .last()
            .is_none_or(|r| r.when.as_ref().is_some_and(|c| !c.is_always()))
        {
            return Err(err(
                "segment_rules",
                "the last segment rule must have no `when`, so that every plan gets a segment"
                    .into(),
            ));
        }
        Ok(())
    }

    /// The segment a plan with these facts goes in.
    pub fn segment_for(&self, s: &Scenario<'_>) -> &str {
        self.segment_rules
            .iter()
            .find(|r| r.when.as_ref().is_none_or(|c| c.holds(s)))
            .map(|r| r.segment.as_str())
            .unwrap_or("non-prod")
    }

    /// Allocates the first VPC-sized block of `segment` that overlaps no existing allocation.
    pub fn allocate(
        &self,
        segment: &str,
        existing: &[IpamAllocation],
        owner: &str,
    ) -> Result<IpamAllocation, IpamError> {
        let seg = self
            .segments
            .iter()
            .find(|s| s.name == segment)
            .ok_or_else(|| IpamError::UnknownSegment(segment.to_string()))?;
        // Checked at load; a failure here means the config was built by hand, so say which.
        let seg_cidr: Cidr = seg
            .cidr
            .parse()
            .map_err(|_| IpamError::UnknownSegment(segment.to_string()))?;
        let mut taken = Vec::with_capacity(existing.len());
        for a in existing {
            taken.push(
                a.cidr
                    .parse::<Cidr>()
                    .map_err(|_| IpamError::BadAllocation(a.cidr.clone()))?,
            );
        }
        let n = seg_cidr.count_of(self.vpc_prefix);
        let mut i = 0;
        while i < n {
            let Some(block) = seg_cidr.subnet(self.vpc_prefix, i) else {
                break;
            };
            match taken
                .iter()
                .filter(|t| t.overlaps(block))
                .map(|t| t.last())
                .max()
            {
                None => {
                    return Ok(IpamAllocation {
                        cidr: block.to_string(),
                        segment: segment.to_string(),
                        owner: owner.to_string(),
                    });
                }
                // Skip past the end of whatever overlaps, so a large allocation is stepped over at once.
                Some(last) => {
                    let size = 1u64 << (32 - self.vpc_prefix);
                    let next = (u64::from(last) + 1)
                        .saturating_sub(u64::from(seg_cidr.first()))
                        .div_ceil(size);
                    i = next.max(i + 1);
                }
            }
        }
        Err(IpamError::SegmentFull {
            segment: segment.to_string(),
            cidr: seg_cidr.to_string(),
            prefix: self.vpc_prefix,
            allocated: taken.iter().filter(|t| t.overlaps(seg_cidr)).count(),
        })
    }

    /// The subnet of `tier` (by index) in zone `az` (by index) of a VPC.
    pub fn subnet(&self, vpc: Cidr, tier: usize, az: usize) -> Option<Cidr> {
        if az >= usize::from(self.max_azs) {
            return None;
        }
        vpc.subnet(
            self.subnet_prefix,
            (tier * usize::from(self.max_azs) + az) as u64,
        )
    }

    pub fn tier_index(&self, tier: &str) -> Option<usize> {
        self.tiers.iter().position(|t| t == tier)
    }

    /// The availability-zone names of a region (`us-east-1a`, ...), `count` of them.
    pub fn zones(&self, region: &str, count: usize) -> Vec<String> {
        match self.zone_letters.get(region) {
            Some(letters) => letters
                .iter()
                .take(count)
                .map(|l| format!("{region}{l}"))
                .collect(),
            None => (b'a'..=b'z')
                .take(count)
                .map(|l| format!("{region}{}", l as char))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_parse_display_and_arithmetic() {
        let c: Cidr = "10.100.0.0/14".parse().unwrap();
        assert_eq!(c.to_string(), "10.100.0.0/14");
        assert_eq!(c.count_of(16), 4);
        assert_eq!(c.subnet(16, 3).unwrap().to_string(), "10.103.0.0/16");
        assert!(c.subnet(16, 4).is_none());
        assert!("10.100.0.1/16".parse::<Cidr>().is_err());
        assert!("10.100.0.0/33".parse::<Cidr>().is_err());
        assert!("10.300.0.0/16".parse::<Cidr>().is_err());
        assert!("10.1.0.0".parse::<Cidr>().is_err());
        let a: Cidr = "10.100.16.0/20".parse().unwrap();
        let b: Cidr = "10.100.0.0/16".parse().unwrap();
        assert!(a.overlaps(b) && b.overlaps(a) && b.contains(a) && !a.contains(b));
        assert!(!a.overlaps("10.100.32.0/20".parse().unwrap()));
    }
}
