//! The compiled vocabulary: a tokeniser, a phrase index and a spelling corrector.
//!
//! Built once per understander from the tables in `vocabulary` and the golden paths' keywords, so
//! that reading a request does no set-up work: it tokenises, corrects, and walks the index.

use super::vocabulary::{self as v, ActionStrength, ComplianceWord, ComponentWord};
use paved_core::{Action, Environment};
use std::collections::{HashMap, HashSet};

/// What a matched phrase tells the understander.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cue {
    Env(Environment, u8),
    Component(ComponentWord),
    Compliance(ComplianceWord),
    Eu,
    Place(&'static str),
    /// A golden path (index into the understander's path list) and a weight.
    Path(usize, f32),
    OffRoad(&'static str),
    OnRoad,
    Action(Action, ActionStrength),
    Negation,
    PostNegation,
    Exposure(bool),
    Scale(&'static str),
    Vague,
}

/// What kind of word a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Word,
    /// A hyphenated or underscored service or resource name (`payment-service`).
    Name,
    RequestId,
    ChangeTicket,
    /// Another issue tracker's key (`INFRA-5020`): a reference, not a name.
    Ticket,
    RegionCode,
    /// An instance class (`db.t3.medium`).
    Size,
    /// A `/` between words ("$2000/month").
    Slash,
}

/// One word of a request.
#[derive(Debug, Clone)]
pub struct Token {
    /// As written, without surrounding punctuation.
    pub raw: String,
    /// Lower case.
    pub lower: String,
    /// The form used for lookups: lower case, singular when only the singular is known, and
    /// spelled as the vocabulary spells it when it was a typo.
    pub word: String,
    pub kind: TokenKind,
    /// A comma, full stop or similar follows: phrases and negations do not reach across it.
    pub clause_end: bool,
    /// The lookup form is the singular of what was written.
    pub plural: bool,
    /// The word was written in quotes or backticks.
    pub quoted: bool,
    /// The word was written with a possessive `'s` (or `s'`), which the lookup form drops.
    pub possessive: bool,
}

struct Entry {
    words: Vec<String>,
    cues: Vec<Cue>,
}

/// A phrase found in a request: tokens `start..end` and what it means.
#[derive(Debug, Clone, Copy)]
pub struct Mention<'a> {
    pub start: usize,
    pub end: usize,
    pub cues: &'a [Cue],
}

impl Mention<'_> {
    pub fn has(&self, pred: impl Fn(&Cue) -> bool) -> bool {
        self.cues.iter().any(pred)
    }
}

/// The compiled vocabulary.
pub struct Lexicon {
    index: HashMap<String, Vec<Entry>>,
    /// Every word the vocabulary spells, so that it is never "corrected".
    dictionary: HashSet<String>,
    /// Correction targets by length.
    targets: Vec<Vec<String>>,
    /// Places matched on their exact spelling ("US").
    case_sensitive: Vec<(&'static str, [Cue; 1])>,
}

impl Lexicon {
    /// Compiles the built-in tables plus `path_keywords` (phrase, path index, weight).
    pub fn build(path_keywords: &[(String, usize, f32)]) -> Lexicon {
        let mut phrases: HashMap<Vec<String>, Vec<Cue>> = HashMap::new();
        let mut order: Vec<Vec<String>> = Vec::new();
        let mut add = |phrase: &str, cue: Cue| {
            let words = split_phrase(phrase);
            if words.is_empty() {
                return;
            }
            let cues = phrases.entry(words.clone()).or_insert_with(|| {
                order.push(words);
                Vec::new()
            });
            merge_cue(cues, cue);
        };
        for &(p, e, s) in v::ENVIRONMENTS {
            add(p, Cue::Env(e, s));
        }
        for &(p, c) in v::COMPONENTS {
            add(p, Cue::Component(c));
        }
        for &(p, c) in v::COMPLIANCE {
            add(p, Cue::Compliance(c));
        }
        for &p in v::EU_WORDS {
            add(p, Cue::Eu);
        }
        for &(p, r) in v::PLACES {
            add(p, Cue::Place(r));
        }
        for (p, idx, w) in path_keywords {
            add(p, Cue::Path(*idx, *w));
        }
        for &(p, name) in v::OFF_ROAD {
            add(p, Cue::OffRoad(name));
        }
        for &p in v::ON_ROAD {
            add(p, Cue::OnRoad);
        }
        for &(p, a, s) in v::ACTIONS {
            add(p, Cue::Action(a, s));
        }
        for &p in v::NEGATIONS {
            add(p, Cue::Negation);
        }
        for &p in v::POST_NEGATIONS {
            add(p, Cue::PostNegation);
        }
        for &(p, public) in v::EXPOSURE {
            add(p, Cue::Exposure(public));
        }
        for &(p, s) in v::SCALE_WORDS {
            add(p, Cue::Scale(s));
        }
        for &p in v::VAGUE_WORDS {
            add(p, Cue::Vague);
        }

        let mut dictionary: HashSet<String> = HashSet::new();
        let mut target_set: HashSet<String> = HashSet::new();
        let places: HashSet<&str> = v::PLACES.iter().map(|(p, _)| *p).collect();
        for words in phrases.keys() {
            for w in words {
                dictionary.insert(w.clone());
                let is_short_place = places.contains(w.as_str()) && w.len() < v::TYPO_MIN_PLACE_LEN;
                if w.len() >= v::TYPO_MIN_LEN - 1 && !is_short_place && is_alpha(w) {
                    target_set.insert(w.clone());
                }
            }
        }
        let schedule_words = v::WEEKDAYS
            .iter()
            .map(|(w, _)| *w)
            .chain(v::WEEKDAY_SETS.iter().map(|(w, _)| *w))
            .chain(v::FREQUENCIES.iter().map(|(w, _)| *w))
            .chain(v::SCHEDULE_UNITS.iter().map(|(w, _)| *w))
            .chain(v::UNIT_WORDS.iter().chain(v::TENS_WORDS).map(|(w, _)| *w))
            .chain(v::TIMES_OF_DAY.iter().map(|(w, _)| *w))
            .chain(v::CURRENCY_WORDS.iter().map(|(w, _)| *w))
            .chain(v::BUDGET_CUES.iter().copied())
            .chain(v::BUDGET_PERIODS.iter().map(|(w, _)| *w))
            .chain(v::EXTRA_DICTIONARY.iter().copied())
            .chain(v::SERVICE_NOUNS.iter().map(|(w, _)| *w))
            .chain(v::ENVIRONMENT_NOUNS.iter().copied())
            .chain(v::MAKE_TARGETS.iter().copied())
            .chain(v::NON_MONEY_UNITS.iter().copied())
            .chain(v::WORKLOAD_NOUNS.iter().copied())
            .chain(v::CAPACITY_UNITS.iter().copied())
            .chain(std::iter::once(v::MAKE_VERB))
            .chain(v::ADD_VERBS.iter().copied());
        for phrase in schedule_words {
            for w in phrase.split(' ') {
                dictionary.insert(w.to_string());
                if w.len() >= v::TYPO_MIN_LEN - 1 && is_alpha(w) {
                    target_set.insert(w.to_string());
                }
            }
        }
        let mut targets: Vec<Vec<String>> = Vec::new();
        let mut sorted: Vec<String> = target_set.into_iter().collect();
        sorted.sort();
        for w in sorted {
            let n = w.len();
            if targets.len() <= n {
                targets.resize_with(n + 1, Vec::new);
            }
            targets[n].push(w);
        }

        // A plural listed on its own (a policy file's "gpus") means what its singular means.
        let singles: Vec<(String, Vec<Cue>)> = phrases
            .iter()
            .filter(|(w, _)| w.len() == 1)
            .map(|(w, c)| (w[0].clone(), c.clone()))
            .collect();
        for (word, _) in &singles {
            let Some(stem) = word.strip_suffix('s') else {
                continue;
            };
            if let Some((_, singular)) = singles.iter().find(|(w, _)| w == stem)
                && let Some(plural) = phrases.get_mut(&vec![word.clone()])
            {
                for c in singular {
                    merge_cue(plural, *c);
                }
            }
        }

        let mut index: HashMap<String, Vec<Entry>> = HashMap::new();
        for words in order {
            let cues = phrases.remove(&words).unwrap_or_default();
            index
                .entry(words[0].clone())
                .or_default()
                .push(Entry { words, cues });
        }
        for entries in index.values_mut() {
            // Longest phrase first, so "data science" wins over "data".
            entries.sort_by_key(|e| std::cmp::Reverse(e.words.len()));
        }
        let case_sensitive = v::CASE_SENSITIVE_PLACES
            .iter()
            .map(|&(p, r)| (p, [Cue::Place(r)]))
            .collect();
        Lexicon {
            index,
            dictionary,
            targets,
            case_sensitive,
        }
    }

    fn is_single_word_phrase(&self, word: &str) -> bool {
        self.index
            .get(word)
            .is_some_and(|es| es.iter().any(|e| e.words.len() == 1))
    }

    fn is_phrase(&self, words: &[&str]) -> bool {
        words
            .first()
            .and_then(|f| self.index.get(*f))
            .is_some_and(|es| {
                es.iter().any(|e| {
                    e.words.len() == words.len() && e.words.iter().zip(words).all(|(a, b)| a == b)
                })
            })
    }

    /// The cues of exactly this one-word phrase.
    pub fn cues_of(&self, word: &str) -> &[Cue] {
        self.index
            .get(word)
            .and_then(|es| es.iter().find(|e| e.words.len() == 1))
            .map(|e| e.cues.as_slice())
            .unwrap_or(&[])
    }

    /// Splits a request into tokens; `corrections` receives every (written, read as) spelling fix.
    pub fn tokenize(&self, text: &str, corrections: &mut Vec<(String, String)>) -> Vec<Token> {
        let mut tokens: Vec<Token> = Vec::new();
        let chunks: Vec<&str> = text.split_whitespace().collect();
        for (ci, chunk) in chunks.iter().enumerate() {
            // The word after this one, bare and in lower case: "the nightly-export job".
            let next = chunks.get(ci + 1).map(|c| c.trim_matches(|ch: char| !ch.is_alphanumeric()).to_lowercase()).unwrap_or_default();
            let chunk = normalise_quotes(chunk);
            if chunk
                .chars()
                .all(|c| !c.is_alphanumeric() && c != '$' && c != '€' && c != '£')
            {
                if chunk == "&" {
                    tokens.push(self.word_token("&", "&", false));
                } else if let Some(last) = tokens.last_mut() {
                    last.clause_end = true;
                }
                continue;
            }
            let lower_chunk = chunk.to_lowercase();
            let keep_slash = ["w/o", "p/m", "24/7", "ci/cd", "a/b"].iter().any(|k| {
                lower_chunk.trim_matches(|c: char| !c.is_alphanumeric() && c != '/') == *k
            });
            let pieces: Vec<&str> = if keep_slash {
                vec![chunk.as_str()]
            } else {
                chunk.split('/').collect()
            };
            let n = pieces.len();
            for (i, piece) in pieces.into_iter().enumerate() {
                let next = if i + 1 == n { next.as_str() } else { "" };
                self.push_piece(piece, next, &mut tokens, corrections);
                if i + 1 < n {
                    tokens.push(Token {
                        raw: "/".into(),
                        lower: "/".into(),
                        word: "/".into(),
                        kind: TokenKind::Slash,
                        clause_end: false,
                        plural: false,
                        quoted: false,
                        possessive: false,
                    });
                }
            }
        }
        tokens
    }

    fn push_piece(
        &self,
        piece: &str,
        next: &str,
        tokens: &mut Vec<Token>,
        corrections: &mut Vec<(String, String)>,
    ) {
        // The quote may sit inside a bracket: "(`web-app` in staging)".
        let opening = piece
            .trim_start_matches(['(', '[', '{'])
            .chars()
            .next()
            .filter(|c| matches!(c, '`' | '"' | '\''));
        let lead: &[char] = &['(', '[', '{', '"', '\'', '`', '*', '<', '#', '~'];
        let trail: &[char] = &[
            ')', ']', '}', '"', '\'', '`', '*', '>', ',', '.', ';', ':', '!', '?',
        ];
        let start = piece.trim_start_matches(lead);
        let body = start.trim_end_matches(trail);
        let tail = &start[body.len()..];
        // Quoted only when the quotes wrap this one word (`reports`, "billing").
        let quoted = opening.is_some_and(|q| tail.contains(q));
        let clause_end = tail.contains([',', '.', ';', ':', '!', '?', ')']);
        let mut raw = body.to_string();
        let mut lower = raw.to_lowercase();
        // "a.m." loses its last dot to the trimming above; read it as "am".
        if lower == "a.m" || lower == "p.m" {
            lower = lower.replace('.', "");
            raw = lower.clone();
        }
        let mut possessive = false;
        for suffix in ["'s", "s'"] {
            if lower.len() > 3 && lower.ends_with(suffix) && !lower.ends_with("n't") {
                let cut = if suffix == "'s" { 2 } else { 1 };
                lower.truncate(lower.len() - cut);
                raw.truncate(raw.len() - cut);
                possessive = true;
            }
        }
        if lower.ends_with('\'') {
            lower.pop();
            raw.pop();
        }
        if lower.is_empty() {
            if clause_end && let Some(last) = tokens.last_mut() {
                last.clause_end = true;
            }
            return;
        }
        let push = |mut t: Token, tokens: &mut Vec<Token>| {
            t.quoted = quoted;
            t.possessive = possessive;
            tokens.push(t);
        };
        if let Some(id) = request_id(&lower) {
            push(
                self.special(raw, lower, id, TokenKind::RequestId, clause_end),
                tokens,
            );
        } else if let Some(id) = change_ticket(&lower) {
            push(
                self.special(raw, lower, id, TokenKind::ChangeTicket, clause_end),
                tokens,
            );
        } else if tracker_key(&raw) {
            let word = raw.clone();
            push(self.special(raw, lower, word, TokenKind::Ticket, clause_end), tokens);
        } else if looks_like_region(&lower) {
            let word = lower.clone();
            push(
                self.special(raw, lower, word, TokenKind::RegionCode, clause_end),
                tokens,
            );
        } else if is_instance_size(&lower) {
            let word = lower.clone();
            push(
                self.special(raw, lower, word, TokenKind::Size, clause_end),
                tokens,
            );
        } else if let Some(stem) = lower.strip_suffix("-free").filter(|s| !quoted && !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')) {
            // "k8s-free", "a redis-free setup": no k8s, no redis.
            let stem_raw = raw[..stem.len()].to_string();
            let stem = stem.to_string();
            push(self.word_token("free", "no", false), tokens);
            let mut t = self.word_token(&stem_raw, &stem, clause_end);
            self.fix_spelling(&mut t, corrections);
            push(t, tokens);
        } else if is_compound(&lower) && !self.is_single_word_phrase(&lower) {
            let parts: Vec<&str> = lower.split(['-', '_']).filter(|p| !p.is_empty()).collect();
            let raw_parts: Vec<&str> = raw.split(['-', '_']).filter(|p| !p.is_empty()).collect();
            // Quoted or code-formatted (`invoice-export`), or naming something that runs already
            // ("the nightly-export job", not "a real-time pipeline"), a hyphenated word that is
            // not a phrase is a name.
            // ... or the object of a change: "decommission legacy-reports service".
            let definite = tokens.last().is_some_and(|t| {
                matches!(t.word.as_str(), "the" | "our" | "my" | "their" | "your" | "this" | "that")
                    || self.cues_of(&t.word).iter().any(|c| matches!(c, Cue::Action(a, ActionStrength::Strong) if *a != Action::Create))
            });
            let names_a_workload = definite && !clause_end && v::WORKLOAD_NOUNS.contains(&next);
            let descriptive = !quoted && (self.is_phrase(&parts) || !(is_service_name(&parts) || names_a_workload));
            if descriptive && raw_parts.len() == parts.len() {
                let last = parts.len() - 1;
                for (i, (p, r)) in parts.iter().zip(raw_parts).enumerate() {
                    let mut t = self.word_token(r, p, i == last && clause_end);
                    self.fix_spelling(&mut t, corrections);
                    push(t, tokens);
                }
            } else {
                let word = lower.clone();
                push(
                    self.special(raw, lower, word, TokenKind::Name, clause_end),
                    tokens,
                );
            }
        } else {
            let mut t = self.word_token(&raw, &lower, clause_end);
            self.fix_spelling(&mut t, corrections);
            push(t, tokens);
        }
    }

    fn special(
        &self,
        raw: String,
        lower: String,
        word: String,
        kind: TokenKind,
        clause_end: bool,
    ) -> Token {
        Token {
            raw,
            lower,
            word,
            kind,
            clause_end,
            plural: false,
            quoted: false,
            possessive: false,
        }
    }

    fn word_token(&self, raw: &str, lower: &str, clause_end: bool) -> Token {
        Token {
            raw: raw.to_string(),
            lower: lower.to_string(),
            word: lower.to_string(),
            kind: TokenKind::Word,
            clause_end,
            plural: false,
            quoted: false,
            possessive: false,
        }
    }

    /// Sets the lookup form: the word itself when known, its singular when only that is known,
    /// else the single vocabulary word within reach of a typo.
    fn fix_spelling(&self, t: &mut Token, corrections: &mut Vec<(String, String)>) {
        let w = t.lower.as_str();
        if self.index.contains_key(w) {
            return;
        }
        // A plural of a phrase word ("GPUs", "dashboards") reads as the phrase word, even when
        // the plural itself is a known word elsewhere (a unit, say).
        for (suffix, replacement) in [("ies", "y"), ("es", ""), ("s", "")] {
            if let Some(stem) = w.strip_suffix(suffix) {
                let singular = format!("{stem}{replacement}");
                if stem.len() >= 2 && self.index.contains_key(&singular) {
                    t.word = singular;
                    t.plural = true;
                    return;
                }
            }
        }
        if self.dictionary.contains(w) {
            return;
        }
        for (suffix, replacement) in [("ies", "y"), ("es", ""), ("s", "")] {
            if let Some(stem) = w.strip_suffix(suffix) {
                let singular = format!("{stem}{replacement}");
                if stem.len() >= 2 && self.dictionary.contains(&singular) {
                    t.word = singular;
                    t.plural = true;
                    return;
                }
            }
        }
        if w.len() < v::TYPO_MIN_LEN || !is_alpha(w) {
            return;
        }
        if let Some(fixed) = self.correct(w) {
            corrections.push((t.raw.clone(), fixed.clone()));
            t.word = fixed;
        }
    }

    /// The one vocabulary word closest to `w` within the allowed edits, if there is exactly one.
    pub fn correct(&self, w: &str) -> Option<String> {
        let n = w.len();
        let max = if n >= v::TYPO_TWO_EDITS_LEN { 2 } else { 1 };
        let wb = w.as_bytes();
        let mut best: Option<(usize, &String)> = None;
        let mut tie = false;
        for len in n.saturating_sub(max)..=n + max {
            let Some(bucket) = self.targets.get(len) else {
                continue;
            };
            for cand in bucket {
                let cb = cand.as_bytes();
                // Typos rarely touch the first letter; checking it keeps the search small.
                let first_ok = cb[0] == wb[0]
                    || (cb.len() > 1 && wb.len() > 1 && cb[0] == wb[1] && cb[1] == wb[0]);
                if !first_ok {
                    continue;
                }
                // An inflection of a known word ("uploaded", "exported") is a word, not a typo;
                // so is another inflection of the same stem ("scheduler" beside "scheduled",
                // "story" beside "store").
                if (wb.len() > cb.len() && wb.starts_with(cb)) || same_stem(wb, cb) {
                    continue;
                }
                // Every slip is an edit, so the cheap bounded edit distance rules most words out
                // before the slip model runs.
                if edit_distance(wb, cb, max).is_some()
                    && let Some(d) = typo_distance(wb, cb, max)
                    && (d < 2 || (letters_apart(wb, cb) <= 2 && wb.len().abs_diff(cb.len()) <= 1))
                {
                    match best {
                        Some((bd, _)) if d > bd => {}
                        Some((bd, b)) if d == bd => tie |= b != cand,
                        _ => {
                            best = Some((d, cand));
                            tie = false;
                        }
                    }
                }
            }
        }
        match best {
            Some((_, c)) if !tie => Some(c.clone()),
            _ => None,
        }
    }

    /// Finds vocabulary phrases in `tokens`, longest first, left to right, without overlap.
    pub fn find_mentions<'a>(&'a self, tokens: &[Token]) -> Vec<Mention<'a>> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let t = &tokens[i];
            let mut matched = None;
            if t.kind == TokenKind::Word
                && let Some(entries) = self.index.get(&t.word)
            {
                for e in entries {
                    let len = e.words.len();
                    if i + len > tokens.len() {
                        continue;
                    }
                    let fits = (0..len).all(|k| {
                        let tk = &tokens[i + k];
                        tk.kind == TokenKind::Word
                            && tk.word == e.words[k]
                            && (k + 1 == len || !tk.clause_end)
                    });
                    if fits {
                        matched = Some((len, e.cues.as_slice()));
                        break;
                    }
                }
            }
            if matched.is_none()
                && let Some((_, cues)) = self.case_sensitive.iter().find(|(p, _)| t.raw == *p)
            {
                matched = Some((1, cues.as_slice()));
            }
            match matched {
                Some((len, cues)) if !cues.is_empty() => {
                    out.push(Mention {
                        start: i,
                        end: i + len,
                        cues,
                    });
                    i += len;
                }
                _ => i += 1,
            }
        }
        out
    }
}

/// Adds a cue to a phrase's cues; a phrase listed twice for the same path keeps its highest
/// weight rather than counting twice.
fn merge_cue(cues: &mut Vec<Cue>, cue: Cue) {
    if let Cue::Path(idx, w) = cue
        && let Some(Cue::Path(_, old)) = cues
            .iter_mut()
            .find(|c| matches!(c, Cue::Path(i, _) if *i == idx))
    {
        *old = old.max(w);
        return;
    }
    if !cues.contains(&cue) {
        cues.push(cue);
    }
}

/// Splits a vocabulary phrase the same way requests are split.
fn split_phrase(phrase: &str) -> Vec<String> {
    phrase
        .split_whitespace()
        .map(|w| w.to_lowercase())
        .collect()
}

fn normalise_quotes(chunk: &str) -> String {
    chunk
        .chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{00b4}' => '\'',
            '\u{201c}' | '\u{201d}' => '"',
            '\u{2013}' | '\u{2014}' => '-',
            other => other,
        })
        .collect()
}

fn is_alpha(w: &str) -> bool {
    !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase())
}

fn is_compound(w: &str) -> bool {
    let inner = w.trim_matches(['-', '_']);
    inner.len() > 2 && inner.contains(['-', '_']) && inner.chars().any(|c| c.is_ascii_alphabetic())
}

/// A hyphenated word is a name when its last part is a kind of deployable thing
/// (`payment-service`) or when any part carries a digit (`app2-web`).
fn is_service_name(parts: &[&str]) -> bool {
    let Some(last) = parts.last() else {
        return false;
    };
    v::SERVICE_SUFFIXES.contains(last)
        || (parts.len() >= 2
            && parts
                .iter()
                .all(|p| p.chars().all(|c| c.is_ascii_alphanumeric()))
            && parts.iter().any(|p| p.chars().any(|c| c.is_ascii_digit()))
            && parts
                .iter()
                .any(|p| p.chars().all(|c| c.is_ascii_alphabetic())))
}

/// `req-12345` (or `req_12345`, `REQ-12345`) as written in the audit trail.
pub fn request_id(lower: &str) -> Option<String> {
    let rest = lower
        .strip_prefix("req-")
        .or_else(|| lower.strip_prefix("req_"))?;
    (!rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .then(|| format!("req-{rest}"))
}

/// `CHG-1234` (or `chg1234`, `CHG_1234`).
pub fn change_ticket(lower: &str) -> Option<String> {
    let rest = lower.strip_prefix("chg")?;
    let digits = rest.trim_start_matches(['-', '_', '#']);
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()))
        .then(|| format!("CHG-{digits}"))
}

/// An issue tracker's key as written (`INFRA-5020`, `OPS-17`): capitals, a hyphen, digits. It
/// names a ticket, never a service.
pub fn tracker_key(raw: &str) -> bool {
    raw.split_once('-').is_some_and(|(project, number)| {
        project.len() >= 2
            && project.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && project.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
            && !number.is_empty()
            && number.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Shaped like an AWS region code (`eu-west-1`, `us-gov-west-1`), known or not.
pub fn looks_like_region(lower: &str) -> bool {
    let parts: Vec<&str> = lower.split('-').collect();
    let (geo, dir, num) = match parts.as_slice() {
        [geo, dir, num] => (*geo, *dir, *num),
        [geo, "gov", dir, num] => (*geo, *dir, *num),
        _ => return false,
    };
    const DIRECTIONS: &[&str] = &[
        "north",
        "south",
        "east",
        "west",
        "central",
        "northeast",
        "southeast",
        "northwest",
        "southwest",
    ];
    geo.len() == 2
        && geo.bytes().all(|b| b.is_ascii_lowercase())
        && DIRECTIONS.contains(&dir)
        && !num.is_empty()
        && num.len() <= 2
        && num.bytes().all(|b| b.is_ascii_digit())
}

/// An EC2, RDS, ElastiCache or SageMaker instance class (`db.t3.medium`, `r5.large`,
/// `ml.p3.2xlarge`, `cache.t4g.micro`).
pub fn is_instance_size(lower: &str) -> bool {
    let parts: Vec<&str> = lower.split('.').collect();
    let (family, size) = match parts.as_slice() {
        [family, size] => (*family, *size),
        [prefix, family, size] if ["db", "cache", "ml"].contains(prefix) => (*family, *size),
        _ => return false,
    };
    let mut chars = family.chars();
    let letters_first = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let has_digit = family.chars().any(|c| c.is_ascii_digit());
    let family_ok = letters_first
        && has_digit
        && family.len() <= 8
        && family
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-');
    let size_ok = matches!(
        size,
        "nano" | "micro" | "small" | "medium" | "large" | "xlarge" | "metal"
    ) || size
        .strip_suffix("xlarge")
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    family_ok && size_ok
}

/// How many letters one word has that the other lacks, counted both ways. Two edits are only
/// trusted when the words are nearly anagrams ("analitycs" → "analytics"); "insurance" is not a
/// misspelt "instance".
fn letters_apart(a: &[u8], b: &[u8]) -> usize {
    let mut counts = [0i32; 256];
    for &x in a {
        counts[usize::from(x)] += 1;
    }
    for &x in b {
        counts[usize::from(x)] -= 1;
    }
    counts.iter().map(|c| c.unsigned_abs() as usize).sum()
}

/// The stem of an English word without its inflection or agent suffix ("scheduler",
/// "scheduled" → "schedul"; "stores", "story" → "stor").
fn stem(w: &[u8]) -> &[u8] {
    for suffix in [&b"ing"[..], b"ers", b"ies", b"er", b"ed", b"es", b"or", b"s", b"y", b"e"] {
        if w.len() >= suffix.len() + 3 && w.ends_with(suffix) {
            return &w[..w.len() - suffix.len()];
        }
    }
    w
}

/// Two different words that are inflections of one stem.
fn same_stem(a: &[u8], b: &[u8]) -> bool {
    a != b && a.len().min(b.len()) >= 4 && stem(a) == stem(b)
}

/// Where a key sits on a QWERTY keyboard: row and column, the rows offset as on the keyboard.
fn key_position(c: u8) -> Option<(i32, i32)> {
    const ROWS: [&[u8]; 3] = [b"qwertyuiop", b"asdfghjkl", b"zxcvbnm"];
    ROWS.iter().enumerate().find_map(|(r, row)| row.iter().position(|&k| k == c).map(|col| (r as i32, col as i32)))
}

/// Keys a finger slips between: neighbours in a row, and the two keys above and below.
fn keys_adjacent(a: u8, b: u8) -> bool {
    let (Some((ra, ca)), Some((rb, cb))) = (key_position(a), key_position(b)) else { return false };
    match rb - ra {
        0 => (ca - cb).abs() == 1,
        // The row below is shifted right by about half a key.
        1 => cb == ca || cb == ca - 1,
        -1 => cb == ca || cb == ca + 1,
        _ => false,
    }
}

/// Vowels, which people swap, add and drop as they say the word ("developement", "analitycs").
fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// The number of typing slips that turn `written` into `word`, or `None` above `max`. A slip is
/// a letter left out, two letters swapped, a letter doubled or a neighbouring key struck too, a
/// vowel too, a neighbouring key struck instead, or one vowel for another. Other differences ("context" for
/// "content", "scores" for "stores", "carve" for "care") make another word, not a typo.
pub fn typo_distance(written: &[u8], word: &[u8], max: usize) -> Option<usize> {
    if written.len().abs_diff(word.len()) > max {
        return None;
    }
    const NO: usize = 1_000;
    let (n, m) = (written.len(), word.len());
    // d[i][j]: slips from written[..i] to word[..j].
    let width = m + 1;
    let mut d = vec![NO; (n + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    d[0] = 0;
    for i in 0..=n {
        for j in 0..=m {
            let here = d[at(i, j)];
            if here >= NO {
                continue;
            }
            // The same letter.
            if i < n && j < m && written[i] == word[j] {
                d[at(i + 1, j + 1)] = d[at(i + 1, j + 1)].min(here);
            }
            // A neighbouring key, or another vowel, struck instead.
            if i < n && j < m && written[i] != word[j] && (keys_adjacent(written[i], word[j]) || (is_vowel(written[i]) && is_vowel(word[j]))) {
                d[at(i + 1, j + 1)] = d[at(i + 1, j + 1)].min(here + 1);
            }
            // A letter of the word left out.
            if j < m {
                d[at(i, j + 1)] = d[at(i, j + 1)].min(here + 1);
            }
            // A letter struck too: a double, a key beside the letter before or after it, or a vowel.
            if i < n {
                let c = written[i];
                let beside = |k: Option<&u8>| k.is_some_and(|&k| k == c || keys_adjacent(k, c));
                if is_vowel(c) || beside(i.checked_sub(1).and_then(|k| written.get(k))) || beside(written.get(i + 1)) {
                    d[at(i + 1, j)] = d[at(i + 1, j)].min(here + 1);
                }
            }
            // Two letters swapped.
            if i + 1 < n && j + 1 < m && written[i] == word[j + 1] && written[i + 1] == word[j] && written[i] != written[i + 1] {
                d[at(i + 2, j + 2)] = d[at(i + 2, j + 2)].min(here + 1);
            }
        }
    }
    let slips = d[at(n, m)];
    (slips <= max).then_some(slips)
}

/// Optimal-string-alignment distance (edits and adjacent swaps), or `None` when above `max`.
pub fn edit_distance(a: &[u8], b: &[u8], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let (n, m) = (a.len(), b.len());
    let mut prev2 = vec![0usize; m + 1];
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur = vec![0usize; m + 1];
    for i in 1..=n {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[m];
    (d <= max).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slips_are_typos_and_other_words_are_not() {
        for (written, word, slips) in [
            ("dashbaord", "dashboard", Some(1)),
            ("postgress", "postgres", Some(1)),
            ("databse", "database", Some(1)),
            ("prodiction", "production", Some(1)),
            ("stagign", "staging", Some(1)),
            ("kubernates", "kubernetes", Some(1)),
            ("developement", "development", Some(1)),
            ("analitycs", "analytics", Some(2)),
            ("context", "content", None),
            ("scores", "stores", None),
            ("carve", "care", None),
        ] {
            assert_eq!(typo_distance(written.as_bytes(), word.as_bytes(), 2), slips, "{written} for {word}");
        }
        assert!(same_stem(b"scheduler", b"scheduled"));
        assert!(same_stem(b"story", b"store"));
        assert!(same_stem(b"write", b"writes"));
        assert!(!same_stem(b"scores", b"stores"));
    }

    #[test]
    fn distance_counts_swaps_as_one_slip() {
        assert_eq!(typo_distance(b"deploymnet", b"deployment", 2), Some(1));
        assert_eq!(typo_distance(b"stagng", b"staging", 1), Some(1));
        assert_eq!(typo_distance(b"redis", b"mysql", 2), None);
    }

    #[test]
    fn sizes_and_regions_are_recognised_by_shape() {
        for s in [
            "db.t3.medium",
            "r5.large",
            "ml.p3.2xlarge",
            "cache.t4g.micro",
            "m6i.24xlarge",
        ] {
            assert!(is_instance_size(s), "{s}");
        }
        for s in ["node.js", "next.js", "db.large", "v1.2", "e.g"] {
            assert!(!is_instance_size(s), "{s}");
        }
        assert!(looks_like_region("eu-west-1"));
        assert!(looks_like_region("us-gov-west-1"));
        assert!(!looks_like_region("payment-service"));
    }
}
