//! The commands behind the CLI, as library functions (the binary only parses arguments).

use std::path::{Path, PathBuf};

use crate::data::{self, Bars, LoadOptions};
use crate::engine::ExecutionSpec;
use crate::error::{InputError, Result};
use crate::orchestrator::{self, Backtest};
use crate::report::{self, RunFiles};
use crate::strategy::{DataSpec, Strategy};

/// The data set built into the binary: GOOG daily 2004-08-19 – 2013-03-01 (see `data/README.md`).
pub const EMBEDDED_DATA: &str = "embedded:GOOG.csv";
const EMBEDDED_GOOG: &[u8] = include_bytes!("../data/GOOG.csv");

/// Strategies built into the binary, by name (the files in `strategies/`).
pub const BUILTIN_STRATEGIES: [(&str, &str); 1] = [("sma_cross", include_str!("../strategies/sma_cross.toml"))];

/// The strategy run when none is given.
pub const DEFAULT_STRATEGY: &str = "sma_cross";

/// Options of `tradeorch backtest`.
#[derive(Debug, Clone, Default)]
pub struct BacktestOptions {
    /// Data file; else the strategy's `[data]`; else the embedded data set.
    pub data: Option<PathBuf>,
    /// Strategy file path, or the name of a built-in strategy.
    pub strategy: Option<String>,
    pub symbol: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Execution settings given on the command line (override the strategy's).
    pub overrides: ExecutionSpec,
    /// Run folder; default `reports/<strategy>-<data>`.
    pub out: Option<PathBuf>,
}

/// What `tradeorch backtest` produced.
#[derive(Debug, Clone)]
pub struct BacktestOutcome {
    pub strategy: Strategy,
    pub bars: Bars,
    pub backtest: Backtest,
    /// The run folder written.
    pub report_dir: PathBuf,
}

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

/// Loads the bars a run uses, and the `[data]` spec that reproduces the choice.
fn load_run_data(opts: &BacktestOptions, strategy: &Strategy) -> Result<(Bars, DataSpec), InputError> {
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
        data::load_bars(Path::new(&spec.path), &load)?
    };
    Ok((bars, spec))
}

/// A file-name-safe version of `s`.
fn slug(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .collect()
}

/// The default run folder name: `<strategy>-<symbol or data file stem>`.
fn run_name(strategy: &Strategy, bars: &Bars, data: &DataSpec) -> String {
    let data_name = bars.symbol.clone().unwrap_or_else(|| {
        let file = data.path.rsplit(['/', ':']).next().unwrap_or(&data.path);
        file.split('.').next().unwrap_or(file).to_string()
    });
    format!("{}-{}", slug(strategy.name()), slug(&data_name))
}

/// Runs `tradeorch backtest`: loads the strategy and data, runs it, writes the run folder.
pub fn backtest(opts: &BacktestOptions) -> Result<BacktestOutcome> {
    let strategy = load_strategy(opts.strategy.as_deref().unwrap_or(DEFAULT_STRATEGY))?;
    let exec = strategy.execution(&opts.overrides)?;
    let (bars, data_spec) = load_run_data(opts, &strategy)?;
    let backtest = orchestrator::backtest(&strategy, &bars, &exec)?;

    let mut resolved = strategy.file.clone();
    resolved.data = Some(data_spec.clone());
    resolved.execution = exec.to_spec();
    let dir = opts
        .out
        .clone()
        .unwrap_or_else(|| Path::new("reports").join(run_name(&strategy, &bars, &data_spec)));
    let report_dir = report::write_run(
        &dir,
        &RunFiles {
            bars: &bars,
            stats: &backtest.stats,
            closed_trades: &backtest.simulation.closed_trades,
            open_trades: &backtest.simulation.open_trades,
            equity: &backtest.simulation.equity,
            config: &resolved,
        },
    )?;
    Ok(BacktestOutcome { strategy, bars, backtest, report_dir })
}
