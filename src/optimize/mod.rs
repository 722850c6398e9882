//! Searching a strategy's parameters: sweeps over a grid or a random sample of it, with
//! shared stage outputs and overfitting statistics, and walk-forward analysis.

pub mod cache;
pub mod grid;
pub mod runner;
pub mod sweep;
pub mod walkforward;

pub use grid::{Grid, ParamRange};
pub use runner::{Runner, TrialRun};
pub use sweep::{sweep, sweep_then, Overfitting, SweepResult, SweepSettings, TrialRow};
pub use walkforward::{walk_forward, Span, WalkForward, Window, WindowResult};
