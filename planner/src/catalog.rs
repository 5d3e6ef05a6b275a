//! The catalog: every golden path, the price table and the IPAM policy, loaded from `policies/`
//! and checked as a whole (a path may only create resource types the price table knows).

use paved_core::golden_path::{CostRange, GoldenPath};
use paved_core::policy::{line_of, parse_yaml};
use paved_core::{PolicyError, PriceTable};
use std::path::Path;
use std::sync::OnceLock;

use crate::ipam::IpamConfig;
use crate::schedule;
use crate::template::{CompileError, CompiledPath, compile};

/// Golden paths, prices and IPAM, ready to plan with.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// The golden paths, in file-name order.
    pub paths: Vec<GoldenPath>,
    pub prices: PriceTable,
    pub ipam: IpamConfig,
    pub(crate) compiled: Vec<CompiledPath>,
}

mod shipped {
    include!(concat!(env!("OUT_DIR"), "/shipped_policies.rs"));
}

impl Catalog {
    /// Reads `dir/golden_paths/*.yaml`, `dir/prices.yaml` and `dir/ipam.yaml`. Other files (the
    /// audit's `guardrails.yaml`) are not this crate's business.
    pub fn load(dir: &Path) -> Result<Catalog, PolicyError> {
        let read = |p: &Path| {
            std::fs::read_to_string(p).map_err(|e| {
                PolicyError::new(
                    &p.display().to_string(),
                    None,
                    None,
                    format!("cannot be read: {e}"),
                )
            })
        };
        let gp_dir = dir.join("golden_paths");
        let entries = std::fs::read_dir(&gp_dir).map_err(|e| {
            PolicyError::new(
                &gp_dir.display().to_string(),
                None,
                None,
                format!("cannot be read ({e}); a policies directory needs a golden_paths/ folder of YAML files"),
            )
        })?;
        let mut files: Vec<std::path::PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        files.sort();
        let mut paths = Vec::with_capacity(files.len());
        for f in &files {
            paths.push((f.display().to_string(), read(f)?));
        }
        let prices = dir.join("prices.yaml");
        let ipam = dir.join("ipam.yaml");
        Catalog::from_texts(
            &paths,
            (&prices.display().to_string(), &read(&prices)?),
            (&ipam.display().to_string(), &read(&ipam)?),
        )
    }

    /// The repository's own `policies/`, compiled into the binary.
    pub fn try_shipped() -> Result<Catalog, PolicyError> {
        let paths: Vec<(String, String)> = shipped::GOLDEN_PATHS
            .iter()
            .map(|(name, text)| (format!("policies/golden_paths/{name}"), (*text).to_string()))
            .collect();
        Catalog::from_texts(
            &paths,
            ("policies/prices.yaml", shipped::PRICES),
            ("policies/ipam.yaml", shipped::IPAM),
        )
    }

    /// The repository's own `policies/`, compiled into the binary.
    ///
    /// These files are part of the build, not user input, and a test loads them; a defect in them
    /// is a defect of the build, which is why this panics instead of returning an error.
    pub fn shipped() -> Catalog {
        static SHIPPED: OnceLock<Catalog> = OnceLock::new();
        SHIPPED
            .get_or_init(|| match Catalog::try_shipped() {
                Ok(c) => c,
                Err(e) => panic!("the shipped policies are broken: {e}"),
            })
            .clone()
    }

    /// Builds a catalog from file texts: `(file name, text)` pairs.
    pub fn from_texts(
        golden_paths: &[(String, String)],
        prices: (&str, &str),
        ipam: (&str, &str),
    ) -> Result<Catalog, PolicyError> {
        let price_table = PriceTable::parse(prices.0, prices.1)?;
        let ipam_cfg = IpamConfig::parse(ipam.0, ipam.1)?;
        if golden_paths.is_empty() {
            return Err(PolicyError::new(
                "golden_paths/",
                None,
                None,
                "holds no golden path; add at least one YAML file",
            ));
        }
        let mut paths: Vec<GoldenPath> = Vec::with_capacity(golden_paths.len());
        let mut compiled = Vec::with_capacity(golden_paths.len());
        for (file, text) in golden_paths {
            let path: GoldenPath = parse_yaml(file, text)?;
            check_path(file, text, &path, &paths, &price_table)?;
            let c = compile(&path, &ipam_cfg).map_err(|e| compile_error(file, text, &path, e))?;
            paths.push(path);
            compiled.push(c);
        }
        Ok(Catalog {
            paths,
            prices: price_table,
            ipam: ipam_cfg,
            compiled,
        })
    }

    pub fn path(&self, id: &str) -> Option<&GoldenPath> {
        self.paths.iter().find(|p| p.id == id)
    }

    /// What the understander needs to know of each golden path.
    pub fn path_hints(&self) -> Vec<crate::understand::PathHint> {
        self.paths
            .iter()
            .map(|p| crate::understand::PathHint {
                id: p.id.clone(),
                keywords: p.keywords.clone(),
                default_components: p.default_components.clone(),
            })
            .collect()
    }

    pub(crate) fn index_of(&self, id: &str) -> Option<usize> {
        self.paths.iter().position(|p| p.id == id)
    }

    /// Size prefixes (`db.`, `cache.`, `ml.`) of every resizable resource, longest first.
    pub(crate) fn size_prefixes(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .paths
            .iter()
            .flat_map(|p| p.resources.iter())
            .filter_map(|r| r.resize.as_ref())
            .map(|r| r.prefix.as_str())
            .filter(|p| !p.is_empty())
            .collect();
        v.sort_by_key(|p| std::cmp::Reverse(p.len()));
        v.dedup();
        v
    }
}

fn check_path(
    file: &str,
    text: &str,
    path: &GoldenPath,
    earlier: &[GoldenPath],
    prices: &PriceTable,
) -> Result<(), PolicyError> {
    let at = |key: &str, field: &str, msg: String| {
        PolicyError::new(file, line_of(text, key, 1), Some(field), msg)
    };
    if earlier.iter().any(|p| p.id == path.id) {
        return Err(at(
            "id",
            "id",
            format!("golden path `{}` is defined twice", path.id),
        ));
    }
    if path.fallback && earlier.iter().any(|p| p.fallback) {
        return Err(at(
            "fallback",
            "fallback",
            "only one golden path may be the fallback".into(),
        ));
    }
    let CostRange { min, max } = path.cost_range_usd;
    if !(min.is_finite() && max.is_finite() && min <= max) {
        return Err(at(
            "cost_range_usd",
            "cost_range_usd",
            "`min` must not exceed `max`".into(),
        ));
    }
    if path.resources.is_empty() {
        return Err(at(
            "resources",
            "resources",
            "a golden path needs at least one resource".into(),
        ));
    }
    for env in paved_core::Environment::ALL {
        let n = path.availability_zones.get(env);
        if n == 0 {
            return Err(at(
                "availability_zones",
                "availability_zones",
                format!("{env} needs at least one zone"),
            ));
        }
    }
    for r in &path.data_residency {
        if !r.default_region.starts_with(&r.region_prefix) {
            return Err(at(
                "default_region",
                "data_residency.default_region",
                format!(
                    "`{}` does not start with `{}`",
                    r.default_region, r.region_prefix
                ),
            ));
        }
        if prices.check_region(&r.default_region).is_err() {
            return Err(at(
                "default_region",
                "data_residency.default_region",
                format!("`{}` is not a region of the price table", r.default_region),
            ));
        }
    }
    if let Some(s) = &path.default_schedule {
        schedule::to_eventbridge(s)
            .map_err(|e| at("default_schedule", "default_schedule", e.to_string()))?;
    }
    for r in &path.resources {
        if !prices.knows_type(&r.kind) {
            let line = text
                .lines()
                .position(|l| l.contains("type:") && l.contains(r.kind.as_str()))
                .map(|i| i + 1);
            return Err(PolicyError::new(
                file,
                line,
                Some("type"),
                format!(
                    "resource type `{}` has no price; add it to prices.yaml (or to its free_types)",
                    r.kind
                ),
            ));
        }
    }
    Ok(())
}

/// The 1-based line where resource `kind.name` starts in a golden-path file.
fn resource_line(text: &str, kind: &str, name: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let value_of = |l: &str, key: &str| -> Option<String> {
        let t = l.trim_start().trim_start_matches("- ").trim_start();
        let rest = t.strip_prefix(key)?.trim_start().strip_prefix(':')?;
        Some(
            rest.trim()
                .trim_matches(|c| c == '"' || c == '\'')
                .to_string(),
        )
    };
    for (i, l) in lines.iter().enumerate() {
        if value_of(l, "type").as_deref() == Some(kind) {
            let lo = i.saturating_sub(3);
            let hi = (i + 4).min(lines.len());
            if lines[lo..hi]
                .iter()
                .any(|l| value_of(l, "name").as_deref() == Some(name))
            {
                return Some(i + 1);
            }
        }
    }
    None
}

fn compile_error(file: &str, text: &str, path: &GoldenPath, e: CompileError) -> PolicyError {
    let (start, field) = match e.resource {
        Some(i) => {
            let r = &path.resources[i];
            (
                resource_line(text, &r.kind, &r.name).unwrap_or(1),
                format!(
                    "resources[{i}] ({}).{}",
                    r.address(),
                    e.field.trim_start_matches('.')
                ),
            )
        }
        None => (line_of(text, "vars", 1).unwrap_or(1), e.field.clone()),
    };
    let line = text
        .lines()
        .enumerate()
        .skip(start - 1)
        .find(|(_, l)| l.contains(&e.needle))
        .map(|(i, _)| i + 1)
        .or(Some(start));
    PolicyError {
        file: file.to_string(),
        line,
        field: Some(field),
        message: e.message,
    }
}
