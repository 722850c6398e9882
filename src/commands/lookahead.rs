//! `tradeorch check-lookahead`: re-runs a strategy's stages and policy signals on truncated
//! and on scrambled futures, and reports any output that changed at or before the cut-off.

use super::{load_run_data, load_strategy, DataChoice};
use crate::error::Result;
use crate::orchestrator::lookahead::{self, LookaheadReport};
use crate::orchestrator::prepare;
use crate::orchestrator::stage::{Outputs, Series};

/// Options of `tradeorch check-lookahead`.
#[derive(Debug, Clone)]
pub struct LookaheadOptions {
    pub strategy: String,
    pub data: DataChoice,
    /// Number of cut-off times, spread evenly over the data.
    pub samples: usize,
}

/// Runs the check on a strategy's stage outputs and policy signals.
pub fn check_lookahead(opts: &LookaheadOptions) -> Result<LookaheadReport> {
    let strategy = load_strategy(&opts.strategy)?;
    let (bars, _) = load_run_data(&opts.data, &strategy)?;
    let cutoffs = lookahead::sample_cutoffs(bars.len(), opts.samples);
    lookahead::check(&bars, &cutoffs, |b| {
        let (mut outputs, signals): (Outputs, _) = prepare(&strategy, b)?;
        for (signal, values) in signals.series {
            outputs.insert(Series::new(format!("policy.{}", signal.name()), values.to_numbers()));
        }
        Ok(outputs)
    })
}
