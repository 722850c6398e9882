//! Deflated / probabilistic Sharpe ratio and probability of backtest overfitting against
//! numpy/scipy reference values from `tests/fixtures/overfitting/make_fixtures.py`.

use serde_json::Value;
use tradeorch::metrics::overfitting::{
    deflated_sharpe_ratio, expected_max_sharpe, normal_quantile, probabilistic_sharpe_ratio,
    probability_of_backtest_overfitting, sample_moments,
};

fn reference() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/overfitting/reference.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

fn u(v: &Value) -> usize {
    v.as_u64().unwrap() as usize
}

fn matrix(v: &Value) -> Vec<Vec<f64>> {
    v.as_array().unwrap().iter().map(|r| r.as_array().unwrap().iter().map(f).collect()).collect()
}

#[track_caller]
fn close(got: f64, want: f64, what: &str) {
    let tol = 1e-9 * want.abs().max(1e-300);
    assert!((got - want).abs() <= tol, "{what}: got {got}, want {want}");
}

#[test]
fn normal_quantile_matches_scipy() {
    for c in reference()["normal_quantile"].as_array().unwrap() {
        let p = f(&c["p"]);
        close(normal_quantile(p), f(&c["q"]), &format!("quantile({p})"));
    }
}

#[test]
fn moments_match_scipy() {
    let r = reference();
    let returns = matrix(&r["returns"]);
    for (k, (series, m)) in returns.iter().zip(r["moments"].as_array().unwrap()).enumerate() {
        let got = sample_moments(series);
        close(got.mean, f(&m["mean"]), &format!("mean {k}"));
        close(got.std, f(&m["std"]), &format!("std {k}"));
        close(got.skew, f(&m["skew"]), &format!("skew {k}"));
        close(got.kurtosis, f(&m["kurtosis"]), &format!("kurtosis {k}"));
        close(got.mean / got.std, f(&r["sharpe"][k]), &format!("sharpe {k}"));
    }
}

#[test]
fn deflated_sharpe_of_the_best_trial_matches_scipy() {
    let r = reference();
    let returns = matrix(&r["returns"]);
    let best = u(&r["best_trial"]);
    let m = sample_moments(&returns[best]);
    let (sr, n, t, var) = (m.mean / m.std, returns.len(), returns[best].len(), f(&r["sr_variance"]));
    close(expected_max_sharpe(n, var), f(&r["expected_max_sharpe"]), "SR0");
    close(deflated_sharpe_ratio(sr, n, var, t, m.skew, m.kurtosis), f(&r["dsr"]), "DSR");
    close(probabilistic_sharpe_ratio(sr, 0.0, t, m.skew, m.kurtosis), f(&r["psr_zero"]), "PSR(0)");
}

#[test]
fn dsr_and_psr_cases_match_scipy() {
    let r = reference();
    for c in r["dsr_cases"].as_array().unwrap() {
        let (trials, var) = (u(&c["trials"]), f(&c["sr_variance"]));
        close(expected_max_sharpe(trials, var), f(&c["expected_max_sharpe"]), &format!("SR0 {c}"));
        let dsr = deflated_sharpe_ratio(f(&c["sr"]), trials, var, u(&c["n_obs"]), f(&c["skew"]), f(&c["kurtosis"]));
        close(dsr, f(&c["dsr"]), &format!("DSR {c}"));
    }
    for c in r["psr_cases"].as_array().unwrap() {
        let psr = probabilistic_sharpe_ratio(
            f(&c["sr"]),
            f(&c["sr_benchmark"]),
            u(&c["n_obs"]),
            f(&c["skew"]),
            f(&c["kurtosis"]),
        );
        close(psr, f(&c["psr"]), &format!("PSR {c}"));
    }
}

#[track_caller]
fn check_pbo(returns: &[Vec<f64>], want: &Value) {
    let got = probability_of_backtest_overfitting(returns, u(&want["splits"])).unwrap();
    let logits: Vec<f64> = want["logits"].as_array().unwrap().iter().map(f).collect();
    assert_eq!(got.combinations, u(&want["combinations"]));
    assert_eq!(got.logits.len(), logits.len());
    for (i, (g, w)) in got.logits.iter().zip(&logits).enumerate() {
        assert!((g - w).abs() <= 1e-12, "logit {i}: got {g}, want {w}");
    }
    assert_eq!(got.pbo, f(&want["pbo"]));
}

#[test]
fn pbo_matches_the_reference_cscv() {
    let r = reference();
    let returns = matrix(&r["returns"]);
    for case in r["pbo"].as_array().unwrap() {
        let t = u(&case["n_obs"]);
        let rows: Vec<Vec<f64>> = returns.iter().map(|s| s[..t].to_vec()).collect();
        check_pbo(&rows, case);
    }
}

#[test]
fn pbo_hand_checked_cases() {
    // Worked by hand in make_fixtures.py: trial 1 = -trial 0 and trial 2 has zero mean on any
    // blocks, so only the sign of trial 0's block sums (4, 2, -1, -3) matters; 4 of the 6
    // combinations pick a trial that is worst out of sample.
    let r = reference();
    for name in ["pbo_tiny", "pbo_ties"] {
        let case = &r[name];
        check_pbo(&matrix(&case["returns"]), case);
        assert_eq!(f(&case["pbo"]), 4.0 / 6.0);
    }
    let tiny = probability_of_backtest_overfitting(&matrix(&r["pbo_tiny"]["returns"]), 4).unwrap();
    let (lo, hi) = ((1.0f64 / 3.0).ln(), 3f64.ln());
    let want = [lo, lo, hi, hi, lo, lo];
    assert!(tiny.logits.iter().zip(want).all(|(g, w)| (g - w).abs() < 1e-15), "{:?}", tiny.logits);
}
