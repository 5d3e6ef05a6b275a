//! Schedules in words → cron expressions ("nightly" → `0 2 * * *`, "every Sunday at 3am" →
//! `0 3 * * 0`, "every 15 minutes" → `*/15 * * * *`).
//!
//! The output is a standard five-field cron expression (minute, hour, day of month, month, day of
//! week), read in UTC.

use super::lexicon::{Token, TokenKind};
use super::money::number_word;
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
    // Each time with whether it is only weakly one ("at five" may count something).
    let mut times: Vec<((u32, u32), bool)> = Vec::new();

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
        if let Some((t, used, weak)) = time_at(&words, tokens, i) {
            times.push((t, weak));
            i += used;
            continue;
        }
        i += 1;
    }
    // "at five" is a time beside a frequency or a day ("daily at five"), not on its own.
    let other_signal = freq.is_some() || every_n.is_some() || !days.is_empty() || month_day.is_some();
    let times: Vec<(u32, u32)> = times
        .into_iter()
        .filter(|(_, weak)| !weak || other_signal)
        .map(|(t, _)| t)
        .collect();

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
    number_word(w)
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
/// evening", "half past midnight", "quarter to six", "at five thirty", "seven in the morning".
/// Returns (hour, minute), how many tokens it used, and whether it is only weakly a time ("at
/// five and" may count something). A bare hour is read on the 24-hour clock ("at 6" is 06:00)
/// unless a part of the day follows ("6 in the evening", "11 at night").
fn time_at(words: &[&str], tokens: &[Token], i: usize) -> Option<((u32, u32), usize, bool)> {
    let w = words[i];
    let prev = if i > 0 { words[i - 1] } else { "" };
    if let Some((t, used)) = relative_time_at(words, tokens, i) {
        return Some((t, used, false));
    }
    if let Some((_, h)) = v::TIMES_OF_DAY.iter().find(|(n, _)| *n == w) {
        return Some(((u32::from(*h), 0), 1, false));
    }
    // An hour in words: "at five", "five thirty", "seven in the morning", "six o'clock".
    if let Some(h) = number_word(lower_at(words, tokens, i)).filter(|h| (1..=12).contains(h)) {
        let (minute, minute_len) = if tokens[i].clause_end {
            (0, 0)
        } else {
            minute_words_at(words, tokens, i + 1).unwrap_or((0, 0))
        };
        let mut used = 1 + minute_len;
        let (meridiem, meridiem_len) = meridiem_at(words, tokens, i + used - 1);
        used += meridiem_len;
        let part = day_part_at(words, tokens, i + used - 1);
        let stated = minute_len > 0 || meridiem_len > 0 || part.is_some();
        let listed = prev == "and" && i >= 3 && words[i - 3] == "at";
        if !(stated || prev == "at" || listed) {
            return None;
        }
        if minute_len > 0 && meridiem_len == 0 && part.is_none() && !matches!(prev, "at" | "by") {
            return None;
        }
        // "at five" ending the request or its clause is a time; "at one point we..." is not.
        let ends = tokens[i].clause_end || i + 1 == tokens.len();
        let hour = on_clock(h, meridiem, part)?;
        return Some(((hour, minute), used, !stated && !ends));
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
        let (said, len) = meridiem_at(words, tokens, i);
        meridiem = said;
        used += len;
    }
    let part = day_part_at(words, tokens, i + used - 1);
    // A bare number is a time only after "at" ("daily at 6"), in a list of times, or with
    // "o'clock" or a part of the day after it ("6 in the evening").
    let has_colon = body.contains(':');
    let stated = has_colon || meridiem.is_some() || used > 1 || part.is_some();
    if !(stated || prev == "at" || prev == "and" && i >= 2) {
        return None;
    }
    if !stated && prev == "and" && !(i >= 3 && words[i - 3] == "at") {
        return None;
    }
    let hour = on_clock(h, meridiem, part)?;
    (hour <= 23 && m <= 59).then_some(((hour, m), used, false))
}

/// A time said from the hour: "half past five", "quarter past midnight", "quarter to six",
/// "ten past nine", "20 minutes to 7", with "am"/"pm" or a part of the day after the hour.
fn relative_time_at(words: &[&str], tokens: &[Token], i: usize) -> Option<((u32, u32), usize)> {
    let word = |k: usize| lower_at(words, tokens, k);
    let (minutes, mut k, named) = match word(i) {
        "half" => (30, i + 1, true),
        "quarter" => (15, i + 1, true),
        "a" if word(i + 1) == "quarter" => (15, i + 2, true),
        _ => {
            let (n, len) = minute_count_at(words, tokens, i)?;
            (n, i + len, false)
        }
    };
    let counted = matches!(word(k), "minutes" | "minute" | "mins" | "min");
    if counted {
        k += 1;
    }
    // "to" and "after" join too many other things ("5 to 10 instances"): only with "quarter"
    // or counted minutes.
    let before = match word(k) {
        "past" => false,
        "after" if named || counted => false,
        "to" | "till" | "til" | "before" if (named && minutes == 15) || counted => true,
        "of" if named && minutes == 15 => true,
        _ => return None,
    };
    if (i..=k).any(|m| tokens[m].clause_end) {
        return None;
    }
    let (h, hour_len, meridiem, is_named_hour) = hour_at(words, tokens, k + 1)?;
    let mut used = k + 1 + hour_len - i;
    let mut meridiem = meridiem;
    if meridiem.is_none() && !is_named_hour {
        let (said, len) = meridiem_at(words, tokens, i + used - 1);
        meridiem = said;
        used += len;
    }
    let part = if is_named_hour {
        None
    } else {
        day_part_at(words, tokens, i + used - 1)
    };
    let hour = if is_named_hour { h } else { on_clock(h, meridiem, part)? };
    if hour > 23 || minutes == 0 || minutes > 59 {
        return None;
    }
    let at = if before {
        (hour * 60 + 24 * 60 - minutes) % (24 * 60)
    } else {
        hour * 60 + minutes
    };
    Some(((at / 60, at % 60), used))
}

/// An hour at `k`: "midnight", "noon", "5", "5pm", "five". Returns it, how many tokens it took,
/// the "am"/"pm" written on it, and whether it was a named time (which "am"/"pm" do not change).
fn hour_at(words: &[&str], tokens: &[Token], k: usize) -> Option<(u32, usize, Option<&'static str>, bool)> {
    let w = *words.get(k)?;
    if w.is_empty() || tokens[k].kind != TokenKind::Word {
        return None;
    }
    if let Some((_, h)) = v::TIMES_OF_DAY.iter().find(|(n, _)| *n == w) {
        return Some((u32::from(*h), 1, None, true));
    }
    if let Some(h) = number_word(&tokens[k].lower).filter(|h| (1..=12).contains(h)) {
        return Some((h, 1, None, false));
    }
    let lower = tokens[k].lower.as_str();
    let (body, meridiem) = if let Some(b) = lower.strip_suffix("am") {
        (b, Some("am"))
    } else if let Some(b) = lower.strip_suffix("pm") {
        (b, Some("pm"))
    } else {
        (lower, None)
    };
    if body.contains(':') {
        return None;
    }
    let (h, _) = clock(body)?;
    (h <= 23).then_some((h, 1, meridiem, false))
}

/// Minutes before "past" or "to": "ten", "twenty five", "5", "20".
fn minute_count_at(words: &[&str], tokens: &[Token], k: usize) -> Option<(u32, usize)> {
    let w = lower_at(words, tokens, k);
    if !w.is_empty() && w.len() <= 2 && w.bytes().all(|b| b.is_ascii_digit()) {
        return Some((w.parse().ok()?, 1));
    }
    let n = number_word(w)?;
    if n >= 20
        && n % 10 == 0
        && !tokens[k].clause_end
        && let Some(u) = number_word(lower_at(words, tokens, k + 1)).filter(|u| (1..=9).contains(u))
    {
        return Some((n + u, 2));
    }
    Some((n, 1))
}

/// Minutes in words after an hour in words: "thirty", "fifteen", "forty-five", "oh five".
fn minute_words_at(words: &[&str], tokens: &[Token], k: usize) -> Option<(u32, usize)> {
    let w = lower_at(words, tokens, k);
    if matches!(w, "oh" | "o") && !tokens[k].clause_end {
        let u = number_word(lower_at(words, tokens, k + 1)).filter(|u| (1..=9).contains(u))?;
        return Some((u, 2));
    }
    let n = number_word(w).filter(|n| (10..=59).contains(n))?;
    if n >= 20
        && !tokens[k].clause_end
        && let Some(u) = number_word(lower_at(words, tokens, k + 1)).filter(|u| (1..=9).contains(u))
    {
        return Some((n + u, 2));
    }
    Some((n, 1))
}

/// "am", "pm" or "o'clock" right after token `last` (not across a comma). Returns the meridiem and
/// how many tokens it took.
fn meridiem_at(words: &[&str], tokens: &[Token], last: usize) -> (Option<&'static str>, usize) {
    if tokens[last].clause_end {
        return (None, 0);
    }
    match words.get(last + 1) {
        Some(&"am") => (Some("am"), 1),
        Some(&"pm") => (Some("pm"), 1),
        Some(&"o'clock") => (None, 1),
        _ => (None, 0),
    }
}

/// A part of the day that places an hour on the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DayPart {
    Morning,
    /// Afternoon or evening.
    Evening,
    Night,
}

/// "in the morning", "in the afternoon", "in the evening", "at night" right after token `last`.
fn day_part_at(words: &[&str], tokens: &[Token], last: usize) -> Option<DayPart> {
    if tokens[last].clause_end {
        return None;
    }
    let rest: Vec<&str> = words[last + 1..].iter().take(3).copied().collect();
    if rest.starts_with(&["in", "the", "morning"]) {
        Some(DayPart::Morning)
    } else if rest.starts_with(&["in", "the", "evening"]) || rest.starts_with(&["in", "the", "afternoon"]) {
        Some(DayPart::Evening)
    } else if rest.starts_with(&["at", "night"]) {
        Some(DayPart::Night)
    } else {
        None
    }
}

/// The hour on the 24-hour clock: "am"/"pm" when written, else the part of the day ("6 in the
/// evening" is 18, "11 at night" 23, "2 at night" 2), else the hour as written.
fn on_clock(h: u32, meridiem: Option<&str>, part: Option<DayPart>) -> Option<u32> {
    let hour = match (meridiem, part) {
        (Some("am"), _) if h == 12 => 0,
        (Some("pm"), _) if h < 12 => h + 12,
        (Some(_), _) => h,
        (None, Some(DayPart::Evening)) if h < 12 => h + 12,
        (None, Some(DayPart::Night)) if (6..12).contains(&h) => h + 12,
        (None, Some(DayPart::Night | DayPart::Morning)) if h == 12 => 0,
        _ => h,
    };
    (hour <= 23).then_some(hour)
}

/// The token at `k` in lower case, or "" when it is taken by the budget or past the end.
fn lower_at<'a>(words: &[&str], tokens: &'a [Token], k: usize) -> &'a str {
    match words.get(k) {
        Some(w) if !w.is_empty() && tokens[k].kind == TokenKind::Word => tokens[k].lower.as_str(),
        _ => "",
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::understand::lexicon::Lexicon;

    fn cron(text: &str) -> Option<String> {
        let tokens = Lexicon::build(&[]).tokenize(text, &mut Vec::new());
        parse(text, &tokens, &vec![false; tokens.len()]).map(|s| s.cron)
    }

    #[test]
    fn times_said_from_the_hour() {
        let table = [
            ("every day at half past midnight", "30 0 * * *"),
            ("job quarter past midnight", "15 0 * * *"),
            ("half past 5 every day", "30 5 * * *"),
            ("every day at quarter to six", "45 5 * * *"),
            ("every day at half past five", "30 5 * * *"),
            ("every day at a quarter past seven", "15 7 * * *"),
            ("every day at quarter to midnight", "45 23 * * *"),
            ("every day at quarter to noon", "45 11 * * *"),
            ("every weekday at ten past nine", "10 9 * * 1-5"),
            ("daily at twenty five past four", "25 4 * * *"),
            ("daily at 20 minutes to 7", "40 6 * * *"),
            ("at half past six in the evening on weekdays", "30 18 * * 1-5"),
            ("every day at quarter to six pm", "45 17 * * *"),
            ("every day at half past 5pm", "30 17 * * *"),
        ];
        for (text, want) in table {
            assert_eq!(cron(text).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn hours_in_words_and_parts_of_the_day() {
        let table = [
            ("every day at noon", "0 12 * * *"),
            ("every day at midnight", "0 0 * * *"),
            ("job at five thirty every day", "30 5 * * *"),
            ("every sunday at five forty-five pm", "45 17 * * 0"),
            ("every day at seven oh five", "5 7 * * *"),
            ("daily at five o'clock", "0 5 * * *"),
            ("every day at 6 in the evening", "0 18 * * *"),
            ("every day at seven in the morning", "0 7 * * *"),
            ("every day at three in the afternoon", "0 15 * * *"),
            ("report at 11 at night every day", "0 23 * * *"),
            ("cleanup at 2 at night", "0 2 * * *"),
            ("every day at 12 at night", "0 0 * * *"),
            ("job runs at 6 o'clock every day", "0 6 * * *"),
            ("report every morning at seven", "0 7 * * *"),
            ("cleanup job at five", "0 5 * * *"),
            ("daily at two", "0 2 * * *"),
            ("twice a day at nine and five", "0 5,9 * * *"),
            ("twice a day at nine am and five pm", "0 9,17 * * *"),
        ];
        for (text, want) in table {
            assert_eq!(cron(text).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn times_in_digits_read_as_before() {
        let table = [
            ("nightly export", "0 2 * * *"),
            ("every weekday at 6pm", "0 18 * * 1-5"),
            ("6:30pm every weekday", "30 18 * * 1-5"),
            ("report daily at 6", "0 6 * * *"),
            ("job at 9am and 5pm every day", "0 9,17 * * *"),
            ("batch on weekends at 12am", "0 0 * * 0,6"),
            ("every day at 6 in the evening", "0 18 * * *"),
        ];
        for (text, want) in table {
            assert_eq!(cron(text).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn numbers_that_are_not_times_set_no_time() {
        for text in [
            "scale checkout-service to five tasks",
            "scale the api from 5 to 10 instances",
            "we met at five and decided we need a web app",
            "at one point we had two replicas",
            "deploy version two",
            "web app across 3 AZs",
        ] {
            assert_eq!(cron(text), None, "{text}");
        }
        // "5 to 10" is a range, not ten to five: the run time stays the default.
        assert_eq!(cron("scale from 5 to 10 workers every day").as_deref(), Some("0 2 * * *"));
    }
}
