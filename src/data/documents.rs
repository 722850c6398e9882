//! Timestamped text documents (news headlines, filings, notes) for stages that read text.

use std::path::Path;

use super::load::parse_timestamp;
use crate::error::InputError;

/// One document: when it was published and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Publication time, ns since the epoch (naive), like [`super::Bars::time`].
    pub time: i64,
    pub text: String,
}

const TIME_COLUMNS: [&str; 5] = ["time", "date", "datetime", "timestamp", "published"];
const TEXT_COLUMNS: [&str; 5] = ["text", "headline", "title", "body", "summary"];

fn find_column(path: &Path, headers: &csv::StringRecord, names: &[&str], what: &str) -> Result<usize, InputError> {
    headers.iter().position(|h| names.contains(&h.trim().to_ascii_lowercase().as_str())).ok_or_else(|| {
        let found: Vec<&str> = headers.iter().collect();
        InputError::new(
            path,
            format!("no {what} column (one of {}); columns found: {}", names.join(", "), found.join(", ")),
        )
        .at("line 1")
    })
}

/// Reads a CSV file of documents with a time column and a text column, in publication
/// order (times may repeat but not go back).
pub fn load_documents(path: &Path) -> Result<Vec<Document>, InputError> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| InputError::new(path, e.to_string()))?;
    let headers = reader.headers().map_err(|e| InputError::new(path, e.to_string()))?.clone();
    let time_at = find_column(path, &headers, &TIME_COLUMNS, "time")?;
    let text_at = find_column(path, &headers, &TEXT_COLUMNS, "text")?;
    let mut docs: Vec<Document> = Vec::new();
    for (k, record) in reader.records().enumerate() {
        let line = format!("line {}", k + 2);
        let record = record.map_err(|e| InputError::new(path, e.to_string()).at(line.clone()))?;
        let cell = record.get(time_at).unwrap_or("").trim();
        let time = parse_timestamp(cell).ok_or_else(|| {
            InputError::new(path, format!("cannot parse \"{cell}\" as a timestamp")).at(line.clone()).column(&headers[time_at])
        })?;
        if docs.last().is_some_and(|d| time < d.time) {
            return Err(InputError::new(path, "documents must be in publication order").at(line).column(&headers[time_at]));
        }
        docs.push(Document { time, text: record.get(text_at).unwrap_or("").to_string() });
    }
    Ok(docs)
}
