//! Budgets in words → a monthly figure in US dollars ("under $2000/month", "max 900 USD per
//! month", "2k/month", "€800 monthly").

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

struct Amount {
    value: f64,
    currency: Option<&'static str>,
    thousands: bool,
}

/// Reads the first budget in `tokens`.
pub fn parse(tokens: &[Token]) -> Option<Budget> {
    for i in 0..tokens.len() {
        if let Some(b) = budget_at(tokens, i) {
            return Some(b);
        }
    }
    None
}

fn budget_at(tokens: &[Token], i: usize) -> Option<Budget> {
    let t = &tokens[i];
    if t.kind != TokenKind::Word {
        return None;
    }
    let mut amount = amount(&t.lower)?;
    let mut used = vec![i];
    // A currency written as its own word before the number ("USD 900", "$ 900").
    if amount.currency.is_none()
        && i > 0
        && let Some(c) = currency_word(&tokens[i - 1].lower)
            .or_else(|| currency_symbol_alone(&tokens[i - 1].lower))
    {
        amount.currency = Some(c);
        used.push(i - 1);
    }
    let mut j = i + 1;
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
    let (period, period_len) = period_at(tokens, j, amount.currency.is_some());
    used.extend(j..j + period_len);
    let near = |k: usize| !(k + 1..i).any(|m| tokens[m].clause_end && m + 1 < i);
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
    let accepted = amount.currency.is_some()
        || strong_cue
        || (period.is_some() && (weak_cue || amount.thousands))
        || (amount.thousands && weak_cue);
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
        Some("EUR") => notes.push(format!("Budget of {written} EUR treated as {written} USD")),
        Some("GBP") => notes.push(format!("Budget of {written} GBP treated as {written} USD")),
        None => notes.push(format!("Budget of {written} read as US dollars")),
        _ => {}
    }
    let monthly = match period {
        Some(BudgetPeriod::Month) => amount.value,
        Some(BudgetPeriod::Year) => amount.value / 12.0,
        Some(BudgetPeriod::Week) => amount.value * 52.0 / 12.0,
        Some(BudgetPeriod::Day) => amount.value * 365.0 / 12.0,
        None => {
            notes.push(format!("Budget of {written} read as per month"));
            amount.value
        }
    };
    let monthly = (monthly * 100.0).round() / 100.0;
    if let Some(p) = period
        && p != BudgetPeriod::Month
    {
        let per = match p {
            BudgetPeriod::Year => "year",
            BudgetPeriod::Week => "week",
            _ => "day",
        };
        notes.push(format!(
            "Budget of {written} per {per} read as {} per month",
            fmt_amount(monthly)
        ));
    }
    used.sort_unstable();
    used.dedup();
    Some(Budget {
        monthly_usd: monthly,
        notes,
        used,
    })
}

/// The period after an amount and how many tokens it takes: "/month", "per month", "a month",
/// "monthly", "pm".
fn period_at(tokens: &[Token], j: usize, has_currency: bool) -> (Option<BudgetPeriod>, usize) {
    let word = |k: usize| tokens.get(k).map(|t| t.lower.as_str()).unwrap_or("");
    let lookup = |w: &str| {
        v::BUDGET_PERIODS
            .iter()
            .find(|(p, _)| *p == w)
            .map(|(_, b)| *b)
    };
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
            "monthly" | "pm" | "p/m" | "annually" | "yearly" | "pa" | "weekly" | "daily"
        )
    {
        return (Some(p), 1);
    }
    (None, 0)
}

fn currency_word(w: &str) -> Option<&'static str> {
    v::CURRENCY_WORDS
        .iter()
        .find(|(c, _)| *c == w)
        .map(|(_, code)| *code)
}

fn currency_symbol_alone(w: &str) -> Option<&'static str> {
    v::CURRENCY_SYMBOLS
        .iter()
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
    for (sym, code) in v::CURRENCY_SYMBOLS {
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
        for (word, code) in [("usd", "USD"), ("eur", "EUR")] {
            if let Some(rest) = s.strip_suffix(word)
                && rest.starts_with(|c: char| c.is_ascii_digit())
            {
                s = rest;
                currency = Some(code);
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
