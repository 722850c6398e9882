//! Helpers shared by integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use tradeorch::data::{load_bars, Bars, LoadOptions};

/// Path of a file in the repository.
pub fn repo_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The embedded GOOG daily data set.
pub fn goog() -> Bars {
    load_bars(&repo_path("data/GOOG.csv"), &LoadOptions::default()).expect("GOOG loads")
}

/// Rows `[start, end)` of `bars`.
pub fn slice(bars: &Bars, start: usize, end: usize) -> Bars {
    Bars {
        symbol: bars.symbol.clone(),
        time: bars.time[start..end].to_vec(),
        open: bars.open[start..end].to_vec(),
        high: bars.high[start..end].to_vec(),
        low: bars.low[start..end].to_vec(),
        close: bars.close[start..end].to_vec(),
        volume: bars.volume.as_ref().map(|v| v[start..end].to_vec()),
    }
}

/// Relative difference, treating two NaNs (or two equal infinities) as equal.
pub fn rel_diff(a: f64, b: f64) -> f64 {
    if (a.is_nan() && b.is_nan()) || a == b {
        return 0.0;
    }
    (a - b).abs() / a.abs().max(b.abs()).max(1e-300)
}
