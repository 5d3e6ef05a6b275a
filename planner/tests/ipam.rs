//! IPAM allocation: never overlapping, first fit, clear exhaustion.

use paved_planner::{Catalog, Cidr, IpamAllocation, IpamError};
use proptest::prelude::*;

fn alloc(cidr: &str) -> IpamAllocation {
    IpamAllocation {
        cidr: cidr.into(),
        segment: "x".into(),
        owner: "o".into(),
    }
}

#[test]
fn first_free_block_and_exhaustion() {
    let ipam = Catalog::shipped().ipam;
    let a = ipam.allocate("prod-pci", &[], "s/production").unwrap();
    assert_eq!(a.cidr, "10.101.0.0/20");
    assert_eq!(a.segment, "prod-pci");
    // A /16 segment holds sixteen /20s; fill it.
    let mut taken = Vec::new();
    for _ in 0..16 {
        let a = ipam.allocate("non-prod", &taken, "s").unwrap();
        taken.push(a);
    }
    match ipam.allocate("non-prod", &taken, "s") {
        Err(e @ IpamError::SegmentFull { .. }) => {
            let msg = e.to_string();
            assert!(
                msg.contains("non-prod") && msg.contains("10.103.0.0/16"),
                "{msg}"
            );
        }
        other => panic!("{other:?}"),
    }
    // A large allocation covering the whole segment also fills it.
    assert!(matches!(
        ipam.allocate("prod-api", &[alloc("10.102.0.0/16")], "s"),
        Err(IpamError::SegmentFull { .. })
    ));
    assert!(matches!(
        ipam.allocate("prod-api", &[alloc("not a cidr")], "s"),
        Err(IpamError::BadAllocation(_))
    ));
    assert!(matches!(
        ipam.allocate("moon", &[], "s"),
        Err(IpamError::UnknownSegment(_))
    ));
}

proptest! {
    #[test]
    fn allocations_never_overlap_existing_ones(blocks in prop::collection::vec((0u32..256, 16u8..=24), 0..40)) {
        let ipam = Catalog::shipped().ipam;
        let existing: Vec<IpamAllocation> = blocks
            .iter()
            .filter_map(|(i, prefix)| {
                let seg: Cidr = "10.100.0.0/16".parse().unwrap();
                seg.subnet(*prefix, u64::from(*i) % seg.count_of(*prefix)).map(|c| alloc(&c.to_string()))
            })
            .collect();
        match ipam.allocate("prod-general", &existing, "s") {
            Ok(a) => {
                let got: Cidr = a.cidr.parse().unwrap();
                prop_assert_eq!(got.prefix(), 20);
                prop_assert!("10.100.0.0/16".parse::<Cidr>().unwrap().contains(got));
                for e in &existing {
                    prop_assert!(!got.overlaps(e.cidr.parse().unwrap()), "{} overlaps {}", got, e.cidr);
                }
            }
            Err(IpamError::SegmentFull { .. }) => {
                // Full only if every /20 of the segment is touched.
                let seg: Cidr = "10.100.0.0/16".parse().unwrap();
                for k in 0..16 {
                    let b = seg.subnet(20, k).unwrap();
                    prop_assert!(existing.iter().any(|e| e.cidr.parse::<Cidr>().unwrap().overlaps(b)));
                }
            }
            Err(e) => prop_assert!(false, "{e}"),
        }
    }
}
