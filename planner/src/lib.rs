//! Understanding and planning: a plain-English request becomes an Intent, and an Intent becomes a
//! Plan on a golden path, priced and with its network allocated from IPAM.
//!
//! Everything here is pure: the catalog (golden paths, prices, IPAM) is data loaded once, and
//! planning is a function of the intent, the catalog and the planning context.

mod catalog;
mod change;
pub mod ipam;
mod planner;
pub mod schedule;
mod template;
pub mod understand;

pub use catalog::Catalog;
pub use ipam::{Cidr, IpamAllocation, IpamConfig, IpamError};
pub use paved_core::golden_path::GoldenPath;
pub use paved_core::price::{PriceError, PriceTable, price_plan};
pub use planner::{Planner, PlanningContext, PlanningError};
pub use understand::{RuleUnderstander, Understander};

/// The tag the inventory gives a deployed resource for the region its request deployed to: a
/// change to that resource (delete, rollback, scale, modify) is planned there.
pub const REGION_TAG: &str = "paved:region";
