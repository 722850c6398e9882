//! The comparison page of `tradeorch compare`.

use std::fmt::Write as _;

use super::fmt::{escape_html, text_num_cell};
use super::sections;
use super::{page_end, page_open};
use crate::metrics::Stats;
use crate::report::charts::Chart;
use crate::report::summary_rows;

/// What the comparison page shows.
#[derive(Debug, Clone, Copy)]
pub struct ComparisonPage<'a> {
    /// The compared runs' names, and each run's report (relative link; empty for none).
    pub names: &'a [String],
    pub reports: &'a [String],
    pub stats: &'a [Stats],
    pub benchmark: &'a Stats,
    /// Return correlations, runs then the benchmark.
    pub correlation: &'a [Vec<f64>],
    /// The significance test in plain words.
    pub verdict: &'a str,
    pub charts: &'a [Chart],
}

/// A correlation cell, shaded by strength.
fn correlation_cell(v: f64) -> String {
    if !v.is_finite() {
        return "<td class=\"num\">-</td>".to_string();
    }
    let alpha = (v.abs() * 0.6).min(0.6);
    let rgb = if v >= 0.0 { "44,160,44" } else { "214,39,40" };
    format!("<td class=\"num\" style=\"background:rgba({rgb},{alpha:.2})\">{v:.2}</td>")
}

/// The comparison as one self-contained HTML document.
pub fn render_comparison(page: &ComparisonPage) -> String {
    let mut out = String::with_capacity(64 * 1024 + page.charts.iter().map(|c| c.svg.len()).sum::<usize>());
    let title = format!("Comparison of {}", page.names.join(", "));
    page_open(&mut out, &title);
    out.push_str("<nav><a href=\"#verdict\">Verdict</a><a href=\"#statistics\">Statistics</a><a href=\"#charts\">Charts</a><a href=\"#correlation\">Correlation</a></nav>\n");
    out.push_str("</div></header>\n<main class=\"wrap\">\n");

    let _ = writeln!(out, "<section id=\"verdict\">\n<h2>Is the best Sharpe ratio luck?</h2>\n<p>{}</p>\n</section>", escape_html(page.verdict));

    let headers: Vec<String> = page.names.iter().cloned().chain(["benchmark".to_string()]).collect();
    out.push_str("<section id=\"statistics\">\n<h2>Statistics</h2>\n<div class=\"scroll\"><table>\n<thead><tr><th>Statistic</th>");
    for (k, h) in headers.iter().enumerate() {
        match page.reports.get(k).filter(|r| !r.is_empty()) {
            Some(link) => {
                let _ = write!(out, "<th class=\"num\"><a href=\"{}\">{}</a></th>", escape_html(link), escape_html(h));
            }
            None => {
                let _ = write!(out, "<th class=\"num\">{}</th>", escape_html(h));
            }
        }
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let rows: Vec<Vec<(&str, String)>> = page.stats.iter().chain([page.benchmark]).map(summary_rows).collect();
    for k in 0..rows[0].len() {
        let _ = write!(out, "<tr><td>{}</td>", escape_html(rows[0][k].0));
        for r in &rows {
            out.push_str(&text_num_cell(&r[k].1));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n</section>\n");

    sections::charts(&mut out, page.charts);

    out.push_str("<section id=\"correlation\">\n<h2>Correlation of per-bar returns</h2>\n<div class=\"scroll\"><table>\n<thead><tr><th></th>");
    for h in &headers {
        let _ = write!(out, "<th class=\"num\">{}</th>", escape_html(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (h, row) in headers.iter().zip(page.correlation) {
        let _ = write!(out, "<tr><td>{}</td>", escape_html(h));
        for &v in row {
            out.push_str(&correlation_cell(v));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n</section>\n");
    page_end(&mut out, "tradeorch compare");
    out
}
