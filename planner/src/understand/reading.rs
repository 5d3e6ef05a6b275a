//! Reading a request (or a follow-up instruction) into `Facts`: what the words say, before any
//! default or golden-path baseline is applied.

use super::lexicon::{Cue, Lexicon, Mention, Token, TokenKind};
use super::money::{self, Budget};
use super::schedule::{self, Schedule};
use super::vocabulary::{self as v, ActionStrength, ComplianceWord, ComponentWord};
use paved_core::{Action, Compliance, Component, Environment};

/// Whether the text is a whole request or a follow-up instruction to the Modify button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Request,
    Instruction,
}

/// Everything a text states, and nothing it does not.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub action: Action,
    pub action_stated: bool,
    pub environment: Option<Environment>,
    /// An environment was named as a place ("a staging environment"): an infrastructure request
    /// even when no workload is named.
    pub environment_phrase: bool,
    pub components: Vec<Component>,
    pub wants_database: bool,
    pub wants_relational: bool,
    pub container: bool,
    pub excluded: Vec<Component>,
    pub compliance: Vec<Compliance>,
    pub compliance_removed: Vec<Compliance>,
    pub personal_data: bool,
    pub eu: bool,
    pub region: Option<String>,
    pub region_notes: Vec<String>,
    pub unknown_region: Option<String>,
    pub off_road: Vec<String>,
    pub off_road_removed: Vec<String>,
    /// Keyword score per golden path (indices of the understander's path list).
    pub path_scores: Vec<f32>,
    /// The first phrase naming each path, as written, for the goal summary.
    pub path_phrases: Vec<Option<String>>,
    /// A path kept from an earlier intent (amendments), unless the new text clearly names another.
    pub kept_path: Option<usize>,
    pub schedule: Option<Schedule>,
    pub budget: Option<Budget>,
    pub service: Option<String>,
    pub request_ids: Vec<String>,
    pub change_tickets: Vec<String>,
    pub sizes: Vec<String>,
    pub public: Option<bool>,
    pub scale: Option<String>,
    /// The word that makes a deletion vague ("old", "unused").
    pub vague: Option<String>,
    /// Readings to tell the user about (spelling corrections and the like).
    pub notes: Vec<String>,
    /// Whether anything at all was recognised.
    pub recognised: bool,
    pub purpose: Option<String>,
    pub goal: Option<String>,
    pub text: String,
}

/// Reads `text` with the compiled vocabulary; `path_count` is the number of golden paths.
pub fn read(lex: &Lexicon, path_count: usize, text: &str, mode: Mode) -> Facts {
    let mut corrections = Vec::new();
    let tokens = lex.tokenize(text, &mut corrections);
    let mentions = lex.find_mentions(&tokens);
    let negated = negations(&tokens, &mentions, mode);

    let mut f = Facts {
        text: text.trim().to_string(),
        path_scores: vec![0.0; path_count],
        path_phrases: vec![None; path_count],
        ..Facts::default()
    };
    for (raw, fixed) in corrections {
        f.notes.push(format!("Read \"{raw}\" as \"{fixed}\""));
    }

    if mode == Mode::Request {
        let (action, stated) = decide_action(lex, &tokens, &mentions, &negated);
        f.action = action;
        f.action_stated = stated;
    }
    read_environment(&tokens, &mentions, &negated, &mut f);
    read_components(&mentions, &negated, &mut f);
    read_compliance_and_places(&tokens, &mentions, &negated, &mut f);
    read_paths(lex, &tokens, &mentions, &negated, &mut f);
    read_misc(&tokens, &mentions, &negated, &mut f);

    f.budget = money::parse(&tokens);
    let mut skip = vec![false; tokens.len()];
    if let Some(b) = &f.budget {
        for &i in &b.used {
            if let Some(s) = skip.get_mut(i) {
                *s = true;
            }
        }
    }
    // "at 5am instead of 2am": the time it runs at now is not the one asked for.
    for i in 0..tokens.len() {
        let replaced = (word_at(&tokens, i) == "instead" || word_at(&tokens, i) == "rather") && matches!(word_at(&tokens, i + 1), "of" | "than");
        if replaced {
            for k in i + 2..tokens.len().min(i + 5) {
                skip[k] = true;
                if tokens[k].clause_end {
                    break;
                }
            }
        }
    }
    f.schedule = schedule::parse(text, &tokens, &skip);
    // Nobody schedules a one-off change: "weekly cleanup of temp files" or "update the catalogue
    // every 2 hours" describe a recurring job to create.
    // Unless a named job is told to run on another schedule ("change nightly-export to run
    // hourly instead").
    let reschedules = f.action == Action::Modify
        && tokens.iter().any(|t| t.kind == TokenKind::Name)
        && tokens.iter().enumerate().any(|(i, t)| t.word == "instead" || t.word == "reschedule" || (t.word == "to" && word_at(&tokens, i + 1) == "run"));
    if f.schedule.is_some() && matches!(f.action, Action::Delete | Action::Modify) && !reschedules {
        f.action = Action::Create;
    }
    read_ids(&tokens, &mut f);
    let existing = mode == Mode::Instruction || f.action != Action::Create;
    f.service = service_name(lex, &tokens, &mentions, existing).or_else(|| if existing { hyphenated_service(text) } else { None });
    // "tear down req-48213", "roll back req-1234": the request names what it acts on by the
    // request that created it.
    if f.service.is_none() && f.action != Action::Create {
        f.service = f.request_ids.first().cloned();
    }
    // "turn on encryption for the analytics-bucket": a change to a named resource names its kind.
    if f.action != Action::Create && f.components.is_empty()
        && let Some(kind) = f.service.as_deref().and_then(|s| s.rsplit(['-', '_']).next()).and_then(|last| v::NAME_KINDS.iter().find(|(w, _)| *w == last))
        && !f.excluded.contains(&kind.1)
    {
        f.components.push(kind.1);
    }
    f.purpose = purpose(&tokens, &mentions);
    f.recognised = mentions.iter().any(|m| m.cues.iter().any(is_content))
        || f.schedule.is_some()
        || f.budget.is_some()
        || !f.request_ids.is_empty()
        || f.service.is_some()
        || f.action_stated;
    f
}

/// A cue that says something about the infrastructure (not a grammatical word).
fn is_content(c: &Cue) -> bool {
    !matches!(
        c,
        Cue::Negation | Cue::PostNegation | Cue::Vague | Cue::Action(_, ActionStrength::Weak)
    )
}

fn word_at(tokens: &[Token], i: usize) -> &str {
    tokens.get(i).map(|t| t.word.as_str()).unwrap_or("")
}

/// Marks the mentions a negation rules out: "no cache", "skip the redis", "without redis or
/// memcached", "database not needed", "instead of Node.js". In a follow-up instruction, removal
/// verbs ("drop the cache") negate too.
fn negations(tokens: &[Token], mentions: &[Mention], mode: Mode) -> Vec<bool> {
    let mut negated = vec![false; mentions.len()];
    let create_context = |upto: usize| {
        mentions[..upto].iter().any(|m| {
            m.has(|c| {
                matches!(
                    c,
                    Cue::Path(..) | Cue::Action(Action::Create, ActionStrength::Strong)
                )
            })
        })
    };
    for (mi, m) in mentions.iter().enumerate() {
        let phrase = phrase_of(tokens, m);
        // A plural is a noun ("partner CSV drops from S3"), not the verb "drop".
        let is_removal = v::REMOVAL_VERBS.contains(&phrase.as_str())
            && !tokens[m.start].plural
            && (mode == Mode::Instruction || create_context(mi))
            && mentions
                .get(mi + 1)
                .is_some_and(|n| n.start <= m.end + 2 && n.has(|c| matches!(c, Cue::Component(_))));
        if !(m.has(|c| *c == Cue::Negation) || is_removal) {
            continue;
        }
        if tokens[m.end - 1].clause_end {
            continue;
        }
        let mut gap_start = m.end;
        let mut k = mi + 1;
        while let Some(n) = mentions.get(k) {
            let gap = &tokens[gap_start..n.start];
            let stops = gap.iter().enumerate().any(|(g, t)| {
                let right_after_negation = g == 0 && gap_start == m.end;
                t.clause_end
                    || (v::NEGATION_STOPS.contains(&t.word.as_str()) && !right_after_negation)
            });
            if gap.len() > 3 || stops || n.has(|c| *c == Cue::Negation) {
                break;
            }
            let content = n.has(|c| {
                matches!(
                    c,
                    Cue::Component(_)
                        | Cue::Compliance(_)
                        | Cue::OffRoad(_)
                        | Cue::OnRoad
                        | Cue::Place(_)
                        | Cue::Env(..)
                        | Cue::Eu
                        | Cue::Exposure(_)
                        | Cue::Path(..)
                )
            });
            if !content {
                gap_start = n.end;
                k += 1;
                continue;
            }
            negated[k] = true;
            // "without redis or memcached" carries on; anything else ends the negation.
            let conj = tokens
                .get(n.end)
                .is_some_and(|t| v::NEGATION_CONJUNCTIONS.contains(&t.word.as_str()));
            if !conj || tokens[n.end - 1].clause_end {
                break;
            }
            gap_start = n.end + 1;
            k += 1;
        }
    }
    // "Needs GPUs? Probably not.": a question about something, answered no.
    for p in 1..tokens.len() {
        if !tokens[p - 1].clause_end {
            continue;
        }
        let answers_no = v::ANSWER_NEGATIONS.iter().any(|a| {
            let fits = a.split(' ').enumerate().all(|(k, w)| word_at(tokens, p + k) == w);
            // A bare "no" answers only when nothing follows it in its clause ("GPUs? No.").
            fits && (*a != "no" || tokens[p].clause_end || p + 1 == tokens.len())
                // "none of the ..." is not an answer.
                && !(*a == "none" && word_at(tokens, p + 1) == "of")
        });
        if !answers_no {
            continue;
        }
        // What the question asked about: the last component or off-road choice in it.
        let clause_start = (0..p - 1).rev().find(|&k| tokens[k].clause_end).map_or(0, |k| k + 1);
        if let Some(k) = (0..mentions.len()).rev().find(|&k| {
            mentions[k].start >= clause_start
                && mentions[k].end <= p
                && p - mentions[k].end <= 3
                && mentions[k].has(|c| matches!(c, Cue::Component(_) | Cue::OffRoad(_)))
        }) {
            negated[k] = true;
        }
    }
    // "database not needed": the negation follows what it rules out.
    for (mi, m) in mentions.iter().enumerate() {
        if !m.has(|c| *c == Cue::PostNegation) {
            continue;
        }
        if let Some(k) = (0..mi).rev().find(|&k| {
            mentions[k]
                .has(|c| matches!(c, Cue::Component(_) | Cue::OffRoad(_) | Cue::Compliance(_)))
        }) {
            let gap = &tokens[mentions[k].end..m.start];
            if gap.len() <= 2
                && !tokens[mentions[k].end - 1].clause_end
                && !gap.iter().any(|t| t.clause_end)
            {
                negated[k] = true;
            }
        }
    }
    negated
}

fn phrase_of(tokens: &[Token], m: &Mention) -> String {
    tokens[m.start..m.end]
        .iter()
        .map(|t| t.word.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// An action word inside a description of a workload ("a job that deletes old logs", "an API to
/// update prices") says what the workload does, not what the user wants done.
fn subordinate(tokens: &[Token], pos: usize) -> bool {
    (1..pos).any(|j| {
        let rel = word_at(tokens, j);
        v::RELATIVISERS.contains(&rel)
            && !matches!(
                word_at(tokens, j + 1),
                "be" | "been" | "get" | "is" | "are" | "being"
            )
            && (j.saturating_sub(4)..j).any(|k| v::WORKLOAD_NOUNS.contains(&word_at(tokens, k)))
    })
}

/// The action: the first decisive verb wins; without one, the first weaker cue; else create.
fn decide_action(
    lex: &Lexicon,
    tokens: &[Token],
    mentions: &[Mention],
    negated: &[bool],
) -> (Action, bool) {
    let mut cues: Vec<(usize, Action, ActionStrength)> = Vec::new();
    for (mi, m) in mentions.iter().enumerate() {
        if negated[mi] {
            continue;
        }
        for c in m.cues {
            let Cue::Action(a, s) = *c else { continue };
            // One word with an -s is a noun ("CSV drops", "security updates") or describes
            // what something does ("it deletes"): the user asks in the imperative.
            if m.end - m.start == 1 && tokens[m.start].plural && a != Action::Create {
                continue;
            }
            // After a possessive it is a noun: "mike's deploy", "the team's rollback".
            if m.start > 0 && tokens[m.start - 1].possessive {
                continue;
            }
            let next = word_at(tokens, m.end);
            if a == Action::Modify && v::ACTION_NOT_BEFORE.contains(&next) {
                continue;
            }
            let prev = if m.start > 0 {
                word_at(tokens, m.start - 1)
            } else {
                ""
            };
            if a == Action::Scale
                && tokens[m.start].word == "scale"
                && m.end - m.start == 1
                && (v::SCALE_NOT_AFTER.contains(&prev) || next == "of")
            {
                continue;
            }
            // "remove the cache" inside a request for something new rules the cache out.
            let removal = v::REMOVAL_VERBS.contains(&phrase_of(tokens, m).as_str())
                && mentions.get(mi + 1).is_some_and(|n| {
                    n.start <= m.end + 2
                        && n.has(|c| matches!(c, Cue::Component(_)))
                        && negated[mi + 1]
                });
            if removal || subordinate(tokens, m.start) {
                continue;
            }
            cues.push((m.start, a, s));
        }
    }
    // A phrasal verb around its object: "roll it back", "roll that request back", "tear the
    // staging env down".
    for (i, t) in tokens.iter().enumerate() {
        let Some((_, particle, action)) = v::SPLIT_VERBS.iter().find(|(verb, _, _)| *verb == t.word) else { continue };
        // "the roll out", "a shut-down window": a noun, or another phrasal verb.
        let noun = i > 0 && v::DETERMINERS.contains(&word_at(tokens, i - 1));
        if t.clause_end || noun || matches!(word_at(tokens, i + 1), "out" | "over" | "in" | "off" | "on") || subordinate(tokens, i) {
            continue;
        }
        let around = (i + 2..tokens.len().min(i + 7)).find(|&k| tokens[k].word == *particle && !tokens[k - 1].clause_end && !tokens[i + 1..k].iter().any(|x| x.clause_end));
        if around.is_some() {
            cues.push((i, *action, ActionStrength::Strong));
        }
    }
    // A multiplier used as a verb: "2x the db for inventory-service", "3x our workers".
    for (i, t) in tokens.iter().enumerate() {
        let multiplier = t.word.strip_suffix('x').is_some_and(|n| !n.is_empty() && n.len() <= 3 && n.bytes().all(|b| b.is_ascii_digit()));
        // In the imperative: first in its clause, or after a polite or modal word.
        let imperative = i == 0 || tokens[i - 1].clause_end || matches!(word_at(tokens, i - 1), "please" | "pls" | "plz" | "can" | "could" | "to" | "just" | "we" | "lets" | "let's");
        if multiplier && imperative && !t.clause_end && matches!(word_at(tokens, i + 1), "the" | "our" | "my" | "their" | "this" | "that") {
            cues.push((i, Action::Scale, ActionStrength::Strong));
        }
    }
    // The passive: "payment-service needs to be deleted", "billing-db should get scaled up".
    for i in 1..tokens.len() {
        if !v::AUXILIARIES.contains(&word_at(tokens, i - 1)) {
            continue;
        }
        if let Some((_, a)) = v::PASSIVE_ACTIONS.iter().find(|(p, _)| {
            p.split(' ')
                .enumerate()
                .all(|(k, w)| word_at(tokens, i + k) == w)
        }) {
            cues.push((i, *a, ActionStrength::Strong));
        }
    }
    for (i, t) in tokens.iter().enumerate() {
        let adds = v::ADD_VERBS.contains(&t.word.as_str());
        let is_verb = t.word == v::MAKE_VERB || adds;
        if !is_verb || t.kind != TokenKind::Word || subordinate(tokens, i) {
            continue;
        }
        let window_end = (i + 1..tokens.len().min(i + 8))
            .find(|&k| tokens[k - 1].clause_end)
            .unwrap_or(tokens.len().min(i + 8));
        if t.word == v::MAKE_VERB {
            let targets = (i + 1..window_end)
                .any(|k| v::MAKE_TARGETS.contains(&word_at(tokens, k)))
                || mentions.iter().any(|m| {
                    m.start > i
                        && m.start < window_end
                        && m.has(|c| matches!(c, Cue::Compliance(ComplianceWord::Regime(_))))
                });
            if targets {
                cues.push((i, Action::Modify, ActionStrength::Strong));
            }
        } else if adds {
            let scaling = mentions.iter().any(|m| {
                m.start > i
                    && m.start < window_end
                    && m.has(|c| matches!(c, Cue::Action(Action::Scale, _)))
            });
            if scaling {
                continue;
            }
            let to = (i + 1..window_end).find(|&k| word_at(tokens, k) == "to");
            let target = to.and_then(|k| {
                (k + 1..tokens.len()).find(|&x| !v::DETERMINERS.contains(&word_at(tokens, x)))
            });
            // "add to a cart": after "to a", what is added to is described, not named.
            let indefinite = to.is_some_and(|k| matches!(word_at(tokens, k + 1), "a" | "an"));
            let existing = !indefinite && target.is_some_and(|x| {
                let tk = &tokens[x];
                tk.kind == TokenKind::Name
                    || (tk.kind == TokenKind::Word
                        && !lex
                            .cues_of(&tk.word)
                            .iter()
                            .any(|c| matches!(c, Cue::Env(..) | Cue::Place(_) | Cue::Eu)))
            });
            // "add a WAF in front of `marketing-site`", "attach a queue for orders-api": a named
            // service after another preposition.
            let named = (i + 1..window_end).any(|k| {
                matches!(word_at(tokens, k), "of" | "for" | "on" | "behind" | "into")
                    && (k + 1..tokens.len().min(k + 3)).find(|&x| !v::DETERMINERS.contains(&word_at(tokens, x))).is_some_and(|x| tokens[x].kind == TokenKind::Name)
            });
            let action = if existing || named {
                Action::Modify
            } else {
                Action::Create
            };
            cues.push((i, action, ActionStrength::Strong));
        }
    }
    // Something that exists, told what to become, when nothing new is asked for.
    let asks_new = tokens.iter().any(|t| t.word == "new")
        || mentions.iter().enumerate().any(|(mi, m)| !negated[mi] && m.has(|c| *c == Cue::Action(Action::Create, ActionStrength::Strong)));
    if !asks_new {
        // The "to" of "to 6 instances" introduces the count, not a description of a workload.
        let described = |i: usize, a: Action| subordinate(tokens, if a == Action::Scale { i.saturating_sub(1) } else { i });
        cues.extend(existing_changes(tokens, mentions).into_iter().filter(|&(i, a)| !described(i, a)).map(|(i, a)| (i, a, ActionStrength::Strong)));
    }
    cues.sort_by_key(|c| c.0);
    if let Some(c) = cues.iter().find(|c| c.2 == ActionStrength::Strong) {
        return (c.1, true);
    }
    match cues.first() {
        Some(c) => (c.1, c.1 != Action::Create),
        None => (Action::Create, false),
    }
}

/// Changes to something that exists, stated without a change verb: a new count of what runs
/// ("bump the orders api to 6 instances", "reduce recs-service to 1 instance", "10 replicas of
/// search-api") is a scale; a named service that must be or become a compliance regime
/// ("orders-db needs to be PCI now") is a modification. Each with the position that states it.
fn existing_changes(tokens: &[Token], mentions: &[Mention]) -> Vec<(usize, Action)> {
    let mut out = Vec::new();
    for i in 0..tokens.len() {
        if tokens[i].clause_end || schedule::number(word_at(tokens, i)).is_none() || !v::CAPACITY_UNITS.contains(&word_at(tokens, i + 1)) {
            continue;
        }
        let to_count = i > 0 && matches!(word_at(tokens, i - 1), "to" | "at") && (i < 2 || word_at(tokens, i - 2) != "up");
        let of_named = word_at(tokens, i + 2) == "of"
            && (i + 3..tokens.len().min(i + 6)).find(|&k| !v::DETERMINERS.contains(&word_at(tokens, k))).is_some_and(|k| tokens[k].kind == TokenKind::Name);
        if to_count || of_named {
            out.push((i, Action::Scale));
        }
    }
    for m in mentions {
        if !m.has(|c| matches!(c, Cue::Compliance(ComplianceWord::Regime(_)))) || m.start == 0 {
            continue;
        }
        // "... be PCI", "... become SOC 2 compliant", with a named thing earlier in the clause.
        let before = (m.start.saturating_sub(3)..m.start).any(|k| v::BECOME_VERBS.contains(&word_at(tokens, k)));
        let clause_start = (0..m.start).rev().find(|&k| tokens[k].clause_end).map(|k| k + 1).unwrap_or(0);
        let named = tokens[clause_start..m.start].iter().any(|t| t.kind == TokenKind::Name);
        if before && named {
            out.push((m.start, Action::Modify));
        }
    }
    out
}

fn read_environment(tokens: &[Token], mentions: &[Mention], negated: &[bool], f: &mut Facts) {
    let mut best: Option<(u8, Environment)> = None;
    let mut consider = |score: u8, env: Environment| {
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, env));
        }
    };
    for (mi, m) in mentions.iter().enumerate() {
        for c in m.cues {
            let Cue::Env(env, strength) = *c else {
                continue;
            };
            if tokens[m.start..m.end].iter().any(|t| t.plural) {
                continue;
            }
            let next = word_at(tokens, m.end);
            let prev = if m.start > 0 {
                word_at(tokens, m.start - 1)
            } else {
                ""
            };
            if v::ENVIRONMENT_NOT_BEFORE.contains(&next) && !tokens[m.end - 1].clause_end {
                continue;
            }
            // "we don't need the dev environment anymore, remove it" names what to delete.
            if negated[mi] && f.action != Action::Delete {
                if env == Environment::Production {
                    consider(v::MEDIUM, Environment::Development);
                }
                continue;
            }
            let is_place = v::ENVIRONMENT_NOUNS.contains(&next) && !tokens[m.end - 1].clause_end;
            f.environment_phrase |= is_place;
            let score = strength
                + u8::from(is_place)
                + u8::from(v::ENVIRONMENT_PREPOSITIONS.contains(&prev));
            consider(score, env);
        }
    }
    // An environment inside a name (`checkout-staging`) is a weak hint.
    for t in tokens.iter().filter(|t| t.kind == TokenKind::Name) {
        for part in t.lower.split(['-', '_']) {
            if let Some((_, env, _)) = v::ENVIRONMENTS
                .iter()
                .find(|(p, _, s)| *p == part && *s == v::STRONG)
            {
                consider(v::WEAK, *env);
            }
        }
    }
    f.environment = best.map(|(_, e)| e);
}

fn read_components(mentions: &[Mention], negated: &[bool], f: &mut Facts) {
    const DATABASES: [Component; 3] = [Component::Postgres, Component::Mysql, Component::Dynamodb];
    const RELATIONAL: [Component; 2] = [Component::Postgres, Component::Mysql];
    for (mi, m) in mentions.iter().enumerate() {
        for c in m.cues {
            let Cue::Component(word) = *c else { continue };
            let neg = negated[mi];
            match (word, neg) {
                (ComponentWord::Engine(c), false) => f.components.push(c),
                (ComponentWord::Engine(c), true) => f.excluded.push(c),
                (ComponentWord::AnyDatabase, false) => f.wants_database = true,
                (ComponentWord::AnyDatabase, true) => f.excluded.extend(DATABASES),
                (ComponentWord::AnyRelational, false) => f.wants_relational = true,
                (ComponentWord::AnyRelational, true) => f.excluded.extend(RELATIONAL),
                (ComponentWord::Container, false) => f.container = true,
                (ComponentWord::Container, true) => {}
            }
        }
    }
    f.excluded.sort();
    f.excluded.dedup();
    f.components.retain(|c| !f.excluded.contains(c));
    f.components.sort();
    f.components.dedup();
}

fn read_compliance_and_places(
    tokens: &[Token],
    mentions: &[Mention],
    negated: &[bool],
    f: &mut Facts,
) {
    // Each named region with its rank: a destination ("to eu-west-1") first, a source ("from
    // us-east-1") last, and a code before a place name.
    let mut named: Vec<(u8, usize, &str)> = Vec::new();
    let rank = |pos: usize, code: bool| -> u8 {
        let prev = if pos > 0 {
            word_at(tokens, pos - 1)
        } else {
            ""
        };
        // "replication to Ireland", "backups copied to eu-west-1": where copies go, not where the
        // workload runs.
        let copies_go = matches!(prev, "to" | "into" | "onto")
            && (pos.saturating_sub(4)..pos.saturating_sub(1)).any(|k| v::COPY_NOUNS.contains(&word_at(tokens, k)) || v::REPLICA_WORDS.contains(&word_at(tokens, k)));
        match prev {
            _ if copies_go => 4,
            "to" | "into" | "onto" => 0,
            "from" => 3,
            _ if code => 1,
            _ => 2,
        }
    };
    for (mi, m) in mentions.iter().enumerate() {
        for c in m.cues {
            match (*c, negated[mi]) {
                (Cue::Compliance(ComplianceWord::Regime(r)), false) => f.compliance.push(r),
                (Cue::Compliance(ComplianceWord::Regime(r)), true) => f.compliance_removed.push(r),
                (Cue::Compliance(ComplianceWord::PersonalData), false) => f.personal_data = true,
                (Cue::Eu, false) => f.eu = true,
                // "900 Australian dollars" names a currency, not where to run.
                (Cue::Place(_), false) if matches!(word_at(tokens, m.end), "dollar" | "dollars" | "dollar's") => {}
                (Cue::Place(r), false) => named.push((rank(m.start, false), m.start, r)),
                _ => {}
            }
        }
    }
    for (i, t) in tokens.iter().enumerate() {
        if t.kind != TokenKind::RegionCode {
            continue;
        }
        match v::REGIONS.iter().find(|r| **r == t.word) {
            Some(r) => named.push((rank(i, true), i, r)),
            None => {
                if f.unknown_region.is_none() {
                    f.unknown_region = Some(t.word.clone());
                }
            }
        }
    }
    named.sort();
    if let Some(&(_, _, first)) = named.first() {
        f.region = Some(first.to_string());
        let moving = named.iter().any(|(rank, _, _)| *rank == 0 || *rank == 3);
        if !moving && named.iter().any(|(_, _, r)| *r != first) {
            f.region_notes
                .push(format!("Several regions were named; {first} was used"));
        }
    }
    f.compliance.sort();
    f.compliance.dedup();
}

fn read_paths(
    lex: &Lexicon,
    tokens: &[Token],
    mentions: &[Mention],
    negated: &[bool],
    f: &mut Facts,
) {
    for (mi, m) in mentions.iter().enumerate() {
        if negated[mi] {
            continue;
        }
        for c in m.cues {
            if let Cue::Path(idx, w) = *c
                && let Some(score) = f.path_scores.get_mut(idx)
            {
                *score += w;
                if f.path_phrases[idx].is_none() {
                    let raw: Vec<&str> = tokens[m.start..m.end]
                        .iter()
                        .map(|t| t.raw.as_str())
                        .collect();
                    f.path_phrases[idx] = Some(raw.join(" "));
                }
            }
        }
    }
    // A path keyword inside a name (`orders-api`) counts for less.
    for t in tokens.iter().filter(|t| t.kind == TokenKind::Name) {
        for part in t.lower.split(['-', '_']) {
            for c in lex.cues_of(part) {
                if let Cue::Path(idx, w) = *c
                    && let Some(score) = f.path_scores.get_mut(idx)
                {
                    *score += w * v::NAME_PART_WEIGHT;
                }
            }
        }
    }
}

fn read_misc(tokens: &[Token], mentions: &[Mention], negated: &[bool], f: &mut Facts) {
    for (mi, m) in mentions.iter().enumerate() {
        for c in m.cues {
            match (*c, negated[mi]) {
                (Cue::OffRoad(name), false) => f.off_road.push(name.to_string()),
                (Cue::OffRoad(name), true) => f.off_road_removed.push(name.to_string()),
                (Cue::Exposure(p), neg) if f.public.is_none() => f.public = Some(p && !neg),
                (Cue::Scale(s), false) if f.scale.is_none() => f.scale = Some(s.to_string()),
                (Cue::Vague, _) if f.vague.is_none() => {
                    f.vague = Some(
                        tokens[m.start..m.end]
                            .iter()
                            .map(|t| t.lower.as_str())
                            .collect::<Vec<_>>()
                            .join(" "),
                    );
                }
                _ => {}
            }
        }
    }
    f.off_road.sort();
    f.off_road.dedup();
}

fn read_ids(tokens: &[Token], f: &mut Facts) {
    for (i, t) in tokens.iter().enumerate() {
        match t.kind {
            TokenKind::RequestId => f.request_ids.push(t.word.clone()),
            TokenKind::ChangeTicket => f.change_tickets.push(t.word.clone()),
            TokenKind::Size => f.sizes.push(t.word.clone()),
            TokenKind::Word => {
                // "request 12345", "request #12345", "change ticket 4711".
                let digits = |k: usize| {
                    tokens
                        .get(k)
                        .map(|n| n.lower.as_str())
                        .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
                };
                if t.word == "request" {
                    let k = if word_at(tokens, i + 1) == "id" {
                        i + 2
                    } else {
                        i + 1
                    };
                    if let Some(d) = digits(k) {
                        f.request_ids.push(format!("req-{d}"));
                    }
                }
                let is_change = t.word == "chg"
                    || (t.word == "ticket" && i > 0 && word_at(tokens, i - 1) == "change");
                if is_change && let Some(d) = digits(i + 1) {
                    f.change_tickets.push(format!("CHG-{d}"));
                }
            }
            _ => {}
        }
    }
    for list in [&mut f.request_ids, &mut f.change_tickets, &mut f.sizes] {
        let mut seen = std::collections::HashSet::new();
        list.retain(|x| seen.insert(x.clone()));
    }
}

/// The service or resource the text names: a name after "called"/"named", a hyphenated name
/// (`payment-service`), a quoted word, or "the checkout service" → `checkout-service`.
///
/// "The X service" is only read as a name when the action works on something that exists: in a
/// request for something new, "an API for our mobile app" describes the workload.
fn service_name(
    lex: &Lexicon,
    tokens: &[Token],
    mentions: &[Mention],
    existing: bool,
) -> Option<String> {
    for (i, t) in tokens.iter().enumerate() {
        if (t.word == "called" || t.word == "named")
            && let Some(n) = tokens.get(i + 1)
            && matches!(n.kind, TokenKind::Name | TokenKind::Word)
            && !v::STOPWORDS.contains(&n.word.as_str())
            && n.lower
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Some(n.lower.clone());
        }
    }
    if let Some(t) = tokens.iter().find(|t| t.kind == TokenKind::Name) {
        return Some(t.lower.clone());
    }
    if let Some(t) = tokens.iter().find(|t| {
        t.quoted
            && t.kind == TokenKind::Word
            && !v::STOPWORDS.contains(&t.lower.as_str())
            && t.lower.chars().all(|c| c.is_ascii_alphanumeric())
    }) {
        return Some(t.lower.clone());
    }
    if !existing {
        return None;
    }
    let in_phrase = |i: usize| {
        mentions
            .iter()
            .any(|m| m.start <= i && i < m.end && m.end - m.start > 1)
    };
    for (i, t) in tokens.iter().enumerate() {
        let Some((_, suffix)) = v::SERVICE_NOUNS.iter().find(|(n, _)| *n == t.lower) else {
            continue;
        };
        if in_phrase(i) {
            continue;
        }
        let mut words: Vec<&str> = Vec::new();
        let mut k = i;
        while k > 0 && words.len() < 2 {
            let w = &tokens[k - 1];
            if w.kind != TokenKind::Word || w.clause_end || !name_word(lex, w) {
                break;
            }
            words.push(w.lower.as_str());
            k -= 1;
        }
        if words.is_empty() {
            continue;
        }
        let introduced = k == 0 || {
            let p = &tokens[k - 1];
            [
                "the", "our", "my", "their", "your", "this", "that", "its", "of", "for", "to",
                "from", "on", "in",
            ]
            .contains(&p.word.as_str())
                || lex
                    .cues_of(&p.word)
                    .iter()
                    .any(|c| matches!(c, Cue::Action(..)))
        };
        if !introduced {
            continue;
        }
        words.reverse();
        return Some(format!("{}-{suffix}", words.join("-")));
    }
    None
}

/// A hyphenated name before a service noun in a change to what exists, even when its words are
/// a golden path's keywords: "scale the production web-app service" (paved names a web app it
/// plans without a name `web-app`).
fn hyphenated_service(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-').to_lowercase())
        .collect();
    words.windows(2).enumerate().find_map(|(i, pair)| {
        let name = &pair[0];
        let compound = hyphenated(name);
        let noun = v::SERVICE_NOUNS.iter().any(|(n, _)| *n == pair[1]);
        // Introduced as something that exists: "the", "our", ... possibly with an environment
        // word between ("the staging web-app service").
        let before: Vec<&str> = words[..i].iter().rev().take(2).map(String::as_str).collect();
        let envs = before.iter().take_while(|w| v::ENVIRONMENTS.iter().any(|(e, _, _)| e == *w)).count();
        let introduced = before.get(envs).is_some_and(|w| matches!(*w, "the" | "our" | "my" | "their" | "your" | "this" | "that"));
        (compound && noun && introduced).then(|| name.clone())
    })
    // "triple the workers on image-resizer": a hyphenated name as the object of a preposition.
    .or_else(|| {
        words.windows(2).find_map(|pair| {
            let name = &pair[1];
            (hyphenated(name) && matches!(pair[0].as_str(), "on" | "of" | "for" | "to" | "from")).then(|| name.clone())
        })
    })
}

/// A lower-case name with inner hyphens (`web-app`, `image-resizer`).
fn hyphenated(w: &str) -> bool {
    w.contains('-')
        && !w.starts_with('-')
        && !w.ends_with('-')
        && w.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// A word that can be part of a service name: not grammar and not a word that means something
/// else to paved (an environment, a component, a place, an action).
fn name_word(lex: &Lexicon, t: &Token) -> bool {
    let w = t.lower.as_str();
    w.len() >= 3
        && w.chars().all(|c| c.is_ascii_alphanumeric())
        && !v::STOPWORDS.contains(&w)
        && !v::SERVICE_NOUNS.iter().any(|(n, _)| *n == w)
        && !lex.cues_of(&t.word).iter().any(|c| match c {
            Cue::Path(_, weight) => *weight >= 4.0,
            Cue::Env(..)
            | Cue::Component(_)
            | Cue::Compliance(_)
            | Cue::Place(_)
            | Cue::Eu
            | Cue::Action(..)
            | Cue::Negation
            | Cue::PostNegation
            | Cue::Exposure(_)
            | Cue::Scale(_)
            | Cue::Vague => true,
            Cue::OffRoad(_) | Cue::OnRoad => false,
        })
}

/// What the workload is for: the words after the first "for" ("for payment processing"), unless
/// they only name an environment or a team.
fn purpose(tokens: &[Token], mentions: &[Mention]) -> Option<String> {
    let i = tokens
        .iter()
        .position(|t| t.word == "for" && !t.clause_end)?;
    const STOP: &[&str] = &[
        "with", "in", "on", "using", "that", "which", "and", "to", "at", "hosted", "backed",
        "under", "budget", "please", "so", "but", "running", "where", "behind", "within",
        "without",
    ];
    let mut words = Vec::new();
    for t in &tokens[i + 1..] {
        if STOP.contains(&t.word.as_str()) || t.kind == TokenKind::Slash || words.len() >= 6 {
            break;
        }
        words.push(t.raw.as_str());
        if t.clause_end {
            break;
        }
    }
    let env_only = mentions
        .iter()
        .any(|m| m.start == i + 1 && m.has(|c| matches!(c, Cue::Env(..))));
    let meaningful = words
        .iter()
        .any(|w| !v::STOPWORDS.contains(&w.to_lowercase().as_str()));
    (!words.is_empty() && meaningful && !env_only).then(|| words.join(" "))
}
