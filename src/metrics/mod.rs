//! Performance statistics of a run, computed from its equity curve and trades.

pub mod calendar;
pub mod compare;
pub mod drawdown;
pub mod overfitting;
pub mod periods;
mod sample;
mod stats;

pub use stats::{
    compute, compute_on, format_time, Stats, StatsContext, StatsInput, NUMBER_NAMES, NUMERIC_STATS,
};
