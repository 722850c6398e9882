//! Run reports: the files of a run folder, and the terminal summary.
//!
//! A run folder is written into a temporary folder beside it and renamed into place only
//! when complete, so a failed run never leaves a half-written report.

mod files;
mod summary;

pub use files::{write_run, RunFiles};
pub use summary::summary_table;
