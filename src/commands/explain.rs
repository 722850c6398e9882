//! `tradeorch explain RUN_DIR --date D`: the audit record of a decision, readable.

use std::fmt::Write;
use std::path::Path;

use serde_json::Value;

use crate::error::{InputError, Result};

fn number(v: &Value) -> String {
    match v.as_f64() {
        Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{x:.0}"),
        Some(x) => format!("{x:.6}"),
        None => "-".to_string(),
    }
}

fn table(out: &mut String, title: &str, map: &Value, fmt: impl Fn(&Value) -> String) {
    let Some(map) = map.as_object().filter(|m| !m.is_empty()) else { return };
    let _ = writeln!(out, "{title}:");
    let width = map.keys().map(String::len).max().unwrap_or(0);
    for (k, v) in map {
        let _ = writeln!(out, "  {k:<width$}  {}", fmt(v));
    }
}

/// One record, readable.
fn render(r: &Value) -> String {
    let mut out = String::new();
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    let _ = writeln!(
        out,
        "{} (bar {})  close {}  position {}  equity {}",
        text(&r["time"]),
        r["bar"],
        number(&r["close"]),
        number(&r["position"]),
        number(&r["equity"])
    );
    table(&mut out, "stage outputs", &r["outputs"], number);
    table(&mut out, "confidence", &r["confidence"], number);
    table(&mut out, "explanations", &r["explanations"], text);
    table(&mut out, "policy signals", &r["signals"], number);
    let reason = text(&r["reason"]);
    let _ = writeln!(out, "proposal: {}{}", text(&r["proposal"]), if reason.is_empty() { String::new() } else { format!(" ({reason})") });
    if let Some(notes) = r["risk"].as_array() {
        for n in notes {
            let _ = writeln!(out, "risk: {}", text(n));
        }
    }
    let _ = writeln!(out, "decision: {}", text(&r["decision"]));
    match r["orders"].as_array().filter(|o| !o.is_empty()) {
        Some(orders) => {
            let _ = writeln!(out, "orders:");
            for o in orders {
                let _ = writeln!(out, "  - {}", text(o));
            }
        }
        None => {
            let _ = writeln!(out, "orders: none");
        }
    }
    out
}

/// The decisions taken on `date` (a date, or a date-time prefix such as `2010-05-03 14`),
/// rendered for reading.
pub fn explain(run_dir: &Path, date: &str) -> Result<String> {
    let path = run_dir.join("decisions.jsonl");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| InputError::new(&path, format!("cannot read the audit trail: {e}")))?;
    let mut found = Vec::new();
    let (mut first, mut last) = (String::new(), String::new());
    for (k, line) in text.lines().enumerate() {
        let record: Value = serde_json::from_str(line)
            .map_err(|e| InputError::new(&path, format!("not a decision record: {e}")).at(format!("line {}", k + 1)))?;
        let time = record["time"].as_str().unwrap_or("").to_string();
        if first.is_empty() {
            first = time.clone();
        }
        if time.starts_with(date) {
            found.push(render(&record));
        }
        last = time;
    }
    if found.is_empty() {
        let range = if first.is_empty() { "the run has no decisions".to_string() } else { format!("decisions run from {first} to {last}") };
        return Err(InputError::new("--date", format!("no decision on \"{date}\" ({range})")).into());
    }
    Ok(found.join("\n"))
}
