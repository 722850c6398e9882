//! Performance statistics of a run, computed from its equity curve and trades.

pub mod calendar;
pub mod compare;
pub mod drawdown;
mod logarithm;
pub mod overfitting;
pub mod periods;
mod sample;
mod stats;

pub use stats::{compute, compute_on, compute_with_ratios, format_time, Stats, StatsInput, StatsContext, NUMBER_NAMES, NUMERIC_STATS};
pub use sample::ratios;
