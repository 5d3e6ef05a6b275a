//! Turning the Intent's five-field cron expression into an EventBridge schedule expression.
//!
//! EventBridge wants six fields (a year is added), exactly one of day-of-month and day-of-week set
//! to `?`, days of the week numbered 1 (Sunday) to 7, and steps written `0/15` rather than `*/15`.

/// Why a schedule cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the schedule `{0}` is not a five-field cron expression (minute hour day-of-month month day-of-week), e.g. `0 2 * * *` for nightly at 02:00"
)]
pub struct ScheduleError(pub String);

/// `0 2 * * *` → `cron(0 2 * * ? *)`.
pub fn to_eventbridge(cron: &str) -> Result<String, ScheduleError> {
    let bad = || ScheduleError(cron.to_string());
    let fields: Vec<&str> = cron.split_whitespace().collect();
    let [minute, hour, dom, month, dow] = fields.as_slice() else {
        return Err(bad());
    };
    let ok = |f: &str, max: u32| valid_field(f, max);
    if !(ok(minute, 59)
        && ok(hour, 23)
        && ok(dom, 31)
        && ok(month, 12)
        && (ok(dow, 7) || is_named_days(dow)))
    {
        return Err(bad());
    }
    let step = |f: &str| match f.strip_prefix("*/") {
        Some(n) => format!("0/{n}"),
        None => f.to_string(),
    };
    let (dom, dow) = match (*dom, *dow) {
        (d, "*") => (step(d), "?".to_string()),
        ("*", w) => ("?".to_string(), aws_days(w)),
        // Cron runs when either matches; EventBridge allows only one, and the day of the week is
        // the more common intent ("on Mondays and the 1st" is rare). Keep the day of the week.
        (_, w) => ("?".to_string(), aws_days(w)),
    };
    Ok(format!(
        "cron({} {} {} {} {} *)",
        step(minute),
        step(hour),
        dom,
        step(month),
        dow
    ))
}

fn valid_field(f: &str, max: u32) -> bool {
    if f == "*" {
        return true;
    }
    f.split(',').all(|part| {
        let (range, stepv) = match part.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (part, None),
        };
        if let Some(s) = stepv
            && s.parse::<u32>().map_or(true, |s| s == 0 || s > max.max(1))
        {
            return false;
        }
        if range == "*" {
            return stepv.is_some() || part == "*";
        }
        range
            .split('-')
            .all(|n| n.parse::<u32>().is_ok_and(|n| n <= max))
            && range.split('-').count() <= 2
    })
}

fn is_named_days(f: &str) -> bool {
    const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    f.split(',').all(|p| {
        p.split('-')
            .all(|d| DAYS.contains(&d.to_ascii_uppercase().as_str()))
    })
}

/// Cron numbers days 0-6 from Sunday (7 is Sunday too); EventBridge 1-7 from Sunday.
fn aws_days(f: &str) -> String {
    if is_named_days(f) {
        return f.to_ascii_uppercase();
    }
    let shift = |n: &str| match n.parse::<u32>() {
        Ok(d) => ((d % 7) + 1).to_string(),
        Err(_) => n.to_string(),
    };
    f.split(',')
        .map(|part| {
            let (range, step) = match part.split_once('/') {
                Some((r, s)) => (r, Some(s)),
                None => (part, None),
            };
            let range = if range == "*" {
                "*".to_string()
            } else {
                range.split('-').map(shift).collect::<Vec<_>>().join("-")
            };
            match step {
                Some(s) => format!("{range}/{s}"),
                None => range,
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_schedules_translate() {
        assert_eq!(to_eventbridge("0 2 * * *").unwrap(), "cron(0 2 * * ? *)");
        assert_eq!(
            to_eventbridge("*/15 * * * *").unwrap(),
            "cron(0/15 * * * ? *)"
        );
        assert_eq!(to_eventbridge("0 3 * * 0").unwrap(), "cron(0 3 ? * 1 *)");
        assert_eq!(
            to_eventbridge("0 9 * * 1-5").unwrap(),
            "cron(0 9 ? * 2-6 *)"
        );
        assert_eq!(to_eventbridge("30 6 1 * *").unwrap(), "cron(30 6 1 * ? *)");
        assert_eq!(
            to_eventbridge("0 0 * * SUN").unwrap(),
            "cron(0 0 ? * SUN *)"
        );
        assert_eq!(to_eventbridge("0 * * * *").unwrap(), "cron(0 * * * ? *)");
    }

    #[test]
    fn nonsense_is_refused() {
        for bad in [
            "",
            "nightly",
            "0 2 * *",
            "61 2 * * *",
            "0 25 * * *",
            "0 2 * * 9",
            "*/0 * * * *",
            "0 2 * * * *",
        ] {
            assert!(to_eventbridge(bad).is_err(), "{bad}");
        }
    }
}
