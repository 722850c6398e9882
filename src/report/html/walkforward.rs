//! The page of `tradeorch walkforward`: each window's chosen parameters with their
//! in-sample and out-of-sample results, the stitched out-of-sample equity, and the
//! walk-forward efficiency.

use std::fmt::Write as _;

use super::fmt::{escape_html, num_cell, number};
use super::sections;
use super::{page_end, page_open};
use crate::metrics::format_time;
use crate::optimize::WalkForward;
use crate::report::charts::Chart;

/// What the walk-forward page shows.
#[derive(Debug, Clone, Copy)]
pub struct WalkForwardPage<'a> {
    pub strategy: &'a str,
    pub data: &'a str,
    /// How the windows were cut and chosen, in words.
    pub method: &'a str,
    pub names: &'a [String],
    /// Bar timestamps of the whole data (window bounds index into them).
    pub time: &'a [i64],
    pub result: &'a WalkForward,
    pub charts: &'a [Chart],
    /// Link to the stitched out-of-sample run's own report.
    pub oos_report: &'a str,
}

/// The walk-forward efficiency in one sentence.
pub fn efficiency_sentence(wfe: f64) -> String {
    format!(
        "Walk-forward efficiency {}: the annualised return out of sample is this fraction of what the chosen parameters earned, annualised, on the data they were chosen on; near 1 means the optimisation carries over, below about 0.5 that much of the in-sample result was fitted to noise.",
        number(wfe, 2)
    )
}

/// The analysis as one self-contained HTML document.
pub fn render_walkforward(page: &WalkForwardPage) -> String {
    let r = page.result;
    let mut out = String::with_capacity(64 * 1024 + page.charts.iter().map(|c| c.svg.len()).sum::<usize>());
    let title = format!("Walk-forward analysis of {}", page.strategy);
    page_open(&mut out, &title);
    let _ = writeln!(
        out,
        "<p class=\"meta\"><span>Data {}</span><span>Out of sample {} – {}</span><span>{} windows</span></p>",
        escape_html(page.data),
        escape_html(&r.stats.start[..10]),
        escape_html(&r.stats.end[..10]),
        r.windows.len()
    );
    let _ = writeln!(
        out,
        "<nav><a href=\"#efficiency\">Efficiency</a><a href=\"#windows\">Windows</a><a href=\"#charts\">Charts</a><a href=\"{}\">Out-of-sample report</a></nav>",
        escape_html(page.oos_report)
    );
    out.push_str("</div></header>\n<main class=\"wrap\">\n");
    sections::headline(&mut out, &r.stats);
    let _ = writeln!(
        out,
        "<section id=\"efficiency\">\n<h2>Does the optimisation carry over?</h2>\n<p id=\"wfe\">{}</p>\n<p class=\"meta\">{}</p>\n</section>",
        escape_html(&efficiency_sentence(r.efficiency)),
        escape_html(page.method)
    );

    out.push_str("<section id=\"windows\">\n<h2>Windows</h2>\n<div class=\"scroll\"><table class=\"sortable\" id=\"window-table\">\n<thead><tr>");
    out.push_str("<th class=\"num\">#</th><th>Train</th><th>Test</th>");
    for name in page.names {
        let _ = write!(out, "<th class=\"num\">{}</th>", escape_html(name));
    }
    out.push_str("<th class=\"num\">IS ann. %</th><th class=\"num\">IS Sharpe</th><th class=\"num\">OOS ann. %</th><th class=\"num\">OOS Sharpe</th><th class=\"num\">OOS max DD %</th><th class=\"num\">OOS trades</th><th class=\"num\">Efficiency</th></tr></thead>\n<tbody>\n");
    let day = |i: usize| format_time(page.time[i])[..10].to_string();
    for (k, w) in r.windows.iter().enumerate() {
        let win = w.window;
        let _ = write!(
            out,
            "<tr><td class=\"num\">{}</td><td class=\"nowrap\">{} – {}</td><td class=\"nowrap\">{} – {}</td>",
            k + 1,
            day(win.train_start),
            day(win.test_start - 1),
            day(win.test_start),
            day(win.test_end - 1)
        );
        for v in &w.params {
            let _ = write!(out, "<td class=\"num\" data-v=\"{v}\">{v}</td>");
        }
        let (is, oos) = (&w.in_sample, &w.out_of_sample);
        let efficiency = crate::optimize::walkforward::efficiency(oos.return_ann_pct, is.return_ann_pct);
        for (v, d) in [
            (is.return_ann_pct, 2),
            (is.sharpe_ratio, 3),
            (oos.return_ann_pct, 2),
            (oos.sharpe_ratio, 3),
            (oos.max_drawdown_pct, 2),
            (oos.trades as f64, 0),
            (efficiency, 2),
        ] {
            out.push_str(&num_cell(Some(v), d));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n</section>\n");
    sections::charts(&mut out, page.charts);
    page_end(&mut out, "windows.csv, equity.csv and summary.json");
    out
}
