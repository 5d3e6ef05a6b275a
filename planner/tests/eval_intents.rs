//! The public evaluation set: the understander must read at least 95% of it right.

mod eval_support;

#[test]
fn public_intent_set_scores_at_least_95_percent() {
    eval_support::score_file("intents.jsonl").assert_at_least_95_percent(30);
}

#[test]
fn public_intent_set_scores_at_least_95_percent_with_the_shipped_golden_paths() {
    eval_support::score_file_shipped("intents.jsonl").assert_at_least_95_percent(30);
}
