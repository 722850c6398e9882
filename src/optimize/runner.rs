//! Running one parameter combination of a strategy, as `tradeorch backtest` would, over a
//! window of the bars, with stage outputs shared between combinations.

use std::ops::Range;

use super::cache::StageCache;
use crate::data::Bars;
use crate::engine::{ExecutionConfig, Simulation};
use crate::error::{Error, Result};
use crate::metrics::{self, Stats, StatsContext};
use crate::orchestrator::{self, prepare_with};
use crate::strategy::Strategy;

/// One run's results.
#[derive(Debug, Clone)]
pub struct TrialRun {
    pub stats: Stats,
    /// Over the traded window's bars (index 0 = the window's first bar).
    pub simulation: Simulation,
    /// Bar-to-bar ratios of the simulation's equity (`equity[i + 1] / equity[i]`).
    pub ratios: Vec<f64>,
}

/// Runs combinations of a strategy's swept parameters over `window` of the bars: stages
/// see every bar before the window's end (earlier bars warm them up), trading and
/// statistics cover the window only. Over all bars, a run is exactly `tradeorch backtest`.
#[derive(Debug)]
pub struct Runner<'a> {
    base: &'a Strategy,
    names: Vec<String>,
    exec: ExecutionConfig,
    /// The bars up to the window's end.
    history: Bars,
    /// The window's bars.
    traded: Option<Bars>,
    from: usize,
    context: StatsContext,
    cache: StageCache,
}

impl<'a> Runner<'a> {
    /// A runner of `base` with parameters `names` (values in this order) swept over
    /// `values` (the values each takes), on `window` of `bars`.
    pub fn new(base: &'a Strategy, exec: ExecutionConfig, bars: &Bars, window: Range<usize>, values: &[Vec<f64>], names: &[String]) -> Self {
        let history = if window.end == bars.len() { bars.clone() } else { bars.slice(0..window.end) };
        let traded = (window.start > 0).then(|| history.slice(window.start..window.end));
        let context = { let b = traded.as_ref().unwrap_or(&history); StatsContext::new(&b.time, &b.close) };
        let alternatives: Vec<Option<(String, f64)>> = names
            .iter()
            .zip(values)
            .map(|(n, v)| {
                let current = base.file.params.get(n).copied();
                v.iter().find(|&&x| Some(x) != current).map(|&x| (n.clone(), x)).filter(|_| v.len() > 1)
            })
            .collect();
        let counts: Vec<usize> = values.iter().map(Vec::len).collect();
        let cache = StageCache::new(base, &alternatives, &counts, history.len());
        Runner { base, names: names.to_vec(), exec, history, traded, from: window.start, context, cache }
    }

    /// The bars traded and measured.
    pub fn traded(&self) -> &Bars {
        self.traded.as_ref().unwrap_or(&self.history)
    }

    /// The stage cache (for inspection).
    pub fn cache(&self) -> &StageCache {
        &self.cache
    }

    /// `name=value, …` of a combination, for messages.
    pub fn describe(&self, combo: &[f64]) -> String {
        self.names.iter().zip(combo).map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join(", ")
    }

    /// Runs one combination (values in the order of the names).
    pub fn run(&self, combo: &[f64]) -> Result<TrialRun> {
        let values: Vec<(String, f64)> = self.names.iter().cloned().zip(combo.iter().copied()).collect();
        let strategy = self.base.with_params(&values).map_err(|e| Error::Run(format!("with {}: {e}", self.describe(combo))))?;
        let keys = if self.cache.is_used() { strategy.pipeline.stage_keys() } else { Vec::new() };
        let fetch = |k: usize, compute: &dyn Fn() -> Result<_>| match keys.get(k) {
            Some(key) => self.cache.fetch(k, key, compute),
            None => compute(),
        };
        let (mut outputs, mut signals) = prepare_with(&strategy, &self.history, &fetch)?;
        if self.from > 0 {
            outputs = outputs.from_bar(self.from);
            signals = signals.from_bar(self.from);
        }
        let bars = self.traded();
        let warmup = orchestrator::warmup(&outputs);
        let simulation = orchestrator::trade(&strategy, bars, &self.exec, &outputs, &signals, None)?;
        let ratios = metrics::ratios(&simulation.equity);
        let stats = orchestrator::statistics(bars, &self.context, &simulation, &ratios, warmup);
        Ok(TrialRun { stats, simulation, ratios })
    }
}
