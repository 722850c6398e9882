//! The HTML report: one self-contained `report.html` per run that opens offline.
//!
//! Everything is inline: the style sheet, the charts (as SVG) and one small script that
//! sorts tables by a clicked column. Nothing is loaded from anywhere else, and every piece
//! of text that comes from the user's files (strategy name, description, config, tags,
//! reasons, explanations, orders) is escaped. The same record gives the same bytes.

mod compare;
mod fmt;
mod sections;
mod sweep;
mod walkforward;

use std::fmt::Write as _;
use std::path::Path;

use super::charts::{self, Chart, ChartOptions};
use super::run::{write_text, RunRecord};
use crate::error::Result;
pub use compare::{render_comparison, ComparisonPage};
pub use fmt::escape_html;
pub(crate) use fmt::number;
pub use sweep::{dsr_sentence, pbo_sentence, render_sweep, SweepPage};
pub use walkforward::{efficiency_sentence, render_walkforward, WalkForwardPage};

const STYLE: &str = include_str!("style.css");
const SORT_SCRIPT: &str = include_str!("sort.js");

/// What the header shows, read from the run's config TOML (falling back to the run name
/// when the config cannot be parsed).
struct Header {
    name: String,
    description: Option<String>,
    data: Option<String>,
}

impl Header {
    fn of(record: &RunRecord) -> Self {
        let config: Option<toml::Value> = toml::from_str(&record.config).ok();
        let text = |v: Option<&toml::Value>| v.and_then(toml::Value::as_str).map(str::to_string);
        let name = text(config.as_ref().and_then(|c| c.get("name"))).unwrap_or_else(|| record.name.clone());
        let description = text(config.as_ref().and_then(|c| c.get("description"))).filter(|d| !d.trim().is_empty());
        let data = config.as_ref().and_then(|c| c.get("data")).and_then(|d| {
            let path = text(d.get("path"))?;
            Some(match text(d.get("symbol")) {
                Some(symbol) => format!("{path} ({symbol})"),
                None => path,
            })
        });
        Header { name, description, data }
    }
}

/// The report of `record` as one self-contained HTML5 document, with `charts` inlined.
pub fn render_html(record: &RunRecord, charts: &[Chart]) -> String {
    let header = Header::of(record);
    let s = &record.stats;
    let mut out = String::with_capacity(
        64 * 1024 + record.trades.len() * 900 + charts.iter().map(|c| c.svg.len()).sum::<usize>(),
    );
    // Header: name, description, period, data, navigation.
    page_open(&mut out, &header.name);
    if let Some(d) = &header.description {
        let _ = writeln!(out, "<p class=\"desc\">{}</p>", escape_html(d));
    }
    let _ = write!(
        out,
        "<p class=\"meta\"><span>Period {} – {}</span><span>{} bars</span>",
        escape_html(fmt::short_time(&s.start)),
        escape_html(fmt::short_time(&s.end)),
        record.equity.len()
    );
    if let Some(data) = &header.data {
        let _ = write!(out, "<span>Data {}</span>", escape_html(data));
    }
    let _ = writeln!(out, "<span>Run {}</span></p>", escape_html(&record.name));
    let mut nav = vec![
        ("statistics", "Statistics"),
        ("charts", "Charts"),
        ("drawdowns", "Drawdowns"),
        ("returns", "Returns"),
        ("trades", "Trades"),
    ];
    if !record.decisions.is_empty() {
        nav.push(("decisions", "Decisions"));
    }
    nav.push(("config", "Config"));
    out.push_str("<nav>");
    for (id, label) in nav {
        let _ = write!(out, "<a href=\"#{id}\">{label}</a>");
    }
    out.push_str("</nav>\n</div></header>\n<main class=\"wrap\">\n");

    sections::headline(&mut out, s);
    sections::statistics(&mut out, s);
    sections::charts(&mut out, charts);
    let time = record.times();
    let equity: Vec<f64> = record.equity.iter().map(|r| r.equity).collect();
    sections::drawdowns(&mut out, &time, &equity);
    sections::returns(&mut out, &time, &equity);
    sections::trades(&mut out, &record.trades);
    if !record.decisions.is_empty() {
        sections::decisions(&mut out, &record.decisions);
    }
    sections::config(&mut out, &record.config);

    page_end(&mut out, &format!("the run folder {}", record.name));
    out
}

/// The document head (title escaped) and the opening `<body>`.
fn page_start(out: &mut String, title: &str) {
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<meta name=\"generator\" content=\"tradeorch {}\">", env!("CARGO_PKG_VERSION"));
    let _ = writeln!(out, "<title>{} — tradeorch report</title>", escape_html(title));
    let _ = writeln!(out, "<style>\n{STYLE}</style>\n</head>\n<body>");
}

/// [`page_start`], then the page header opened with `title` as its heading (the caller adds
/// the rest of the header and closes it).
fn page_open(out: &mut String, title: &str) {
    page_start(out, title);
    out.push_str("<header><div class=\"wrap\">\n");
    let _ = writeln!(out, "<h1>{}</h1>", escape_html(title));
}

/// Closes `<main>`, adds the footer (naming `source`, escaped) and the table sorter.
fn page_end(out: &mut String, source: &str) {
    let _ = writeln!(
        out,
        "</main>\n<footer>Generated by tradeorch {} from {}.</footer>",
        env!("CARGO_PKG_VERSION"),
        escape_html(source)
    );
    let _ = writeln!(out, "<script>\n{SORT_SCRIPT}</script>\n</body>\n</html>");
}

/// Writes the report of `record` into the run folder `dir`: every chart as PNG and SVG
/// files in `dir/charts/` and the self-contained `dir/report.html`; returns the charts.
pub fn write_report(record: &RunRecord, dir: &Path, opts: &ChartOptions) -> Result<Vec<Chart>> {
    let charts = charts::write_and_render(record, &dir.join("charts"), opts)?;
    write_text(&dir.join("report.html"), &render_html(record, &charts))?;
    Ok(charts)
}
