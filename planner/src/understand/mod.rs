//! Understanding: a plain-English request → an `Intent`.
//!
//! `Understander` is the seam: the deterministic `RuleUnderstander` here needs no network and no
//! model, and an LLM-backed understander can later implement the same trait. Reading happens in
//! two steps so that every decision can be explained:
//!
//! 1. `reading` turns the words into `Facts`: only what the text states (with spelling fixed,
//!    negations applied and places mapped to regions).
//! 2. `compose` turns `Facts` into an `Intent`: it picks the golden path by score, adds the path's
//!    default components and the default environment and region, each with a plain-English
//!    assumption, asks questions where acting would be a guess, and rates its confidence.
//!
//! All words live in `vocabulary`; the logic never spells English itself.

mod compose;
mod lexicon;
mod money;
mod reading;
mod schedule;
pub mod vocabulary;

use lexicon::Lexicon;
use paved_core::{Component, Intent};
use reading::Mode;

pub use compose::{
    ASSUMED_CACHE, ASSUMED_DATABASE, ASSUMED_ENVIRONMENT, ASSUMED_REGION, ASSUMED_WORKLOAD,
    QUESTION_NO_WORKLOAD,
};
pub use lexicon::{is_instance_size, looks_like_region};
pub use schedule::literal_cron;

/// Turns a plain-English request into an Intent. An LLM understander will later implement this too.
pub trait Understander: Send + Sync {
    fn understand(&self, request: &str) -> Intent;
}

/// What the understander needs to know about one golden path, taken from its YAML file.
#[derive(Debug, Clone, PartialEq)]
pub struct PathHint {
    pub id: String,
    /// Words and phrases that point at this path ("web app", "storefront").
    pub keywords: Vec<String>,
    /// Components the path brings when the request names none of their kind.
    pub default_components: Vec<Component>,
}

/// One golden path as the understander sees it.
#[derive(Debug, Clone)]
struct PathInfo {
    id: String,
    defaults: Vec<Component>,
}

/// The deterministic, rule-based understander: vocabulary tables, a scored choice of golden path,
/// explicit assumptions and clarifying questions. Pure and fast (no allocation-heavy set-up per
/// call: the vocabulary is compiled once in `new`).
pub struct RuleUnderstander {
    paths: Vec<PathInfo>,
    lexicon: Lexicon,
}

impl RuleUnderstander {
    /// The built-in vocabulary and the five shipped golden paths.
    pub fn new() -> Self {
        Self::with_paths(Vec::new())
    }

    /// The built-in vocabulary with the golden paths' own keywords and default components merged
    /// in. A hint with a new id adds a path; a hint with a known id adds keywords to it and, when
    /// it lists default components, replaces the built-in defaults.
    pub fn with_paths(hints: Vec<PathHint>) -> Self {
        let mut paths: Vec<PathInfo> = vocabulary::BUILTIN_PATHS
            .iter()
            .map(|(id, defaults)| PathInfo {
                id: (*id).to_string(),
                defaults: defaults.to_vec(),
            })
            .collect();
        let mut keywords: Vec<(String, usize, f32)> = Vec::new();
        for &(phrase, path, weight) in vocabulary::PATH_KEYWORDS {
            if let Some(idx) = paths.iter().position(|p| p.id == path) {
                keywords.push((phrase.to_string(), idx, weight));
            }
        }
        for hint in hints {
            let idx = match paths.iter().position(|p| p.id == hint.id) {
                Some(idx) => idx,
                None => {
                    paths.push(PathInfo {
                        id: hint.id.clone(),
                        defaults: Vec::new(),
                    });
                    paths.len() - 1
                }
            };
            if !hint.default_components.is_empty() {
                paths[idx].defaults = hint.default_components.clone();
            }
            for k in hint.keywords {
                let k = k.trim().to_lowercase();
                if !k.is_empty() {
                    keywords.push((k, idx, vocabulary::HINT_KEYWORD_WEIGHT));
                }
            }
        }
        let lexicon = Lexicon::build(&keywords);
        RuleUnderstander { paths, lexicon }
    }

    /// The golden path ids this understander can choose from, in tie-break order.
    pub fn path_ids(&self) -> Vec<&str> {
        self.paths.iter().map(|p| p.id.as_str()).collect()
    }

    /// Applies a follow-up instruction ("make it PCI compliant", "use db.t3.medium", "no redis",
    /// "in Frankfurt", "staging instead") to an earlier intent: the Modify button's input.
    ///
    /// What the instruction states replaces or adds to the intent; what it rules out is removed;
    /// everything else is kept. Defaults, assumptions, questions and confidence are then worked
    /// out again, so an assumption the instruction settles ("Environment assumed production"
    /// after "staging instead") disappears.
    pub fn amend(&self, intent: &Intent, instruction: &str) -> Intent {
        let delta = reading::read(
            &self.lexicon,
            self.paths.len(),
            instruction,
            Mode::Instruction,
        );
        let base = compose::facts_from_intent(intent, &self.path_ids());
        let merged = compose::merge(base, delta);
        compose::compose(&self.paths, merged)
    }
}

impl Default for RuleUnderstander {
    fn default() -> Self {
        Self::new()
    }
}

impl Understander for RuleUnderstander {
    fn understand(&self, request: &str) -> Intent {
        let facts = reading::read(&self.lexicon, self.paths.len(), request, Mode::Request);
        compose::compose(&self.paths, facts)
    }
}
