//! Run reports: the run folder's files, and the terminal summary.
//!
//! A run folder is written into a temporary folder beside it and renamed into place only
//! when complete, so a failed run never leaves a half-written report.

pub mod charts;
mod files;
mod html;
mod results;
mod run;
mod summary;

pub use files::{create_subfolder, write_atomically, write_run};
pub use results::ResultsWriter;
pub use html::{
    dsr_sentence, efficiency_sentence, escape_html, pbo_sentence, render_comparison, render_html, render_sweep, render_walkforward,
    write_report, ComparisonPage, SweepPage, WalkForwardPage,
};
pub use run::{write_text, EquityRow, RunRecord, TradeRow};
pub use summary::{aligned_rows, summary_rows, summary_table};
