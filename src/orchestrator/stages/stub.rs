//! The `stub` stage: stands in for a model while it is being developed, with a constant or
//! a column replayed from a CSV file.

use std::path::Path;
use std::sync::Arc;

use crate::data::parse_timestamp;
use crate::error::{InputError, Result};
use crate::orchestrator::stage::{Input, Series, Stage, View};

/// Replayed rows, oldest first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Replay {
    pub time: Vec<i64>,
    pub value: Vec<f64>,
    pub confidence: Option<Vec<f64>>,
    pub explanation: Option<Vec<String>>,
}

/// Where a stub's values come from.
#[derive(Debug, Clone, PartialEq)]
pub enum StubSource {
    Constant(f64),
    /// Each bar takes the latest row at or before its time (NaN before the first row).
    /// Shared: re-resolving a strategy with other parameters reuses the rows read.
    Replay(Arc<Replay>),
}

/// A stage whose output is a constant or a replayed column.
#[derive(Debug, Clone, PartialEq)]
pub struct StubStage {
    pub id: String,
    pub source: StubSource,
}

/// Columns of a replay file to read.
#[derive(Debug, Clone, Copy)]
pub struct ReplayColumns<'a> {
    pub value: &'a str,
    pub confidence: Option<&'a str>,
    pub explanation: Option<&'a str>,
}

fn column_index(path: &Path, headers: &csv::StringRecord, name: &str) -> Result<usize, InputError> {
    headers.iter().position(|h| h == name).ok_or_else(|| {
        let found: Vec<&str> = headers.iter().collect();
        InputError::new(path, format!("column not found; columns: {}", found.join(", "))).at("line 1").column(name)
    })
}

impl Replay {
    /// Reads a CSV file whose first column is a timestamp, taking the named columns.
    /// Rows must be in strictly increasing time order.
    pub fn load(path: &Path, cols: ReplayColumns) -> Result<Self, InputError> {
        let mut reader = csv::Reader::from_path(path).map_err(|e| InputError::new(path, e.to_string()))?;
        let headers = reader.headers().map_err(|e| InputError::new(path, e.to_string()))?.clone();
        let value_at = column_index(path, &headers, cols.value)?;
        let conf_at = cols.confidence.map(|c| column_index(path, &headers, c)).transpose()?;
        let expl_at = cols.explanation.map(|c| column_index(path, &headers, c)).transpose()?;
        let time_name = headers.get(0).unwrap_or("").to_string();
        let mut out = Replay {
            confidence: conf_at.map(|_| Vec::new()),
            explanation: expl_at.map(|_| Vec::new()),
            ..Replay::default()
        };
        for (k, record) in reader.records().enumerate() {
            let line = format!("line {}", k + 2);
            let record = record.map_err(|e| InputError::new(path, e.to_string()).at(line.clone()))?;
            let cell = |i: usize| record.get(i).unwrap_or("").trim();
            let time = parse_timestamp(cell(0)).ok_or_else(|| {
                InputError::new(path, format!("cannot parse \"{}\" as a timestamp", cell(0)))
                    .at(line.clone())
                    .column(time_name.clone())
            })?;
            if out.time.last().is_some_and(|&last| time <= last) {
                return Err(InputError::new(path, "timestamps must be strictly increasing").at(line).column(time_name));
            }
            let number = |i: usize, name: &str| {
                cell(i).parse::<f64>().map_err(|_| {
                    InputError::new(path, format!("cannot parse \"{}\" as a number", cell(i)))
                        .at(line.clone())
                        .column(name)
                })
            };
            out.time.push(time);
            out.value.push(number(value_at, cols.value)?);
            if let (Some(i), Some(v)) = (conf_at, out.confidence.as_mut()) {
                v.push(number(i, cols.confidence.unwrap_or_default())?);
            }
            if let (Some(i), Some(v)) = (expl_at, out.explanation.as_mut()) {
                v.push(cell(i).to_string());
            }
        }
        Ok(out)
    }
}

impl Stage for StubStage {
    fn id(&self) -> &str {
        &self.id
    }

    fn inputs(&self) -> Vec<Input> {
        Vec::new()
    }

    fn outputs(&self) -> Vec<String> {
        vec![self.id.clone()]
    }

    /// A constant by its value; a replay by identity of the rows read (never by contents,
    /// which can be large).
    fn cache_key(&self) -> String {
        match &self.source {
            StubSource::Constant(v) => format!("stub {} {v:?}", self.id),
            StubSource::Replay(r) => format!("stub {} replay {:p}", self.id, Arc::as_ptr(r)),
        }
    }

    fn compute(&self, view: &View) -> Result<Vec<Series>> {
        let n = view.len();
        let series = match &self.source {
            StubSource::Constant(v) => Series::new(self.id.clone(), vec![*v; n]),
            StubSource::Replay(r) => {
                // For each bar, the index of the latest row at or before it.
                let mut rows: Vec<Option<usize>> = Vec::with_capacity(n);
                let mut next = 0;
                for &t in view.time() {
                    while next < r.time.len() && r.time[next] <= t {
                        next += 1;
                    }
                    rows.push(next.checked_sub(1));
                }
                let pick = |col: &[f64]| -> Vec<f64> { rows.iter().map(|r| r.map_or(f64::NAN, |k| col[k])).collect() };
                Series {
                    name: self.id.clone(),
                    values: pick(&r.value).into(),
                    confidence: r.confidence.as_deref().map(pick),
                    explanation: r
                        .explanation
                        .as_ref()
                        .map(|e| rows.iter().map(|r| r.map_or(String::new(), |k| e[k].clone())).collect()),
                }
            }
        };
        Ok(vec![series])
    }
}
