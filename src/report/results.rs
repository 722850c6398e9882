//! The result rows of a sweep, streamed to `results.csv` and `results.parquet` chunk by
//! chunk: one row per combination, its parameters then every statistic.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::metrics::NUMBER_NAMES;
use crate::optimize::TrialRow;

/// Bytes gathered before each write to a results file: a sweep writes megabytes, which in
/// the default 8 KiB writes cost some 1,400 system calls.
const WRITE_BUFFER: usize = 1 << 20;

/// Writes result rows as they come.
pub struct ResultsWriter {
    csv: csv::Writer<BufWriter<File>>,
    parquet: polars::io::parquet::write::BatchedWriter<BufWriter<File>>,
    params: Vec<String>,
}

fn io_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Run(format!("writing {what}: {e}"))
}

/// Writes a number as CSV text into `buf`: whole numbers without a fraction (`10`), others
/// as the shortest text that reads back as the same number (`0.1`, `1e-7`); empty for NaN.
fn csv_number(buf: &mut String, v: f64) {
    buf.clear();
    if v.is_nan() {
        return;
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        // As Rust prints them: -0 keeps its sign.
        if v.is_sign_negative() {
            buf.push('-');
        }
        buf.push_str(itoa::Buffer::new().format((v as i64).unsigned_abs()));
    } else {
        buf.push_str(ryu::Buffer::new().format(v));
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
            let file = File::create(dir.join(name)).map_err(|e| Error::io(format!("creating {name}"), e))?;
            Ok::<_, Error>(BufWriter::with_capacity(WRITE_BUFFER, file))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn text(v: f64) -> String {
        let mut buf = String::new();
        csv_number(&mut buf, v);
        buf
    }

    #[test]
    fn numbers_are_short_and_read_back_exactly() {
        let cases = [(10.0, "10"), (-3.0, "-3"), (-0.0, "-0"), (0.0, "0"), (0.1, "0.1"), (462.635, "462.635"), (-1.5e-7, "-1.5e-7"), (f64::INFINITY, "inf"), (f64::NAN, "")];
        for (v, want) in cases {
            assert_eq!(text(v), want, "{v}");
        }
        let mut next = crate::testing::xorshift(0x853c_49e6_748f_ea9b);
        for _ in 0..10_000 {
            let state = next();
            let x = (state >> 11) as f64 / (1u64 << 53) as f64 * 10f64.powi((state % 41) as i32 - 20);
            for v in [x, -x, x.round()] {
                assert_eq!(text(v).parse::<f64>().unwrap().to_bits(), v.to_bits(), "{v:e}");
                if (1e-5..1e15).contains(&v.abs()) {
                    // As short as Rust's own printing (the last digit may be the other
                    // one of two that both read back exactly).
                    assert_eq!(text(v).len(), v.to_string().len(), "{v:e}");
                }
            }
        }
    }
}
