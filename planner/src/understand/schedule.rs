//! Schedules in words → cron expressions ("nightly" → `0 2 * * *`, "every Sunday at 3am" →
//! `0 3 * * 0`, "every 15 minutes" → `*/15 * * * *`).
//!
//! The output is a standard five-field cron expression (minute, hour, day of month, month, day of
//! week), read in UTC.

use super::lexicon::{Token, TokenKind};
use super::vocabulary::{self as v, Frequency, TimeUnit};

/// A schedule read from a request, with what was assumed to complete it.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub cron: String,
    pub notes: Vec<String>,
}

pub const NOTE_DEFAULT_TIME: &str = "Run time assumed 02:00 UTC";
pub const NOTE_UTC: &str = "Schedule times read as UTC";
pub const NOTE_WEEKLY_DAY: &str = "Weekly runs assumed on Sunday";
pub const NOTE_MONTHLY_DAY: &str = "Monthly runs assumed on the 1st of the month";

/// How every schedule assumption starts, so that an amendment can replace them all.
pub const NOTE_PREFIXES: &[&str] = &[
    "Run time",
    "Schedule",
    "Weekly runs",
    "Monthly runs",
    "Twice-daily",
    "Three runs",
];

/// A cron expression written literally in the request (`*/5 * * * *`), if any.
pub fn literal_cron(text: &str) -> Option<String> {
    let fields: Vec<&str> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| matches!(c, '`' | '"' | '\'' | '(' | ')' | ',' | ';')))
        .collect();
    fields.windows(5).find_map(|w| {
        let ok = w.iter().all(|f| is_cron_field(f))
            && w.iter().any(|f| f.contains('*'))
            && w.iter()
                .filter(|f| f.chars().any(|c| c.is_ascii_digit()))
                .count()
                >= 1;
        ok.then(|| w.join(" "))
    })
}

fn is_cron_field(f: &str) -> bool {
    !f.is_empty() && f.len() <= 20 && f.chars().all(|c| c.is_ascii_digit() || "*/,-".contains(c))
}

/// Reads the schedule described by `tokens`; `skip[i]` marks tokens already used by the budget.
pub fn parse(text: &str, tokens: &[Token], skip: &[bool]) -> Option<Schedule> {
    if let Some(cron) = literal_cron(text) {
        return Some(Schedule {
            cron,
            notes: Vec::new(),
        });
    }
    let words: Vec<&str> = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if skip.get(i).copied().unwrap_or(false) {
                ""
            } else {
                t.word.as_str()
            }
        })
        .collect();

    let mut freq: Option<Frequency> = None;
    let mut every_n: Option<(u32, TimeUnit)> = None;
    let mut days: Vec<String> = Vec::new();
    let mut month_day: Option<u32> = None;
    let mut times: Vec<(u32, u32)> = Vec::new();

    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if w.is_empty() || tokens[i].kind != TokenKind::Word {
            i += 1;
            continue;
        }
        // "every N minutes", "every 2 hours", "every other day".
        if (w == "every" || w == "each") && i + 1 < words.len() {
            let next = words[i + 1];
            let (n, unit_at) = if next == "other" {
                (Some(2), i + 2)
            } else {
                (number(next), i + 2)
            };
            if let (Some(n), Some(unit)) = (n, words.get(unit_at).and_then(|u| unit_of(u))) {
                every_n = Some((n, unit));
                i = unit_at + 1;
                continue;
            }
        }
        // "N times a day".
        if let Some(n) = number(w)
            && words.get(i + 1) == Some(&"times")
            && matches!(words.get(i + 2), Some(&"a") | Some(&"per") | Some(&"each"))
            && matches!(words.get(i + 3), Some(&"day"))
        {
            freq = Some(match n {
                2 => Frequency::TwiceDaily,
                3 => Frequency::ThriceDaily,
                _ => Frequency::Daily,
            });
            if n > 3 && n <= 24 {
                every_n = Some((24 / n, TimeUnit::Hour));
            }
            i += 4;
            continue;
        }
        if let Some((len, f)) = match_frequency(&words, i) {
            let next = if tokens[i + len - 1].clause_end {
                ""
            } else {
                words.get(i + len).copied().unwrap_or("")
            };
            if !v::FREQUENCY_NOT_BEFORE.contains(&next) || copies_somewhere(&words, tokens, i + len) {
                freq = Some(stronger(freq, f));
            }
            i += len;
            continue;
        }
        // Day sets ("every weekday", "on weekends").
        if let Some((len, set)) = match_phrase(&words, i, v::WEEKDAY_SETS) {
            let prev = if i > 0 { words[i - 1] } else { "" };
            if tokens[i].plural
                || matches!(prev, "every" | "each" | "on" | "weekly")
                || w.ends_with('s')
            {
                days.push(set.to_string());
            }
            i += len;
            continue;
        }
        // Named days: "every Sunday", "on Mondays", "Monday to Friday".
        if let Some(d) = weekday(w) {
            let prev = if i > 0 { words[i - 1] } else { "" };
            let plural = tokens[i].plural || tokens[i].lower.ends_with("days");
            let listed = !days.is_empty() && matches!(prev, "and" | "&" | "or");
            let ranged = matches!(
                words.get(i + 1),
                Some(&"to") | Some(&"through") | Some(&"thru") | Some(&"until")
            ) && words.get(i + 2).and_then(|x| weekday(x)).is_some();
            let adjacent_range =
                words.get(i + 1).and_then(|x| weekday(x)).is_some() && tokens[i].lower.len() <= 4;
            if ranged || adjacent_range {
                let skip_to = if ranged { i + 2 } else { i + 1 };
                if let Some(e) = weekday(words[skip_to]) {
                    days.push(format!("{d}-{e}"));
                    i = skip_to + 1;
                    continue;
                }
            }
            if plural || listed || matches!(prev, "every" | "each" | "on") {
                days.push(d.to_string());
            }
            i += 1;
            continue;
        }
        // Day of month: "on the 15th", "1st of every month", "first day of the month".
        // "the 15th of every month", "the last day of the month"; not "last month" or "the
        // first week", which say when something happened.
        if let Some(d) = ordinal(w)
            && !matches!(words.get(i + 1), Some(&("month" | "months" | "week" | "weeks" | "year" | "years" | "quarter" | "time")))
            && words[i + 1..]
                .iter()
                .take(4)
                .any(|x| *x == "month" || *x == "monthly")
        {
            month_day = Some(d);
        }
        // Times of day.
        if let Some((t, used)) = time_at(&words, tokens, i) {
            times.push(t);
            i += used;
            continue;
        }
        i += 1;
    }

    let mut notes = Vec::new();
    let explicit_time = !times.is_empty();
    let (minute, hours) = if explicit_time {
        let minute = times[0].1;
        let mut hours: Vec<u32> = times
            .iter()
            .filter(|t| t.1 == minute)
            .map(|t| t.0)
            .collect();
        hours.sort_unstable();
        hours.dedup();
        (
            minute,
            hours
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(","),
        )
    } else {
        (0, String::new())
    };
    let default_hour = |h: u8, notes: &mut Vec<String>| -> String {
        if explicit_time {
            hours.clone()
        } else {
            if h == v::DEFAULT_RUN_HOUR {
                notes.push(NOTE_DEFAULT_TIME.to_string());
            } else {
                notes.push(format!("Run time assumed {h:02}:00 UTC"));
            }
            h.to_string()
        }
    };
    let dow = if days.is_empty() {
        "*".to_string()
    } else {
        days.join(",")
    };

    let cron = if let Some((n, unit)) = every_n {
        match unit {
            TimeUnit::Minute if n == 0 || n >= 60 => "0 * * * *".to_string(),
            TimeUnit::Minute if n == 1 => "* * * * *".to_string(),
            TimeUnit::Minute => format!("*/{n} * * * *"),
            TimeUnit::Hour if n == 0 || n == 1 || n >= 24 => format!("{minute} * * * *"),
            TimeUnit::Hour => format!("{minute} */{n} * * *"),
            TimeUnit::Day => {
                let h = default_hour(v::DEFAULT_RUN_HOUR, &mut notes);
                if n <= 1 {
                    format!("{minute} {h} * * *")
                } else {
                    format!("{minute} {h} */{n} * *")
                }
            }
            TimeUnit::Week => {
                let h = default_hour(v::DEFAULT_RUN_HOUR, &mut notes);
                if days.is_empty() {
                    notes.push(NOTE_WEEKLY_DAY.to_string());
                }
                let d = if days.is_empty() {
                    "0".to_string()
                } else {
                    dow.clone()
                };
                format!("{minute} {h} * * {d}")
            }
            TimeUnit::Month => {
                let h = default_hour(v::DEFAULT_RUN_HOUR, &mut notes);
                let md = month_day.unwrap_or(1);
                if n <= 1 {
                    format!("{minute} {h} {md} * *")
                } else {
                    format!("{minute} {h} {md} */{n} *")
                }
            }
        }
    } else if let Some(f) = freq {
        match f {
            Frequency::EveryMinute => "* * * * *".to_string(),
            Frequency::HalfHourly => "*/30 * * * *".to_string(),
            Frequency::Hourly => format!("{minute} * * * *"),
            Frequency::Daily | Frequency::Nightly => {
                let h = default_hour(v::DEFAULT_RUN_HOUR, &mut notes);
                format!("{minute} {h} * * {dow}")
            }
            Frequency::Morning => {
                let h = default_hour(v::MORNING_HOUR, &mut notes);
                format!("{minute} {h} * * {dow}")
            }
            Frequency::Evening => {
                let h = default_hour(v::EVENING_HOUR, &mut notes);
                format!("{minute} {h} * * {dow}")
            }
            Frequency::TwiceDaily => {
                let h = if hours.contains(',') {
                    hours.clone()
                } else {
                    notes.push("Twice-daily runs assumed at 02:00 and 14:00 UTC".to_string());
                    "2,14".to_string()
                };
                format!("{minute} {h} * * {dow}")
            }
            Frequency::ThriceDaily => {
                let h = if hours.matches(',').count() >= 2 {
                    hours.clone()
                } else {
                    notes
                        .push("Three runs a day assumed at 02:00, 10:00 and 18:00 UTC".to_string());
                    "2,10,18".to_string()
                };
                format!("{minute} {h} * * {dow}")
            }
            Frequency::Weekly => {
                let h = default_hour(v::DEFAULT_RUN_HOUR, &mut notes);
                if days.is_empty() {
                    notes.push(NOTE_WEEKLY_DAY.to_string());
                }
                let d = if days.is_empty() {
                    "0".to_string()
                } else {
                    dow.clone()
                };
                format!("{minute} {h} * * {d}")
            }
            Frequency::Monthly => {
                let h = default_hour(v::DEFAULT_RUN_HOUR, &mut notes);
                if month_day.is_none() {
                    notes.push(NOTE_MONTHLY_DAY.to_string());
                }
                format!("{minute} {h} {} * *", month_day.unwrap_or(1))
            }
            Frequency::Quarterly => {
                let h = default_hour(v::DEFAULT_RUN_HOUR, &mut notes);
                format!("{minute} {h} {} */3 *", month_day.unwrap_or(1))
            }
            Frequency::Yearly => {
                let h = default_hour(v::DEFAULT_RUN_HOUR, &mut notes);
                format!("{minute} {h} {} 1 *", month_day.unwrap_or(1))
            }
        }
    } else if !days.is_empty() {
        let h = default_hour(v::DEFAULT_RUN_HOUR, &mut notes);
        format!("{minute} {h} * * {dow}")
    } else if let Some(md) = month_day {
        let h = default_hour(v::DEFAULT_RUN_HOUR, &mut notes);
        format!("{minute} {h} {md} * *")
    } else if explicit_time {
        notes.push(format!(
            "Schedule read as daily at {:02}:{minute:02}",
            times[0].0
        ));
        format!("{minute} {hours} * * *")
    } else {
        return None;
    };
    if explicit_time {
        notes.push(NOTE_UTC.to_string());
    }
    Some(Schedule { cron, notes })
}

/// Whether the copies named at `i` ("backups", "snapshots") go somewhere in the same clause
/// ("nightly backups of the orders db to S3"): then they are a job that runs, not a property of
/// a database ("nightly backups kept 30 days").
fn copies_somewhere(words: &[&str], tokens: &[Token], i: usize) -> bool {
    if !words.get(i).is_some_and(|w| v::COPY_NOUNS.contains(w)) {
        return false;
    }
    let mut k = i;
    while k + 1 < words.len() && !tokens[k].clause_end {
        k += 1;
        if matches!(words[k], "to" | "into") && words[k + 1..words.len().min(k + 4)].iter().any(|w| v::COPY_DESTINATIONS.contains(w)) {
            return true;
        }
    }
    false
}

/// When two frequency words appear ("nightly ... every night"), keep the more specific one.
fn stronger(old: Option<Frequency>, new: Frequency) -> Frequency {
    match old {
        Some(Frequency::Daily) => new,
        Some(o) => o,
        None => new,
    }
}

fn match_frequency(words: &[&str], i: usize) -> Option<(usize, Frequency)> {
    match_phrase(words, i, v::FREQUENCIES)
}

fn match_phrase<T: Copy>(words: &[&str], i: usize, table: &[(&str, T)]) -> Option<(usize, T)> {
    let mut best: Option<(usize, T)> = None;
    for (phrase, value) in table {
        if let Some(len) = phrase_len_at(words, i, phrase)
            && best.is_none_or(|(l, _)| len > l)
        {
            best = Some((len, *value));
        }
    }
    best
}

/// How many words `phrase` covers when it starts at `words[i]`.
fn phrase_len_at(words: &[&str], i: usize, phrase: &str) -> Option<usize> {
    let mut n = 0;
    for part in phrase.split(' ') {
        if words.get(i + n) != Some(&part) {
            return None;
        }
        n += 1;
    }
    Some(n)
}

fn unit_of(w: &str) -> Option<TimeUnit> {
    v::SCHEDULE_UNITS
        .iter()
        .find(|(u, _)| *u == w)
        .map(|(_, t)| *t)
}

fn weekday(w: &str) -> Option<u8> {
    let w = w
        .strip_suffix('s')
        .filter(|s| s.ends_with("day"))
        .unwrap_or(w);
    v::WEEKDAYS.iter().find(|(d, _)| *d == w).map(|(_, n)| *n)
}

/// A count written as digits or a word.
pub fn number(w: &str) -> Option<u32> {
    if !w.is_empty() && w.len() <= 4 && w.bytes().all(|b| b.is_ascii_digit()) {
        return w.parse().ok();
    }
    v::NUMBER_WORDS
        .iter()
        .find(|(n, _)| *n == w)
        .map(|(_, n)| *n)
}

fn ordinal(w: &str) -> Option<u32> {
    let named = [("first", 1), ("second", 2), ("third", 3), ("last", 28)];
    if let Some((_, n)) = named.iter().find(|(n, _)| *n == w) {
        return Some(*n);
    }
    let digits = w
        .strip_suffix("st")
        .or(w.strip_suffix("nd"))
        .or(w.strip_suffix("rd"))
        .or(w.strip_suffix("th"))?;
    let n: u32 = digits.parse().ok()?;
    (1..=31).contains(&n).then_some(n)
}

/// A time of day at token `i`: "3am", "3 am", "at 3", "23:00", "9:30pm", "noon", "6 in the
/// evening". Returns (hour, minute) and how many tokens it used.
fn time_at(words: &[&str], tokens: &[Token], i: usize) -> Option<((u32, u32), usize)> {
    let w = words[i];
    let prev = if i > 0 { words[i - 1] } else { "" };
    if let Some((_, h)) = v::TIMES_OF_DAY.iter().find(|(n, _)| *n == w) {
        return Some(((u32::from(*h), 0), 1));
    }
    let lower = tokens[i].lower.as_str();
    let (body, suffix) = if let Some(b) = lower.strip_suffix("am") {
        (b, Some("am"))
    } else if let Some(b) = lower.strip_suffix("pm") {
        (b, Some("pm"))
    } else {
        (lower, None)
    };
    let (h, m) = clock(body)?;
    let mut used = 1;
    let mut meridiem = suffix;
    if meridiem.is_none() {
        match words.get(i + 1) {
            Some(&"am") => {
                meridiem = Some("am");
                used = 2;
            }
            Some(&"pm") => {
                meridiem = Some("pm");
                used = 2;
            }
            Some(&"o'clock") => used = 2,
            _ => {}
        }
    }
    // A bare number is a time only after "at" ("daily at 6") or in a list of times.
    let has_colon = body.contains(':');
    if meridiem.is_none() && !has_colon && !(prev == "at" || prev == "and" && i >= 2) {
        return None;
    }
    if meridiem.is_none() && !has_colon && prev == "and" && !(i >= 3 && words[i - 3] == "at") {
        return None;
    }
    let rest: Vec<&str> = words[i + used..].iter().take(3).copied().collect();
    let evening = rest.starts_with(&["in", "the", "evening"])
        || rest.starts_with(&["in", "the", "afternoon"]);
    let mut hour = h;
    match meridiem {
        Some("am") if h == 12 => hour = 0,
        Some("pm") if h < 12 => hour = h + 12,
        None if evening && h < 12 => hour = h + 12,
        _ => {}
    }
    (hour <= 23 && m <= 59).then_some(((hour, m), used))
}

fn clock(body: &str) -> Option<(u32, u32)> {
    let (h, m) = match body.split_once(':') {
        Some((h, m)) => (h, m),
        None => (body, "0"),
    };
    if h.is_empty() || h.len() > 2 || !h.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if m.is_empty() || m.len() > 2 || !m.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((h.parse().ok()?, m.parse().ok()?))
}
