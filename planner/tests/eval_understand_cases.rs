//! paved's own, wider set of requests: other phrasings, typos, negations, places, schedules,
//! budgets, off-road choices, non-create actions and vague requests.

mod eval_support;

#[test]
fn own_intent_set_scores_at_least_95_percent() {
    let score = eval_support::score_file("understand_cases.jsonl");
    for f in &score.failures {
        println!("{f}");
    }
    println!(
        "intent accuracy: {}/{} = {:.1}%",
        score.passed,
        score.total,
        score.percent()
    );
    assert!(
        score.total >= 150,
        "expected at least 150 cases, found {}",
        score.total
    );
    assert!(
        score.percent() >= 95.0,
        "intent accuracy {:.1}% is below 95%",
        score.percent()
    );
}

#[test]
fn own_intent_set_scores_at_least_95_percent_with_the_shipped_golden_paths() {
    let score = eval_support::score_file_shipped("understand_cases.jsonl");
    for f in &score.failures {
        println!("{f}");
    }
    println!(
        "intent accuracy: {}/{} = {:.1}%",
        score.passed,
        score.total,
        score.percent()
    );
    assert!(score.total >= 150);
    assert!(
        score.percent() >= 95.0,
        "intent accuracy {:.1}% is below 95%",
        score.percent()
    );
}
