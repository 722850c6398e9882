//! The commands behind the CLI, as library functions (the binary only parses arguments).

mod backtest;
mod compare;
mod explain;
mod lookahead;
mod report;
mod strategies;
mod sweep;
mod walkforward;

pub use backtest::{backtest, BacktestOptions, BacktestOutcome};
pub use compare::{compare, comparison_table, Benchmark, CompareOptions, Comparison, PairTest};
pub use explain::explain;
pub use lookahead::{check_lookahead, LookaheadOptions};
pub use report::report;
pub use strategies::{list_strategies, show_strategy, StrategyInfo};
pub use sweep::{metric_name, sweep, sweep_table, SearchOptions, SweepOptions, SweepOutcome};
pub use walkforward::{walkforward, walkforward_table, WalkForwardOptions, WalkForwardOutcome};

use std::path::{Path, PathBuf};

use crate::data::{self, Bars, LoadOptions};
use crate::error::{InputError, Result};
use crate::progress;
use crate::strategy::{DataSpec, Strategy};

/// The data set built into the binary: GOOG daily 2004-08-19 – 2013-03-01 (see `data/README.md`).
pub const EMBEDDED_DATA: &str = "embedded:GOOG.csv";
const EMBEDDED_GOOG: &[u8] = include_bytes!("../../data/GOOG.csv");

/// Strategies built into the binary, by name (the files in `strategies/`).
pub const BUILTIN_STRATEGIES: [(&str, &str); 5] = [
    ("sma_cross", include_str!("../../strategies/sma_cross.toml")),
    ("rsi_mean_reversion", include_str!("../../strategies/rsi_mean_reversion.toml")),
    ("macd_trend", include_str!("../../strategies/macd_trend.toml")),
    ("bollinger_breakout", include_str!("../../strategies/bollinger_breakout.toml")),
    ("ensemble_vote", include_str!("../../strategies/ensemble_vote.toml")),
];

/// The strategy run when none is given.
pub const DEFAULT_STRATEGY: &str = "sma_cross";

/// Loads a strategy from a file path, or by built-in name when no such file exists.
pub fn load_strategy(spec: &str) -> Result<Strategy, InputError> {
    let path = Path::new(spec);
    if path.exists() || spec.contains('/') || spec.ends_with(".toml") {
        return Strategy::load(path);
    }
    match BUILTIN_STRATEGIES.iter().find(|(name, _)| *name == spec) {
        Some((name, text)) => Strategy::parse(text, Path::new(&format!("strategies/{name}.toml"))),
        None => {
            let names: Vec<&str> = BUILTIN_STRATEGIES.iter().map(|(n, _)| *n).collect();
            Err(InputError::new(
                path,
                format!("no such strategy file or built-in strategy (built-in: {})", names.join(", ")),
            ))
        }
    }
}

fn parse_time_flag(flag: &str, value: Option<&str>) -> Result<Option<i64>, InputError> {
    value
        .map(|v| {
            data::parse_timestamp(v).ok_or_else(|| {
                InputError::new(flag, format!("cannot parse \"{v}\" as a date or date-time (e.g. 2010-01-31)"))
            })
        })
        .transpose()
}

/// Where a run's data comes from: flags override the strategy's `[data]`.
#[derive(Debug, Clone, Default)]
pub struct DataChoice {
    pub data: Option<PathBuf>,
    pub symbol: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Loads the bars a run uses, and the `[data]` spec that reproduces the choice.
pub(crate) fn load_run_data(opts: &DataChoice, strategy: &Strategy) -> Result<(Bars, DataSpec), InputError> {
    let from_file = strategy.file.data.as_ref();
    let spec = DataSpec {
        path: match (&opts.data, from_file) {
            (Some(p), _) => p.display().to_string(),
            (None, Some(d)) => d.path.clone(),
            (None, None) => EMBEDDED_DATA.to_string(),
        },
        symbol: opts.symbol.clone().or_else(|| from_file.and_then(|d| d.symbol.clone())),
        from: opts.from.clone().or_else(|| from_file.and_then(|d| d.from.clone())),
        to: opts.to.clone().or_else(|| from_file.and_then(|d| d.to.clone())),
    };
    let load = LoadOptions {
        symbol: spec.symbol.clone(),
        from: parse_time_flag("--from", spec.from.as_deref())?,
        to: parse_time_flag("--to", spec.to.as_deref())?,
    };
    let bars = if spec.path == EMBEDDED_DATA {
        data::load_csv_bytes(Path::new(EMBEDDED_DATA), EMBEDDED_GOOG, &load)?
    } else {
        // Files over ~20 MB take long enough to parse and check to deserve a spinner.
        let large = std::fs::metadata(&spec.path).is_ok_and(|m| m.len() > 20_000_000);
        let spinner = large.then(|| progress::spinner(&format!("loading {}", spec.path)));
        let bars = data::load_bars(Path::new(&spec.path), &load);
        if let Some(s) = spinner {
            s.finish_and_clear();
        }
        bars?
    };
    Ok((bars, spec))
}

