//! The orchestrator: resolves the stages into a dependency graph and computes them for the
//! whole timeline (independent stages in parallel), computes the policy's signals, then runs
//! the sequential trading loop — policy proposal, risk review, broker — keeping an audit
//! record of every decision.

pub mod audit;
pub mod expr;
pub mod graph;
pub mod indicators;
pub mod lookahead;
pub mod policy;
pub mod risk;
pub mod stage;
pub mod stages;

use audit::DecisionRecord;
use policy::{Signals, Target};
use risk::{Account, RiskStage};
use stage::Outputs;

use crate::data::Bars;
use crate::engine::{self, Broker, ExecutionConfig, OrderRequest, Simulation, Size};
use crate::error::{Error, Result};
use crate::metrics::{self, format_time, Stats, StatsInput, StatsContext};
use crate::strategy::Strategy;

/// Everything a backtest produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Backtest {
    pub outputs: Outputs,
    pub signals: Signals,
    /// First bar at which every stage output is defined.
    pub warmup: usize,
    pub simulation: Simulation,
    pub stats: Stats,
    /// One record per decision (empty unless requested).
    pub decisions: Vec<DecisionRecord>,
}

/// The first bar at which every output is defined (0 when an output is never defined,
/// as backtesting.py does).
pub fn warmup(outputs: &Outputs) -> usize {
    outputs.iter().map(|o| o.values.iter().position(|v| !v.is_nan()).unwrap_or(0)).max().unwrap_or(0)
}

/// Computes every stage and the policy's signals over all bars.
pub fn prepare(strategy: &Strategy, bars: &Bars) -> Result<(Outputs, Signals)> {
    // Around 50 M stage-bars take about a second: show a spinner from there on.
    let large = bars.len() * strategy.pipeline.stages().len() > 50_000_000;
    let spinner = large.then(|| crate::progress::spinner("computing stages"));
    let outputs = strategy.pipeline.compute(bars);
    if let Some(s) = spinner {
        s.finish_and_clear();
    }
    let outputs = outputs?;
    let signals = signals(strategy, bars, &outputs)?;
    Ok((outputs, signals))
}

/// As [`prepare`], with each stage's series supplied by `fetch`, computed one after the
/// other (for runs that are themselves in parallel; see [`Pipeline::compute_with`](graph::Pipeline::compute_with)).
pub fn prepare_with(strategy: &Strategy, bars: &Bars, fetch: &graph::StageFetch) -> Result<(Outputs, Signals)> {
    let outputs = strategy.pipeline.compute_with(bars, fetch, false)?;
    let signals = signals(strategy, bars, &outputs)?;
    Ok((outputs, signals))
}

fn signals(strategy: &Strategy, bars: &Bars, outputs: &Outputs) -> Result<Signals> {
    strategy
        .policy
        .signals(outputs, bars, &strategy.file.params)
        .map_err(|e| Error::Run(format!("{}: policy: {e}", strategy.path.display())))
}

/// Carries out a reviewed decision; with `described`, appends a description of each order
/// placed (for the audit trail; skipped otherwise, as formatting costs more than trading).
fn execute(target: Target, size: f64, sl: Option<f64>, tp: Option<f64>, broker: &mut Broker, described: Option<&mut Vec<String>>) -> Result<()> {
    let position = broker.position_size();
    let mut described = described;
    if target != Target::Hold && position != 0.0 {
        broker.close_position(1.0);
        if let Some(d) = described.as_deref_mut() {
            d.push(format!("close position of {position} units at market"));
        }
    }
    let sign = match target {
        Target::Long => 1.0,
        Target::Short => -1.0,
        _ => return Ok(()),
    };
    broker.submit(&OrderRequest { sl, tp, ..OrderRequest::market(Size::Fraction(sign * size)) })?;
    if let Some(d) = described {
        let mut text = format!("{} {}% of equity at market", if sign > 0.0 { "buy" } else { "sell" }, size * 100.0);
        if let Some(p) = sl {
            text += &format!(", stop-loss {p:.4}");
        }
        if let Some(p) = tp {
            text += &format!(", take-profit {p:.4}");
        }
        d.push(text);
    }
    Ok(())
}

/// The sequential trading loop over precomputed outputs and signals. Decisions start once
/// every output is defined; `audit` receives one record per decision when given.
pub fn trade(
    strategy: &Strategy,
    bars: &Bars,
    exec: &ExecutionConfig,
    outputs: &Outputs,
    signals: &Signals,
    mut audit: Option<&mut Vec<DecisionRecord>>,
) -> Result<Simulation> {
    let mut risk = RiskStage::new(&strategy.risk, exec.size);
    let needs_equity = risk.needs_equity() || audit.is_some();
    // Without an audit or an active risk stage, bars where the policy holds whatever the
    // position need no decision at all.
    let active = if audit.is_none() && risk.is_passive() { strategy.policy.active_bars(signals) } else { None };
    engine::simulate_active(bars, exec, warmup(outputs) + 1, active.as_deref(), |i, broker| {
        let position = broker.position_size();
        let (proposal, reason) = strategy.policy.decide(signals, i, position);
        if proposal == Target::Hold && risk.is_passive() && audit.is_none() {
            return Ok(()); // nothing to review, place or record
        }
        let equity = if needs_equity { broker.equity() } else { f64::NAN };
        let account = Account { equity, position, close: bars.close[i] };
        let reviewed = risk.review(proposal, account);
        let mut orders = Vec::new();
        let described = audit.is_some().then_some(&mut orders);
        execute(reviewed.target, reviewed.size, reviewed.stop_loss, reviewed.take_profit, broker, described)?;
        if let Some(records) = audit.as_deref_mut() {
            let (values, confidence, explanations, sig) = audit::snapshot(outputs, signals, i);
            records.push(DecisionRecord {
                bar: i,
                time: format_time(bars.time[i]),
                close: bars.close[i],
                position,
                equity: account.equity,
                outputs: values,
                confidence,
                explanations,
                signals: sig,
                proposal,
                reason: reason.to_string(),
                decision: reviewed.target,
                risk: reviewed.notes,
                orders,
            });
        }
        Ok(())
    })
}

/// Runs a strategy on bars with the given execution settings and computes its statistics;
/// with `audit`, also keeps a record of every decision.
pub fn backtest(strategy: &Strategy, bars: &Bars, exec: &ExecutionConfig, audit: bool) -> Result<Backtest> {
    let (outputs, signals) = prepare(strategy, bars)?;
    let warmup = warmup(&outputs);
    let mut decisions = Vec::new();
    let simulation = trade(strategy, bars, exec, &outputs, &signals, audit.then_some(&mut decisions))?;
    let ratios = metrics::ratios(&simulation.equity);
    let stats = statistics(bars, &StatsContext::new(&bars.time, &bars.close), &simulation, &ratios, warmup);
    Ok(Backtest { outputs, signals, warmup, simulation, stats, decisions })
}

/// The statistics of a simulation over `bars` (whose [`StatsContext`] is `context`), the
/// bar-to-bar ratios of its equity being `ratios`, buy & hold starting at bar `warmup`.
pub fn statistics(bars: &Bars, context: &StatsContext, simulation: &Simulation, ratios: &[f64], warmup: usize) -> Stats {
    metrics::compute_with_ratios(
        context,
        StatsInput {
            time: &bars.time,
            close: &bars.close,
            equity: &simulation.equity,
            trades: &simulation.closed_trades,
            first_trading_bar: warmup,
        },
        ratios,
    )
}
