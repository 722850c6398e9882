//! Agreement of `tradeorch::orchestrator::indicators` with TA-Lib on GOOG daily data.
//!
//! Reference values come from `tests/fixtures/talib/make_fixtures.py` (TA-Lib's Python
//! wrapper; volatility from numpy/pandas, z-score from TA-Lib SMA and STDDEV). Every series
//! must have NaN at the same bars, and every value must agree to 1e-9: relative, or absolute
//! where the reference is below 1 in magnitude.

use std::path::Path;

use serde_json::Value;
use tradeorch::data::load_bars;
use tradeorch::orchestrator::indicators::{
    atr, bollinger, ema, macd, momentum, roc, rsi, sma, stddev, stochastic, volatility, wma, zscore,
};

const TOLERANCE: f64 = 1e-9;

/// Every fixture series, computed by tradeorch.
fn computed() -> Vec<(String, Vec<f64>)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/GOOG.csv");
    let bars = load_bars(&path, &Default::default()).expect("GOOG loads");
    let (high, low, close) = (&bars.high, &bars.low, &bars.close);
    let mut out = Vec::new();
    let mut put = |name: String, values: Vec<f64>| out.push((name, values));
    for n in [10, 30] {
        put(format!("sma_{n}"), sma(close, n));
        put(format!("wma_{n}"), wma(close, n));
    }
    for n in [10, 20, 30] {
        put(format!("ema_{n}"), ema(close, n));
    }
    for n in [14, 30] {
        put(format!("rsi_{n}"), rsi(close, n));
    }
    for (fast, slow, signal) in [(12, 26, 9), (5, 35, 5)] {
        let m = macd(close, fast, slow, signal);
        let key = format!("macd_{fast}_{slow}_{signal}");
        put(format!("{key}_line"), m.line);
        put(format!("{key}_signal"), m.signal);
        put(format!("{key}_hist"), m.hist);
    }
    put("roc_10".into(), roc(close, 10));
    put("mom_10".into(), momentum(close, 10));
    for (fk, sk, sd) in [(14, 3, 3), (5, 3, 1)] {
        let s = stochastic(high, low, close, fk, sk, sd);
        put(format!("stoch_{fk}_{sk}_{sd}_k"), s.k);
        put(format!("stoch_{fk}_{sk}_{sd}_d"), s.d);
    }
    for (n, up, down, key) in [(20, 2.0, 2.0, "20_2_2"), (10, 1.5, 2.5, "10_1.5_2.5")] {
        let b = bollinger(close, n, up, down);
        put(format!("bbands_{key}_upper"), b.upper);
        put(format!("bbands_{key}_middle"), b.middle);
        put(format!("bbands_{key}_lower"), b.lower);
    }
    put("atr_14".into(), atr(high, low, close, 14));
    put("stddev_20".into(), stddev(close, 20));
    put("volatility_20".into(), volatility(close, 20));
    put("zscore_20".into(), zscore(close, 20));
    out
}

/// Relative difference, absolute where the reference is below 1 in magnitude.
fn difference(ours: f64, reference: f64) -> f64 {
    (ours - reference).abs() / reference.abs().max(1.0)
}

#[test]
fn indicators_match_talib_on_goog() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/talib/goog_indicators.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let fixture: Value = serde_json::from_str(&text).expect("fixture is JSON");
    let series = fixture["series"].as_object().expect("series object");

    let computed = computed();
    let mut failures = Vec::new();
    for (name, ours) in &computed {
        let reference: Vec<f64> = series[name.as_str()]
            .as_array()
            .unwrap_or_else(|| panic!("{name} missing from the fixture"))
            .iter()
            .map(|v| v.as_f64().unwrap_or(f64::NAN))
            .collect();
        assert_eq!(ours.len(), reference.len(), "{name}: length");
        let mut worst = (0.0, 0);
        for (t, (&a, &r)) in ours.iter().zip(&reference).enumerate() {
            if a.is_nan() != r.is_nan() {
                failures.push(format!("{name}[{t}]: {a} vs reference {r} (NaN mismatch)"));
            } else if !r.is_nan() && difference(a, r) > worst.0 {
                worst = (difference(a, r), t);
            }
        }
        println!(
            "{name:<28} max difference {:.3e} at bar {}",
            worst.0, worst.1
        );
        if worst.0 > TOLERANCE {
            let t = worst.1;
            failures.push(format!(
                "{name}[{t}]: {} vs reference {} ({:.3e})",
                ours[t], reference[t], worst.0
            ));
        }
    }
    assert_eq!(
        computed.len(),
        series.len(),
        "every fixture series is checked"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
