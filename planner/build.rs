//! Embeds the repository's `policies/` (golden paths, prices, IPAM) so that `Catalog::shipped()`
//! needs no files at run time. Every YAML file under `policies/golden_paths/` is included, so a new
//! path needs no change here.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    let policies = manifest.join("..").join("policies");
    println!("cargo:rerun-if-changed={}", policies.display());
    let gp = policies.join("golden_paths");
    println!("cargo:rerun-if-changed={}", gp.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&gp)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"));
    files.sort();
    let mut out = String::from("pub(crate) const GOLDEN_PATHS: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            f.display().to_string()
        );
    }
    out.push_str("];\n");
    for (konst, file) in [("PRICES", "prices.yaml"), ("IPAM", "ipam.yaml")] {
        let p = policies.join(file);
        println!("cargo:rerun-if-changed={}", p.display());
        let _ = writeln!(
            out,
            "pub(crate) const {konst}: &str = include_str!({:?});",
            p.display().to_string()
        );
    }
    let dest = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into()))
        .join("shipped_policies.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        panic!("cannot write {}: {e}", dest.display());
    }
}
