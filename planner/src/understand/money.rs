//! Budgets in words → a monthly figure in US dollars ("under $2000/month", "max 900 USD per
//! month", "2k/month", "€800 monthly", "annual budget is 24k", "fifteen hundred dollars a month",
//! "about three grand a month").

use super::lexicon::{Token, TokenKind};
use super::vocabulary::{self as v, BudgetPeriod};

/// A budget read from a request.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    pub monthly_usd: f64,
    pub notes: Vec<String>,
    /// Tokens that belong to the budget, so that "monthly" in "€800 monthly" is not a schedule.
    pub used: Vec<usize>,
}

/// Every assumption about a budget starts with this word, so a later amendment can replace them.
pub const NOTE_PREFIX: &str = "Budget";

/// Currencies the vocabulary does not name, written as their code ("900 AUD", "900aud").
const OTHER_CURRENCY_CODES: &[(&str, &str)] = &[
    ("aud", "AUD"),
    ("cad", "CAD"),
    ("nzd", "NZD"),
    ("sgd", "SGD"),
    ("hkd", "HKD"),
    ("chf", "CHF"),
    ("jpy", "JPY"),
    ("inr", "INR"),
    ("sek", "SEK"),
    ("nok", "NOK"),
    ("dkk", "DKK"),
];

/// Dollars of other countries, written before the number ("A$900", "C$ 900").
const OTHER_DOLLAR_SYMBOLS: &[(&str, &str)] = &[
    ("au$", "AUD"),
    ("a$", "AUD"),
    ("ca$", "CAD"),
    ("c$", "CAD"),
    ("nz$", "NZD"),
    ("s$", "SGD"),
    ("hk$", "HKD"),
];

/// A country's word before "dollars" that makes them not US dollars ("900 Australian dollars").
const OTHER_DOLLARS: &[(&str, &str)] = &[
    ("australian", "AUD"),
    ("aussie", "AUD"),
    ("canadian", "CAD"),
    ("singapore", "SGD"),
];

/// Words that multiply the number before them ("fifteen hundred", "3 grand", "two thousand").
const SCALE_WORDS: &[(&str, f64)] = &[
    ("hundred", 100.0),
    ("thousand", 1000.0),
    ("grand", 1000.0),
    ("k", 1000.0),
    ("million", 1_000_000.0),
];

/// Money slang that makes a number a sum by itself ("three grand").
const MONEY_SCALES: &[&str] = &["grand"];

/// Period words before a budget noun ("annual budget is 24k", "monthly spend cap of 3k").
const PERIOD_ADJECTIVES: &[&str] = &[
    "monthly",
    "annual",
    "annually",
    "yearly",
    "quarterly",
    "weekly",
    "daily",
];

/// Nouns a period word before an amount must describe for the period to be the amount's.
const BUDGET_NOUNS: &[&str] = &[
    "budget",
    "budgets",
    "spend",
    "spending",
    "cap",
    "limit",
    "ceiling",
    "allowance",
    "cost",
    "costs",
    "bill",
];

/// Quarters, which `BUDGET_PERIODS` does not know ("9k per quarter", "quarterly budget").
const QUARTER_WORDS: &[&str] = &["quarter", "qtr", "quarterly"];

/// The period of a stated amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Period {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl From<BudgetPeriod> for Period {
    fn from(p: BudgetPeriod) -> Self {
        match p {
            BudgetPeriod::Day => Period::Day,
            BudgetPeriod::Week => Period::Week,
            BudgetPeriod::Month => Period::Month,
            BudgetPeriod::Year => Period::Year,
        }
    }
}

struct Amount {
    value: f64,
    currency: Option<&'static str>,
    thousands: bool,
}

/// A budget and the currency it was stated in.
struct Found {
    budget: Budget,
    currency: Option<&'static str>,
}

/// Reads the first budget in `tokens`. When that one is in another currency and a later one is
/// in US dollars ("no more than 900 AUD, let's say $600 USD a month"), the US-dollar one is the
/// budget.
pub fn parse(tokens: &[Token]) -> Option<Budget> {
    let first = (0..tokens.len()).find_map(|i| budget_at(tokens, i))?;
    if first.currency.is_none_or(|c| c == "USD") {
        return Some(first.budget);
    }
    let after = first.budget.used.iter().max().map_or(0, |m| m + 1);
    let Some(usd) = (after..tokens.len())
        .filter_map(|i| budget_at(tokens, i))
        .find(|f| f.currency == Some("USD"))
    else {
        return Some(first.budget);
    };
    let mut budget = usd.budget;
    let foreign = first.budget.notes.iter().find_map(|n| {
        n.strip_prefix("Budget of ")
            .and_then(|rest| rest.split(" treated as").next())
            .map(str::to_string)
    });
    if let Some(foreign) = foreign {
        budget.notes.insert(
            0,
            format!(
                "Budget taken from the amount in US dollars ({} USD), not {foreign}",
                fmt_amount(budget.monthly_usd)
            ),
        );
    }
    budget.used.extend(first.budget.used);
    budget.used.sort_unstable();
    budget.used.dedup();
    Some(budget)
}

fn budget_at(tokens: &[Token], i: usize) -> Option<Found> {
    let t = &tokens[i];
    if t.kind != TokenKind::Word {
        return None;
    }
    // Digits ("2000", "$1.5k", "3 grand") or words ("fifteen hundred", "a thousand").
    let (mut amount, len, spelled, money_scale) = if let Some(mut a) = amount(&t.lower) {
        match scale_at(tokens, i + 1) {
            Some((scale, money)) if !a.thousands => {
                a.value *= scale;
                a.thousands = scale >= 1000.0;
                (a, 2, false, money)
            }
            _ => (a, 1, false, false),
        }
    } else {
        if i > 0 && tokens[i - 1].kind == TokenKind::Word && small_number_at(tokens, i - 1).is_some() {
            return None;
        }
        let s = spelled_at(tokens, i)?;
        let a = Amount {
            value: s.value,
            currency: None,
            thousands: s.value >= 1000.0 && s.scaled,
        };
        if !s.scaled {
            // "one", "five": a count unless a currency follows ("fifty dollars").
            let currency_next = tokens
                .get(i + s.len)
                .is_some_and(|n| currency_word(&n.lower).is_some());
            if !currency_next {
                return None;
            }
        }
        (a, s.len, true, s.money)
    };
    let mut used: Vec<usize> = (i..i + len).collect();
    // A currency written as its own word before the number ("USD 900", "$ 900").
    if amount.currency.is_none()
        && i > 0
        && let Some(c) = currency_word(&tokens[i - 1].lower)
            .or_else(|| currency_symbol_alone(&tokens[i - 1].lower))
    {
        amount.currency = Some(c);
        used.push(i - 1);
    }
    let mut j = i + len;
    // "900 Australian dollars".
    if amount.currency.is_none()
        && let Some(c) = tokens.get(j).and_then(|n| other_dollars(&n.lower))
        && tokens
            .get(j + 1)
            .is_some_and(|n| currency_word(&n.lower) == Some("USD"))
    {
        amount.currency = Some(c);
        used.extend([j, j + 1]);
        j += 2;
    }
    if amount.currency.is_none()
        && let Some(c) = tokens.get(j).and_then(|n| currency_word(&n.lower))
    {
        amount.currency = Some(c);
        used.push(j);
        j += 1;
    } else if tokens
        .get(j)
        .is_some_and(|n| currency_word(&n.lower).is_some())
    {
        used.push(j);
        j += 1;
    }
    // Ranges ("$500-$800", "between $500 and $800", "$500 to $800") budget the upper bound.
    if let Some(n) = tokens.get(j)
        && (n.lower == "and" || n.lower == "to")
        && let Some(upper) = tokens.get(j + 1).and_then(|u| amount_of(&u.lower))
        && (upper.currency.is_some() || amount.currency.is_some())
    {
        amount.value = upper.value;
        amount.currency = amount.currency.or(upper.currency);
        used.extend([j, j + 1]);
        j += 2;
    }
    if let Some(n) = tokens.get(j)
        && v::NON_MONEY_UNITS.contains(&n.lower.as_str())
        && !(amount.currency.is_some() && n.lower == "pm")
    {
        return None;
    }
    let (mut period, period_len) = period_at(tokens, j, amount.currency.is_some());
    used.extend(j..j + period_len);
    let near = |k: usize| !(k + 1..i).any(|m| tokens[m].clause_end && m + 1 < i);
    // A period stated before the amount ("annual budget is 24k", "budget per year: 24k").
    if period.is_none()
        && let Some((p, k)) = period_before(tokens, i)
        && near(k)
    {
        period = Some(p);
        used.push(k);
    }
    let before = i.saturating_sub(5)..i;
    let weak_cue = before
        .clone()
        .any(|k| v::BUDGET_CUES.contains(&tokens[k].word.as_str()) && near(k));
    let strong_cue = before
        .into_iter()
        .any(|k| v::STRONG_BUDGET_CUES.contains(&tokens[k].word.as_str()) && near(k))
        || tokens[j + period_len..]
            .iter()
            .take(2)
            .any(|n| n.word == "budget");
    // Numbers in words are counts more often than digits are ("about a thousand users"): a weak
    // cue with "thousand" alone does not make them a sum.
    let accepted = amount.currency.is_some()
        || money_scale
        || strong_cue
        || (period.is_some() && (weak_cue || amount.thousands))
        || (amount.thousands && weak_cue && !spelled);
    if !accepted {
        return None;
    }
    // A bare number after a cue word must look like money to count ("under 3 nodes" is not).
    if amount.currency.is_none() && period.is_none() && !amount.thousands && amount.value < 10.0 {
        return None;
    }

    let mut notes = Vec::new();
    let written = fmt_amount(amount.value);
    match amount.currency {
        Some("USD") => {}
        Some(c) => notes.push(format!("Budget of {written} {c} treated as {written} USD")),
        None => notes.push(format!("Budget of {written} read as US dollars")),
    }
    let monthly = match period {
        Some(Period::Month) => amount.value,
        Some(Period::Quarter) => amount.value / 3.0,
        Some(Period::Year) => amount.value / 12.0,
        Some(Period::Week) => amount.value * 52.0 / 12.0,
        Some(Period::Day) => amount.value * 365.0 / 12.0,
        None => {
            notes.push(format!("Budget of {written} read as per month"));
            amount.value
        }
    };
    let monthly = (monthly * 100.0).round() / 100.0;
    if let Some(p) = period
        && p != Period::Month
    {
        let per = match p {
            Period::Year => "year",
            Period::Quarter => "quarter",
            Period::Week => "week",
            _ => "day",
        };
        notes.push(format!(
            "Budget of {written} per {per} read as {} per month",
            fmt_amount(monthly)
        ));
    }
    used.sort_unstable();
    used.dedup();
    Some(Found {
        budget: Budget {
            monthly_usd: monthly,
            notes,
            used,
        },
        currency: amount.currency,
    })
}

/// A period named before the amount at `i`, and where: a period word on a budget noun
/// ("annual budget is", "yearly spend cap", "our quarterly cloud budget is") or a budget noun with
/// "per" and a period ("budget per month is").
fn period_before(tokens: &[Token], i: usize) -> Option<(Period, usize)> {
    let word = |k: usize| tokens.get(k).map(|t| t.lower.as_str()).unwrap_or("");
    let is_noun = |k: usize| BUDGET_NOUNS.contains(&word(k)) && tokens[k].kind == TokenKind::Word;
    for k in (i.saturating_sub(5)..i).rev() {
        if tokens[k].clause_end && k + 1 < i {
            break;
        }
        let w = word(k);
        if PERIOD_ADJECTIVES.contains(&w)
            && !tokens[k].clause_end
            && (is_noun(k + 1) || (!tokens[k + 1].clause_end && is_noun(k + 2) && k + 2 < i))
            && let Some(p) = period_word(w)
        {
            return Some((p, k));
        }
        if k >= 2
            && matches!(word(k - 1), "per" | "a" | "each" | "every")
            && is_noun(k - 2)
            && let Some(p) = period_word(w)
        {
            return Some((p, k));
        }
    }
    None
}

/// A period word: "month", "monthly", "year", "annual", "quarter", ...
fn period_word(w: &str) -> Option<Period> {
    if QUARTER_WORDS.contains(&w) {
        return Some(Period::Quarter);
    }
    v::BUDGET_PERIODS
        .iter()
        .find(|(p, _)| *p == w)
        .map(|(_, b)| Period::from(*b))
}

/// A scale word at `k` ("hundred", "thousand", "grand", "k") and whether it means money itself.
fn scale_at(tokens: &[Token], k: usize) -> Option<(f64, bool)> {
    let t = tokens.get(k).filter(|t| t.kind == TokenKind::Word)?;
    let w = t.lower.as_str();
    SCALE_WORDS
        .iter()
        .find(|(s, _)| *s == w)
        .map(|(_, n)| (*n, MONEY_SCALES.contains(&w)))
}

/// A number word below a hundred on its own ("five", "fifteen", "forty"), for schedules too.
pub(super) fn number_word(w: &str) -> Option<u32> {
    v::UNIT_WORDS
        .iter()
        .chain(v::TENS_WORDS)
        .find(|(u, _)| *u == w)
        .map(|(_, n)| *n)
}

/// A number below a hundred in words at `k` ("five", "fifteen", "twenty five") and how many
/// tokens it takes.
fn small_number_at(tokens: &[Token], k: usize) -> Option<(u32, usize)> {
    let word = |k: usize| {
        tokens
            .get(k)
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| t.lower.as_str())
    };
    let w = word(k)?;
    if let Some((_, n)) = v::UNIT_WORDS.iter().find(|(u, _)| *u == w) {
        return Some((*n, 1));
    }
    let (_, tens) = v::TENS_WORDS.iter().find(|(u, _)| *u == w)?;
    if !tokens[k].clause_end
        && let Some(u) = word(k + 1)
        && let Some((_, n)) = v::UNIT_WORDS.iter().find(|(x, n)| *x == u && (1..=9).contains(n))
    {
        return Some((tens + n, 2));
    }
    Some((*tens, 1))
}

/// A number spelled out from token `i`.
struct Spelled {
    value: f64,
    len: usize,
    /// A scale word ("hundred", "thousand") was part of it.
    scaled: bool,
    /// A money scale ("grand") was part of it.
    money: bool,
}

/// "fifteen hundred", "twenty-five hundred", "two thousand", "a thousand", "three grand",
/// "two hundred and fifty", "one thousand five hundred".
fn spelled_at(tokens: &[Token], i: usize) -> Option<Spelled> {
    #[derive(PartialEq)]
    enum Last {
        Start,
        Small,
        Hundred,
        Big,
    }
    let mut k = i;
    let mut total = 0.0;
    let mut group = 0.0;
    let mut last = Last::Start;
    let mut scaled = false;
    let mut money = false;
    // "a"/"an" is one only right before a scale word ("a thousand", "a grand").
    if tokens
        .get(i)
        .is_some_and(|t| t.kind == TokenKind::Word && matches!(t.lower.as_str(), "a" | "an"))
    {
        scale_at(tokens, i + 1)?;
        group = 1.0;
        last = Last::Small;
        k += 1;
    }
    loop {
        if k > i && tokens[k - 1].clause_end {
            break;
        }
        if let Some((n, len)) = small_number_at(tokens, k) {
            if last == Last::Small {
                break;
            }
            group += f64::from(n);
            last = Last::Small;
            k += len;
            continue;
        }
        if let Some((scale, is_money)) = scale_at(tokens, k) {
            match last {
                Last::Small if scale == 100.0 && group < 100.0 => {
                    group *= 100.0;
                    last = Last::Hundred;
                }
                Last::Small | Last::Hundred if scale > 100.0 && total == 0.0 => {
                    total = group * scale;
                    group = 0.0;
                    last = Last::Big;
                }
                _ => break,
            }
            scaled = true;
            money |= is_money;
            k += 1;
            continue;
        }
        // "two hundred and fifty".
        if matches!(last, Last::Hundred | Last::Big)
            && tokens.get(k).is_some_and(|t| t.lower == "and")
            && small_number_at(tokens, k + 1).is_some()
        {
            k += 1;
            last = Last::Start;
            continue;
        }
        break;
    }
    (last != Last::Start && k > i).then_some(Spelled {
        value: total + group,
        len: k - i,
        scaled,
        money,
    })
}

/// The period after an amount and how many tokens it takes: "/month", "per month", "a month",
/// "monthly", "pm".
fn period_at(tokens: &[Token], j: usize, has_currency: bool) -> (Option<Period>, usize) {
    let word = |k: usize| tokens.get(k).map(|t| t.lower.as_str()).unwrap_or("");
    let lookup = period_word;
    let first = word(j);
    if matches!(
        first,
        "/" | "per" | "a" | "an" | "each" | "every" | "p" | "a-month"
    ) && let Some(p) = lookup(word(j + 1))
    {
        return (Some(p), 2);
    }
    if first == "pm" && !has_currency {
        return (None, 0);
    }
    if let Some(p) = lookup(first)
        && matches!(
            first,
            "monthly" | "pm" | "p/m" | "annually" | "yearly" | "pa" | "weekly" | "daily" | "quarterly"
        )
    {
        return (Some(p), 1);
    }
    (None, 0)
}

fn currency_word(w: &str) -> Option<&'static str> {
    v::CURRENCY_WORDS
        .iter()
        .chain(OTHER_CURRENCY_CODES)
        .find(|(c, _)| *c == w)
        .map(|(_, code)| *code)
}

fn other_dollars(w: &str) -> Option<&'static str> {
    OTHER_DOLLARS
        .iter()
        .find(|(c, _)| *c == w)
        .map(|(_, code)| *code)
}

fn currency_symbol_alone(w: &str) -> Option<&'static str> {
    v::CURRENCY_SYMBOLS
        .iter()
        .chain(OTHER_DOLLAR_SYMBOLS)
        .find(|(c, _)| *c == w)
        .map(|(_, code)| *code)
}

fn amount(lower: &str) -> Option<Amount> {
    // "$500-$800" budgets the upper bound.
    if let Some((_, hi)) = lower.split_once('-')
        && let (Some(_), Some(mut upper)) = (
            amount_of(lower.split('-').next().unwrap_or("")),
            amount_of(hi),
        )
    {
        if upper.currency.is_none() {
            upper.currency =
                amount_of(lower.split('-').next().unwrap_or("")).and_then(|a| a.currency);
        }
        return Some(upper);
    }
    amount_of(lower)
}

/// "$2,000", "2k", "1.5k", "€800", "900usd", "2000$".
fn amount_of(lower: &str) -> Option<Amount> {
    let mut s = lower;
    let mut currency = None;
    for (sym, code) in OTHER_DOLLAR_SYMBOLS {
        if let Some(rest) = s.strip_prefix(sym) {
            s = rest;
            currency = Some(*code);
            break;
        }
    }
    for (sym, code) in v::CURRENCY_SYMBOLS.iter().filter(|_| currency.is_none()) {
        if let Some(rest) = s.strip_prefix(sym) {
            s = rest;
            currency = Some(*code);
            break;
        }
        if let Some(rest) = s.strip_suffix(sym) {
            s = rest;
            currency = Some(*code);
            break;
        }
    }
    if currency.is_none() {
        for (word, code) in [("usd", "USD"), ("eur", "EUR")].iter().chain(OTHER_CURRENCY_CODES) {
            if let Some(rest) = s.strip_suffix(word)
                && rest.starts_with(|c: char| c.is_ascii_digit())
            {
                s = rest;
                currency = Some(*code);
            }
        }
    }
    let (digits, multiplier) = if let Some(d) = s.strip_suffix('k') {
        (d, 1000.0)
    } else if let Some(d) = s.strip_suffix('m').filter(|_| currency.is_some()) {
        (d, 1_000_000.0)
    } else {
        (s, 1.0)
    };
    if digits.is_empty()
        || !digits.starts_with(|c: char| c.is_ascii_digit())
        || !digits
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
    {
        return None;
    }
    let value: f64 = digits.replace(',', "").parse().ok()?;
    (value.is_finite() && value >= 0.0).then_some(Amount {
        value: value * multiplier,
        currency,
        thousands: multiplier > 1.0,
    })
}

/// "1500", "1500.5", "1,500,000" style for notes.
pub fn fmt_amount(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round() as i64)
    } else {
        format!("{x:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::understand::lexicon::Lexicon;

    fn budget(text: &str) -> Option<Budget> {
        let tokens = Lexicon::build(&[]).tokenize(text, &mut Vec::new());
        parse(&tokens)
    }

    fn monthly(text: &str) -> Option<f64> {
        budget(text).map(|b| b.monthly_usd)
    }

    #[test]
    fn numbers_in_words_are_amounts() {
        let table: [(&str, f64); 14] = [
            ("budget around fifteen hundred dollars per month", 1500.0),
            ("two thousand dollars a month", 2000.0),
            ("about three grand a month", 3000.0),
            ("twelve hundred bucks/month", 1200.0),
            ("twenty-five hundred dollars a month", 2500.0),
            ("twenty five hundred dollars a month", 2500.0),
            ("we can spend a thousand dollars a month", 1000.0),
            ("one thousand five hundred dollars per month", 1500.0),
            ("budget of two hundred and fifty dollars a month", 250.0),
            ("fifty dollars a month", 50.0),
            ("ninety-nine dollars monthly", 99.0),
            ("budget is 3 grand a month", 3000.0),
            ("spend 2 thousand dollars a month", 2000.0),
            ("fifteen k a month", 15000.0),
        ];
        for (text, usd) in table {
            assert_eq!(monthly(text), Some(usd), "{text}");
        }
        let b = budget("about three grand a month").unwrap();
        assert_eq!(b.notes, vec!["Budget of 3000 read as US dollars"]);
        // Every word of the amount belongs to the budget.
        assert_eq!(budget("twelve hundred bucks/month").unwrap().used, vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn counts_in_words_are_not_amounts() {
        for text in [
            "scale to five tasks",
            "deploy version two",
            "run two thousand workers a day",
            "handles about a thousand concurrent users",
            "two thousand users a month",
            "under twenty instances",
            "three replicas, budget unknown",
            "one hundred GB of storage",
        ] {
            assert_eq!(monthly(text), None, "{text}");
        }
    }

    #[test]
    fn a_period_before_the_amount_is_its_period() {
        let table: [(&str, f64); 8] = [
            ("annual budget is 24k", 2000.0),
            ("monthly budget of 3k", 3000.0),
            ("yearly spend cap 60k", 5000.0),
            ("our quarterly budget is 9k", 3000.0),
            ("our annual cloud budget is $36,000", 3000.0),
            ("budget per year is 24k", 2000.0),
            ("weekly budget of $700", 3033.33),
            ("9k per quarter", 3000.0),
        ];
        for (text, usd) in table {
            assert_eq!(monthly(text), Some(usd), "{text}");
        }
        let b = budget("annual budget is 24k").unwrap();
        assert_eq!(
            b.notes,
            vec![
                "Budget of 24000 read as US dollars",
                "Budget of 24000 per year read as 2000 per month"
            ]
        );
        let b = budget("our quarterly budget is 9k").unwrap();
        assert!(b.notes.contains(&"Budget of 9000 per quarter read as 3000 per month".to_string()));
        // A period after the amount wins; a period word in another clause is not the amount's.
        assert_eq!(monthly("annual budget review, 2k a month"), Some(2000.0));
        assert_eq!(monthly("yearly report job, budget 500"), Some(500.0));
        // A monthly budget says its period: no "read as per month" assumption.
        let b = budget("monthly budget of $900").unwrap();
        assert!(b.notes.is_empty(), "{:?}", b.notes);
    }

    #[test]
    fn the_us_dollar_amount_wins_over_another_currency() {
        let b = budget("can't spend more than 900 AUD... let's say $600 USD a month").unwrap();
        assert_eq!(b.monthly_usd, 600.0);
        assert_eq!(
            b.notes,
            vec!["Budget taken from the amount in US dollars (600 USD), not 900 AUD"]
        );
        assert_eq!(monthly("€800 or about $870 a month"), Some(870.0));
        assert_eq!(monthly("max 900 Australian dollars, i.e. 600 USD per month"), Some(600.0));
        // A foreign amount alone is read and noted, as before.
        let b = budget("max 900 AUD a month").unwrap();
        assert_eq!(b.monthly_usd, 900.0);
        assert_eq!(b.notes, vec!["Budget of 900 AUD treated as 900 USD"]);
        assert_eq!(monthly("A$900 a month"), Some(900.0));
        let b = budget("€800 monthly").unwrap();
        assert_eq!(b.notes, vec!["Budget of 800 EUR treated as 800 USD"]);
        // A US-dollar amount first stays the budget.
        assert_eq!(monthly("$600 a month, that is about 900 AUD"), Some(600.0));
    }

    #[test]
    fn amounts_in_digits_read_as_before() {
        let table: [(&str, f64); 6] = [
            ("$12,000 per year", 1000.0),
            ("12k/yr", 1000.0),
            ("under $2000/month", 2000.0),
            ("€800 monthly", 800.0),
            ("2k/month", 2000.0),
            ("between $500 and $800 a month", 800.0),
        ];
        for (text, usd) in table {
            assert_eq!(monthly(text), Some(usd), "{text}");
        }
        for text in ["3 AZs", "a db with 100 GB", "scale to 5 tasks", "10k users per month"] {
            assert_eq!(monthly(text), None, "{text}");
        }
    }
}
