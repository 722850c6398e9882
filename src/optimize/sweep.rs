//! Running every combination of a sweep in parallel, in chunks: each finished chunk is
//! handed on in combination order (to be written out), and only what the summary needs is
//! kept — the best rows, each combination's score, and its returns' block sums for the
//! overfitting statistics — never an equity curve.

use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::ProgressBar;
use rayon::prelude::*;

use super::runner::Runner;
use crate::error::{Error, Result};
use crate::metrics::overfitting::{self, BlockSums, Pbo};
use crate::metrics::Stats;

/// Combinations run between two hand-overs (and checks for an interruption).
const CHUNK: usize = 1024;
/// Splits S of PBO when not given: the largest even S ≤ 16 with trials × C(S, S/2) at most this.
const PBO_WORK: f64 = 2e7;

/// One result row: a combination and its statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialRow {
    /// Position in the list of combinations.
    pub index: usize,
    pub params: Vec<f64>,
    pub stats: Stats,
}

/// What a sweep found.
#[derive(Debug, Clone)]
pub struct SweepResult {
    /// Combinations run (all of them unless interrupted).
    pub completed: usize,
    pub total: usize,
    /// The best rows by the maximised statistic, best first.
    pub top: Vec<TrialRow>,
    /// The maximised statistic of every combination, in order (NaN where not run).
    pub scores: Vec<f64>,
    /// None with fewer than 2 combinations run, or when not asked for.
    pub overfitting: Option<Overfitting>,
}

/// The overfitting statistics of a sweep; Sharpe ratios here are per bar (not annualised),
/// of the bar-to-bar returns of each run's equity.
#[derive(Debug, Clone, PartialEq)]
pub struct Overfitting {
    pub trials: usize,
    /// Returns per run.
    pub observations: usize,
    /// Per-bar Sharpe ratio of the best combination, its skewness and (non-excess) kurtosis.
    pub best_sharpe: f64,
    pub skew: f64,
    pub kurtosis: f64,
    /// Variance of the per-bar Sharpe ratios across the trials.
    pub sharpe_variance: f64,
    /// The Sharpe ratio the best of this many skill-less trials would be expected to reach.
    pub expected_max_sharpe: f64,
    pub deflated_sharpe: f64,
    /// Splits S used for PBO.
    pub splits: usize,
    /// None when there are too few returns for the splits.
    pub pbo: Option<Pbo>,
}

/// What is kept of each run for the overfitting statistics: its returns' block sums (which
/// also give its Sharpe ratio).
type Summary = BlockSums;

/// A combination run: its row and, when the overfitting statistics are asked for, its summary.
type Finished = (TrialRow, Option<Summary>);

/// Receives the result rows of each chunk, in combination order.
pub type Sink<'a> = dyn FnMut(&[TrialRow]) -> Result<()> + Send + 'a;

/// How a sweep ranks and summarises.
#[derive(Debug, Clone)]
pub struct SweepSettings {
    /// The statistic maximised (a [`Stats::number`] name).
    pub maximize: String,
    /// Rows kept in the top table.
    pub top: usize,
    /// Splits of PBO (even); chosen from the number of combinations when None.
    pub pbo_splits: Option<usize>,
    /// Whether to compute the overfitting statistics (and keep what they need).
    pub overfitting: bool,
}

/// The splits S used for `trials` runs of `returns` returns each.
pub fn pbo_splits(given: Option<usize>, trials: usize, returns: usize) -> usize {
    given.unwrap_or_else(|| {
        let binomial = |s: usize| (1..=s / 2).fold(1.0, |c, i| c * (s / 2 + i) as f64 / i as f64);
        (2..=16).step_by(2).filter(|&s| s <= returns && trials as f64 * binomial(s) <= PBO_WORK).max().unwrap_or(2)
    })
}

/// Orders scores best first, NaN last, ties by position.
fn better(a: (f64, usize), b: (f64, usize)) -> std::cmp::Ordering {
    let key = |(s, i): (f64, usize)| (if s.is_nan() { f64::NEG_INFINITY } else { s }, std::cmp::Reverse(i));
    let (ka, kb) = (key(a), key(b));
    kb.0.total_cmp(&ka.0).then(kb.1.cmp(&ka.1))
}

/// Runs `combos` with `runner`, handing each chunk of rows (in combination order) to
/// `sink`. Stops early, with the rows of the chunks finished, when `stop` becomes true.
pub fn sweep(
    runner: &Runner,
    combos: &[Vec<f64>],
    settings: &SweepSettings,
    progress: Option<&ProgressBar>,
    stop: &AtomicBool,
    sink: &mut Sink,
) -> Result<SweepResult> {
    sweep_then(runner, combos, settings, progress, stop, sink, |_, _| ()).map(|(result, ())| result)
}

/// As [`sweep`], running `meanwhile` on the number of combinations run and their scores
/// (those of [`SweepResult`]) at the same time as the overfitting statistics.
pub fn sweep_then<R: Send>(
    runner: &Runner,
    combos: &[Vec<f64>],
    settings: &SweepSettings,
    progress: Option<&ProgressBar>,
    stop: &AtomicBool,
    sink: &mut Sink,
    meanwhile: impl FnOnce(usize, &[f64]) -> R + Send,
) -> Result<(SweepResult, R)> {
    let returns = runner.traded().len().saturating_sub(1);
    let splits = pbo_splits(settings.pbo_splits, combos.len(), returns);
    if !overfitting::splits_allowed(splits) {
        return Err(Error::Run(format!("--pbo-splits must be even, from 2 to {}, got {splits}", overfitting::MAX_SPLITS)));
    }
    let mut scores = vec![f64::NAN; combos.len()];
    let mut top: Vec<TrialRow> = Vec::new();
    let mut summaries: Vec<Summary> = Vec::with_capacity(combos.len());
    let mut completed = 0;
    // Each chunk is handed on while the next one runs.
    let mut handed: Result<()> = Ok(());
    let mut pending: Vec<TrialRow> = Vec::new();
    for (c, chunk) in combos.chunks(CHUNK).enumerate() {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        // Per combination: None when interrupted, else its row and (when asked for) summary.
        let run_chunk = || -> Vec<Option<Result<Finished>>> {
            chunk
                .par_iter()
                .enumerate()
                .map(|(k, combo)| {
                    if stop.load(Ordering::Relaxed) {
                        return None;
                    }
                    Some(runner.run(combo).map(|run| {
                        let summary = settings.overfitting.then(|| summarise(run.ratios, splits));
                        (TrialRow { index: c * CHUNK + k, params: combo.clone(), stats: run.stats }, summary)
                    }))
                })
                .collect()
        };
        let (results, previous) = rayon::join(run_chunk, || hand_on(sink, &mut pending, &mut top, settings.top, &scores));
        handed = handed.and(previous);
        if handed.is_err() || results.iter().any(Option::is_none) {
            break; // interrupted within the chunk: keep only whole chunks
        }
        for r in results.into_iter().flatten() {
            let (row, summary) = r?;
            scores[row.index] = row.stats.number(&settings.maximize).unwrap_or(f64::NAN);
            summaries.extend(summary);
            pending.push(row);
        }
        completed += chunk.len();
        if let Some(p) = progress {
            p.inc(chunk.len() as u64);
        }
    }
    handed?;
    hand_on(sink, &mut pending, &mut top, settings.top, &scores)?;
    let (overfitting, other) = rayon::join(
        || if settings.overfitting { overfitting(runner, &summaries, top.first(), returns, splits) } else { Ok(None) },
        || meanwhile(completed, &scores),
    );
    Ok((SweepResult { completed, total: combos.len(), top, scores, overfitting: overfitting? }, other))
}

/// Hands `rows` to `sink` and keeps the best of them in `top` (emptying `rows`).
fn hand_on(sink: &mut Sink, rows: &mut Vec<TrialRow>, top: &mut Vec<TrialRow>, keep: usize, scores: &[f64]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let handed = sink(rows);
    let order = |a: &TrialRow, b: &TrialRow| better((scores[a.index], a.index), (scores[b.index], b.index));
    // Only the best `keep` of the rows can make the top (the order is total).
    let keep = keep.max(1);
    if rows.len() > keep {
        rows.select_nth_unstable_by(keep - 1, order);
        rows.truncate(keep);
    }
    top.append(rows);
    top.sort_by(order);
    top.truncate(keep);
    handed
}

/// Bar-to-bar returns of an equity curve (0 where undefined, after a wipe-out).
pub fn bar_returns(equity: &[f64]) -> Vec<f64> {
    returns_of_ratios(crate::metrics::ratios(equity))
}

/// The bar-to-bar returns of an equity curve whose bar-to-bar ratios are `ratios` (see
/// [`bar_returns`]), in their place.
fn returns_of_ratios(mut ratios: Vec<f64>) -> Vec<f64> {
    ratios_to_returns(&mut ratios);
    ratios
}

#[multiversion::multiversion(targets("x86_64+avx512f", "x86_64+avx2"))]
fn ratios_to_returns(ratios: &mut [f64]) {
    for r in ratios {
        *r -= 1.0;
        if r.is_nan() {
            *r = 0.0;
        }
    }
}

/// A run's summary, from its equity's bar-to-bar ratios.
fn summarise(ratios: Vec<f64>, splits: usize) -> Summary {
    let returns = returns_of_ratios(ratios);
    BlockSums::new(&returns, splits.min(returns.len()).max(1))
}

/// The overfitting statistics of the runs summarised, the best being `best` (whose
/// combination `runner` runs again for the moments of its returns).
fn overfitting(runner: &Runner, summaries: &[Summary], best: Option<&TrialRow>, returns: usize, splits: usize) -> Result<Option<Overfitting>> {
    let (Some(best), true) = (best, summaries.len() >= 2) else { return Ok(None) };
    let sharpes: Vec<f64> = summaries.iter().map(BlockSums::sharpe).collect();
    let sharpe_variance = overfitting::sample_moments(&sharpes).std.powi(2);
    let moments = overfitting::sample_moments(&returns_of_ratios(runner.run(&best.params)?.ratios));
    let b = Summary::sharpe(&summaries[best.index]);
    let trials = summaries.len();
    let pbo = (returns >= splits).then(|| overfitting::pbo_from_blocks(summaries).map_err(Error::Run)).transpose()?;
    let (skew, kurtosis) = (moments.skew, moments.kurtosis);
    Ok(Some(Overfitting {
        trials,
        observations: returns,
        best_sharpe: b,
        skew,
        kurtosis,
        sharpe_variance,
        expected_max_sharpe: overfitting::expected_max_sharpe(trials, sharpe_variance),
        deflated_sharpe: overfitting::deflated_sharpe_ratio(b, trials, sharpe_variance, returns, skew, kurtosis),
        splits,
        pbo,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_shrink_for_large_sweeps() {
        assert_eq!(pbo_splits(None, 100, 2000), 16);
        assert_eq!(pbo_splits(None, 14_751, 2147), 12);
        assert_eq!(pbo_splits(None, 100, 9), 8);
        assert_eq!(pbo_splits(Some(6), 14_751, 2147), 6);
    }

    #[test]
    fn ranking_puts_nan_last_and_ties_by_position() {
        let mut v = [(f64::NAN, 0), (1.0, 3), (2.0, 1), (1.0, 2)];
        v.sort_by(|a, b| better(*a, *b));
        assert_eq!(v.iter().map(|x| x.1).collect::<Vec<_>>(), [1, 2, 3, 0]);
    }
}
