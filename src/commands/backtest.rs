//! `tradeorch backtest`.

use std::path::{Path, PathBuf};

use super::{load_run_data, load_strategy, DataChoice, DEFAULT_STRATEGY};
use crate::data::Bars;
use crate::engine::ExecutionSpec;
use crate::error::{Error, Result};
use crate::orchestrator::{self, Backtest};
use crate::report::charts::ChartOptions;
use crate::report::{self, RunRecord, TradeRow};
use crate::strategy::{DataSpec, Strategy};

/// Options of `tradeorch backtest`.
#[derive(Debug, Clone, Default)]
pub struct BacktestOptions {
    /// Strategy file path, or the name of a built-in strategy.
    pub strategy: Option<String>,
    /// Data file, symbol and range (else the strategy's `[data]`, else the embedded data).
    pub data: DataChoice,
    /// Execution settings given on the command line (override the strategy's).
    pub overrides: ExecutionSpec,
    /// Run folder; default `reports/<strategy>-<data>`.
    pub out: Option<PathBuf>,
    /// Chart settings of the report.
    pub charts: ChartOptions,
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

/// A file-name-safe version of `s`.
pub(crate) fn slug(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .collect()
}

/// The default run folder name: `<strategy>-<symbol or data file stem>`.
pub(crate) fn run_name(strategy: &Strategy, bars: &Bars, data: &DataSpec) -> String {
    let data_name = bars.symbol.clone().unwrap_or_else(|| {
        let file = data.path.rsplit(['/', ':']).next().unwrap_or(&data.path);
        file.split('.').next().unwrap_or(file).to_string()
    });
    format!("{}-{}", slug(strategy.name()), slug(&data_name))
}

/// Runs a loaded strategy on loaded bars and writes its run folder at `dir`; returns the
/// backtest and the record written.
pub(crate) fn run_and_write(
    strategy: &Strategy,
    bars: &Bars,
    data_spec: &DataSpec,
    overrides: &ExecutionSpec,
    dir: &Path,
    charts: &ChartOptions,
) -> Result<(Backtest, RunRecord)> {
    let exec = strategy.execution(overrides)?;
    let backtest = orchestrator::backtest(strategy, bars, &exec, true)?;
    let mut resolved = strategy.file.clone();
    resolved.data = Some(data_spec.clone());
    resolved.execution = exec.to_spec();
    let sim = &backtest.simulation;
    let trades = sim.closed_trades.iter().chain(&sim.open_trades).map(|t| TradeRow::new(bars, t));
    let config = toml::to_string(&resolved).map_err(|e| Error::Run(format!("cannot write config.toml: {e}")))?;
    let name = dir.file_name().map_or_else(|| "run".into(), |n| n.to_string_lossy().into_owned());
    let record = RunRecord::new(&name, bars, &backtest.stats, &sim.equity, trades, config, &backtest.decisions);
    report::write_run(dir, &record, charts)?;
    Ok((backtest, record))
}

/// Runs `tradeorch backtest`: loads the strategy and data, runs it, writes the run folder.
pub fn backtest(opts: &BacktestOptions) -> Result<BacktestOutcome> {
    let strategy = load_strategy(opts.strategy.as_deref().unwrap_or(DEFAULT_STRATEGY))?;
    strategy.execution(&opts.overrides)?;
    let (bars, data_spec) = load_run_data(&opts.data, &strategy)?;
    let dir = opts
        .out
        .clone()
        .unwrap_or_else(|| Path::new("reports").join(run_name(&strategy, &bars, &data_spec)));
    let (backtest, _) = run_and_write(&strategy, &bars, &data_spec, &opts.overrides, &dir, &opts.charts)?;
    Ok(BacktestOutcome { strategy, bars, backtest, report_dir: dir })
}
