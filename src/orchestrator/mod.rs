//! The orchestrator: computes every stage over the whole timeline, then runs the
//! sequential trading loop, handing stage outputs at each decision time to the policy.

pub mod indicators;

use crate::data::Bars;
use crate::engine::{self, Broker, ExecutionConfig, OrderRequest, Simulation, Size};
use crate::error::Result;
use crate::metrics::{self, Stats, StatsInput};
use crate::strategy::{Policy, PriceField, Stage, Strategy};

/// One stage's output: a value per bar (NaN where not yet defined).
#[derive(Debug, Clone, PartialEq)]
pub struct StageOutput {
    pub id: String,
    pub values: Vec<f64>,
}

/// Everything a backtest produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Backtest {
    pub outputs: Vec<StageOutput>,
    /// First bar at which every stage output is defined.
    pub warmup: usize,
    pub simulation: Simulation,
    pub stats: Stats,
}

fn price(bars: &Bars, field: PriceField) -> &[f64] {
    match field {
        PriceField::Open => &bars.open,
        PriceField::High => &bars.high,
        PriceField::Low => &bars.low,
        PriceField::Close => &bars.close,
    }
}

/// Computes one stage over all bars.
pub fn compute_stage(stage: &Stage, bars: &Bars) -> StageOutput {
    let values = match stage {
        Stage::Sma { input, period, .. } => indicators::sma(price(bars, *input), *period),
    };
    StageOutput { id: stage.id().to_string(), values }
}

/// The first bar at which every output is defined (0 when an output is never defined,
/// as backtesting.py does).
fn warmup(outputs: &[StageOutput]) -> usize {
    outputs
        .iter()
        .map(|o| o.values.iter().position(|v| !v.is_nan()).unwrap_or(0))
        .max()
        .unwrap_or(0)
}

/// Places the policy's orders for bar `i`.
fn decide(policy: &Policy, outputs: &[StageOutput], size: f64, i: usize, broker: &mut Broker) -> Result<()> {
    match *policy {
        Policy::Crossover { fast, slow, long_only } => {
            let (f, s) = (&outputs[fast].values, &outputs[slow].values);
            if indicators::crossed_above(f, s, i) {
                broker.close_position(1.0);
                broker.submit(&OrderRequest::market(Size::Fraction(size)))?;
            } else if indicators::crossed_above(s, f, i) {
                broker.close_position(1.0);
                if !long_only {
                    broker.submit(&OrderRequest::market(Size::Fraction(-size)))?;
                }
            }
        }
    }
    Ok(())
}

/// Computes every stage of a strategy over all bars.
pub fn compute_stages(strategy: &Strategy, bars: &Bars) -> Vec<StageOutput> {
    strategy.stages.iter().map(|s| compute_stage(s, bars)).collect()
}

/// The sequential trading loop: the policy reads stage outputs at each decision time and the
/// broker executes its orders. Decisions start once every output is defined.
pub fn trade(strategy: &Strategy, bars: &Bars, exec: &ExecutionConfig, outputs: &[StageOutput]) -> Result<Simulation> {
    engine::simulate(bars, exec, warmup(outputs) + 1, |i, broker| {
        decide(&strategy.policy, outputs, exec.size, i, broker)
    })
}

/// Runs a strategy on bars with the given execution settings and computes its statistics.
pub fn backtest(strategy: &Strategy, bars: &Bars, exec: &ExecutionConfig) -> Result<Backtest> {
    let outputs = compute_stages(strategy, bars);
    let warmup = warmup(&outputs);
    let simulation = trade(strategy, bars, exec, &outputs)?;
    let stats = metrics::compute(StatsInput {
        time: &bars.time,
        close: &bars.close,
        equity: &simulation.equity,
        trades: &simulation.closed_trades,
        first_trading_bar: warmup,
    });
    Ok(Backtest { outputs, warmup, simulation, stats })
}
