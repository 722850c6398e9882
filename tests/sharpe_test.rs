//! The Sharpe-difference test against values from `tests/fixtures/sharpe_test/make_fixture.py`.

mod common;

use tradeorch::metrics::compare::{correlation, sharpe_difference};

#[test]
fn jobson_korkie_memmel_matches_the_reference() {
    let text = std::fs::read_to_string(common::repo_path("tests/fixtures/sharpe_test/reference.json")).unwrap();
    let r: serde_json::Value = serde_json::from_str(&text).unwrap();
    let series = |k: &str| -> Vec<f64> { r[k].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect() };
    let (a, b) = (series("a"), series("b"));
    let t = sharpe_difference(&a, &b);
    for (ours, key) in [(t.sharpe_a, "sharpe_a"), (t.sharpe_b, "sharpe_b"), (t.correlation, "correlation"), (t.z, "z"), (t.p_value, "p_value")] {
        let reference = r[key].as_f64().unwrap();
        assert!(common::rel_diff(ours, reference) < 1e-10, "{key}: {ours} vs {reference}");
    }
    assert!((correlation(&a, &b) - t.correlation).abs() < 1e-15);
}
