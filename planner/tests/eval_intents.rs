//! The public evaluation set: the understander must read at least 95% of it right.

mod eval_support;

#[test]
fn public_intent_set_scores_at_least_95_percent() {
    let score = eval_support::score_file("intents.jsonl");
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
        score.total >= 30,
        "the public set has 30 cases, found {}",
        score.total
    );
    assert!(
        score.percent() >= 95.0,
        "intent accuracy {:.1}% is below 95%",
        score.percent()
    );
}

#[test]
fn public_intent_set_scores_at_least_95_percent_with_the_shipped_golden_paths() {
    let score = eval_support::score_file_shipped("intents.jsonl");
    for f in &score.failures {
        println!("{f}");
    }
    println!(
        "intent accuracy: {}/{} = {:.1}%",
        score.passed,
        score.total,
        score.percent()
    );
    assert!(score.total >= 30);
    assert!(
        score.percent() >= 95.0,
        "intent accuracy {:.1}% is below 95%",
        score.percent()
    );
}
