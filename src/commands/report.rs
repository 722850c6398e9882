//! `tradeorch report RUN_DIR`: regenerates the charts and `report.html` of a finished run
//! from its files, without re-running it.

use std::path::Path;

use crate::error::Result;
use crate::report::charts::ChartOptions;
use crate::report::{write_report, RunRecord};

/// Rewrites `RUN_DIR/charts/` and `RUN_DIR/report.html`.
pub fn report(run_dir: &Path, charts: &ChartOptions) -> Result<()> {
    let record = RunRecord::load(run_dir)?;
    write_report(&record, run_dir, charts).map(drop)
}
