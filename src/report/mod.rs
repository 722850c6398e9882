//! Run reports: the run folder's files, and the terminal summary.
//!
//! A run folder is written into a temporary folder beside it and renamed into place only
//! when complete, so a failed run never leaves a half-written report.

pub mod charts;
mod files;
mod html;
mod run;
mod summary;

pub use files::write_run;
pub use html::{escape_html, render_comparison, render_html, write_report, ComparisonPage};
pub use run::{write_text, EquityRow, RunRecord, TradeRow};
pub use summary::{summary_rows, summary_table};
