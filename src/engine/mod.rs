//! The engine: a broker stepped bar by bar, with decisions taken between bars.

mod broker;
mod config;
mod order;

pub use broker::Broker;
pub use config::{Compat, ExecutionConfig, ExecutionSpec, Fill, BACKTESTING_PY_FULL_EQUITY};
pub use order::{OrderRequest, Size, Trade};

use crate::data::Bars;
use crate::error::Result;

/// What a simulation produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    /// Equity at each bar's close (bars before the first decision take the first value).
    pub equity: Vec<f64>,
    /// Trades closed during the run, in closing order.
    pub closed_trades: Vec<Trade>,
    /// Trades still open at the end (none when `finalize_trades` closed them).
    pub open_trades: Vec<Trade>,
    /// Cash at the end.
    pub cash: f64,
    /// True when equity reached zero and the run stopped early.
    pub wiped_out: bool,
}

/// Runs the bar loop: at each bar from `start` on, fills pending orders at that bar's prices,
/// records equity at its close, then calls `decide(bar, broker)` — which sees data up to
/// and including that bar's close and may place orders for later bars.
///
/// `start` must be at least 1 (the first decision needs a previous bar). With
/// `finalize_trades`, trades still open after the last decision are closed at the last
/// bar's open (or the previous close with [`Fill::Close`]), as backtesting.py does.
pub fn simulate<F>(bars: &Bars, cfg: &ExecutionConfig, start: usize, decide: F) -> Result<Simulation>
where
    F: FnMut(usize, &mut Broker) -> Result<()>,
{
    simulate_active(bars, cfg, start, None, decide)
}

/// As [`simulate`], calling `decide` only at the bars listed in `active` (in increasing
/// order; all bars when None): for strategies known to do nothing at the other bars, which
/// then cost only marking to market.
pub fn simulate_active<F>(bars: &Bars, cfg: &ExecutionConfig, start: usize, active: Option<&[usize]>, mut decide: F) -> Result<Simulation>
where
    F: FnMut(usize, &mut Broker) -> Result<()>,
{
    let n = bars.len();
    let start = start.max(1);
    let mut broker = Broker::new(bars, cfg);
    let mut equity = vec![f64::NAN; n];
    let mut wiped_out = false;
    // The active bars from the current one on.
    let mut upcoming = active.map(|a| &a[a.partition_point(|&b| b < start)..]);
    let mut i = start;
    while i < n {
        if let Some(rest) = upcoming.filter(|_| !broker.has_orders()) {
            // Up to the next decision, with no order to fill, only the equity changes.
            let next = rest.first().map_or(n, |&b| b.min(n));
            i = broker.mark_to_market(i..next, &mut equity);
            if i == n {
                break;
            }
        }
        let e = broker.step(i)?;
        equity[i] = e;
        if e <= 0.0 {
            broker.liquidate();
            equity[i..].fill(0.0);
            wiped_out = true;
            break;
        }
        let decides = match &mut upcoming {
            None => true,
            Some(rest) => match rest.split_first() {
                Some((&b, later)) if b == i => {
                    *rest = later;
                    true
                }
                _ => false,
            },
        };
        if decides {
            decide(i, &mut broker)?;
        }
        i += 1;
    }
    if !wiped_out && cfg.finalize_trades && start < n {
        broker.queue_final_closes();
        let e = broker.step(n - 1)?;
        equity[n - 1] = e;
        if e <= 0.0 {
            broker.liquidate();
            equity[n - 1] = 0.0;
        }
    }
    let cash = broker.cash();
    backfill(&mut equity, cash);
    let (closed_trades, open_trades) = broker.into_trades();
    Ok(Simulation { equity, closed_trades, open_trades, cash, wiped_out })
}

/// Fills leading NaNs with the first recorded value (or `cash` when nothing was recorded).
fn backfill(equity: &mut [f64], cash: f64) {
    let first = equity.iter().copied().find(|e| !e.is_nan()).unwrap_or(cash);
    for e in equity.iter_mut().take_while(|e| e.is_nan()) {
        *e = first;
    }
}
