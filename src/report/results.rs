//! The result rows of a sweep, streamed to `results.csv` and `results.parquet` chunk by
//! chunk: one row per combination, its parameters then every statistic.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::metrics::NUMBER_NAMES;
use crate::optimize::TrialRow;

/// Writes result rows as they come.
pub struct ResultsWriter {
    csv: csv::Writer<BufWriter<File>>,
    parquet: polars::io::parquet::write::BatchedWriter<BufWriter<File>>,
    params: Vec<String>,
}

fn io_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Run(format!("writing {what}: {e}"))
}

/// Writes a number as CSV text into `buf`: the shortest text that reads back as the same
/// number; empty for NaN.
fn csv_number(buf: &mut String, v: f64) {
    use std::fmt::Write as _;
    buf.clear();
    if !v.is_nan() {
        let _ = write!(buf, "{v}");
    }
}

/// Column names: the parameters, `start`, `end`, then the numeric statistics.
fn columns(params: &[String]) -> Vec<String> {
    let stats = NUMBER_NAMES.map(String::from);
    params.iter().cloned().chain(["start".to_string(), "end".to_string()]).chain(stats).collect()
}

impl ResultsWriter {
    /// Creates `results.csv` and `results.parquet` in `dir`, for parameters `params`.
    pub fn create(dir: &Path, params: &[String]) -> Result<Self> {
        let open = |name: &str| {
            File::create(dir.join(name)).map(BufWriter::new).map_err(|e| Error::io(format!("creating {name}"), e))
        };
        let mut csv = csv::Writer::from_writer(open("results.csv")?);
        csv.write_record(columns(params)).map_err(|e| io_error("results.csv", e))?;
        let schema = Self::frame(params, &[])?.schema().as_ref().clone();
        // Written as the sweep runs, beside it on the same cores: uncompressed, without
        // column statistics and on this thread, which keeps it to a small share of the time.
        let parquet = ParquetWriter::new(open("results.parquet")?)
            .with_compression(ParquetCompression::Uncompressed)
            .set_parallel(false)
            .with_statistics(StatisticsOptions::empty())
            .batched(&schema)
            .map_err(|e| io_error("results.parquet", e))?;
        Ok(ResultsWriter { csv, parquet, params: params.to_vec() })
    }

    /// The rows as a data frame.
    fn frame(params: &[String], rows: &[TrialRow]) -> Result<DataFrame> {
        let mut cols: Vec<Column> = Vec::new();
        for (k, name) in params.iter().enumerate() {
            cols.push(Column::new(name.into(), rows.iter().map(|r| r.params[k]).collect::<Vec<f64>>()));
        }
        cols.push(Column::new("start".into(), rows.iter().map(|r| r.stats.start.as_str()).collect::<Vec<&str>>()));
        cols.push(Column::new("end".into(), rows.iter().map(|r| r.stats.end.as_str()).collect::<Vec<&str>>()));
        let numbers: Vec<_> = rows.iter().map(|r| r.stats.numbers()).collect();
        for (k, name) in NUMBER_NAMES.iter().enumerate() {
            if *name == "trades" {
                cols.push(Column::new((*name).into(), rows.iter().map(|r| r.stats.trades as i64).collect::<Vec<i64>>()));
            } else {
                cols.push(Column::new((*name).into(), numbers.iter().map(|n| n[k].1).collect::<Vec<f64>>()));
            }
        }
        DataFrame::new(rows.len(), cols).map_err(|e| io_error("results.parquet", e))
    }

    /// Appends rows (in order).
    pub fn write(&mut self, rows: &[TrialRow]) -> Result<()> {
        let mut buf = String::new();
        let error = |e| io_error("results.csv", e);
        for row in rows {
            for &v in &row.params {
                csv_number(&mut buf, v);
                self.csv.write_field(&buf).map_err(error)?;
            }
            self.csv.write_field(&row.stats.start).map_err(error)?;
            self.csv.write_field(&row.stats.end).map_err(error)?;
            for (_, v) in row.stats.numbers() {
                csv_number(&mut buf, v);
                self.csv.write_field(&buf).map_err(error)?;
            }
            self.csv.write_record(None::<&[u8]>).map_err(error)?;
        }
        if !rows.is_empty() {
            let frame = Self::frame(&self.params, rows)?;
            self.parquet.write_batch(&frame).map_err(|e| io_error("results.parquet", e))?;
        }
        Ok(())
    }

    /// Completes both files.
    pub fn finish(mut self) -> Result<()> {
        self.csv.flush().map_err(|e| io_error("results.csv", e))?;
        self.parquet.finish().map_err(|e| io_error("results.parquet", e))?;
        Ok(())
    }
}
