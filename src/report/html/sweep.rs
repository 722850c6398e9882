//! The page of `tradeorch sweep`: what was searched, the best combinations, the parameter
//! heatmap, and how much of the best result the overfitting statistics put down to luck.

use std::fmt::Write as _;

use super::fmt::{escape_html, num_cell, number};
use super::sections;
use super::{page_end, page_open};
use crate::optimize::{Overfitting, TrialRow};
use crate::report::charts::Chart;

/// What the sweep page shows.
#[derive(Debug, Clone, Copy)]
pub struct SweepPage<'a> {
    pub strategy: &'a str,
    /// The data as `path (symbol)`, and its period.
    pub data: &'a str,
    pub period: &'a str,
    /// The swept parameters and their values, e.g. `fast = 2 … 100 (99 values)`.
    pub grid: &'a [String],
    /// How the combinations were chosen (grid, constraint, random sample).
    pub search: &'a str,
    pub maximize: &'a str,
    pub names: &'a [String],
    pub completed: usize,
    pub total: usize,
    /// Set when the sweep was interrupted.
    pub partial: bool,
    pub top: &'a [TrialRow],
    pub overfitting: Option<&'a Overfitting>,
    pub charts: &'a [Chart],
}

/// Statistics shown in the top table besides the parameters.
const TOP_COLUMNS: [(&str, &str, usize); 8] = [
    ("return_pct", "Return %", 2),
    ("cagr_pct", "CAGR %", 2),
    ("sharpe_ratio", "Sharpe", 3),
    ("sortino_ratio", "Sortino", 3),
    ("max_drawdown_pct", "Max DD %", 2),
    ("trades", "Trades", 0),
    ("win_rate_pct", "Win rate %", 2),
    ("profit_factor", "Profit factor", 2),
];

/// The Deflated Sharpe Ratio in one sentence.
pub fn dsr_sentence(o: &Overfitting) -> String {
    format!(
        "Deflated Sharpe Ratio {}: allowing for {} trials and the returns' skewness and fat tails, this is the probability that the best combination's true Sharpe ratio is above zero rather than the luck of the best of many draws (the best of {} skill-less trials would reach a per-bar Sharpe of about {}; the best here has {}). Above 0.95 is strong evidence of skill.",
        number(o.deflated_sharpe, 3),
        o.trials,
        o.trials,
        number(o.expected_max_sharpe, 4),
        number(o.best_sharpe, 4)
    )
}

/// The Probability of Backtest Overfitting in one sentence.
pub fn pbo_sentence(o: &Overfitting) -> String {
    match &o.pbo {
        Some(p) => format!(
            "Probability of Backtest Overfitting {}: cutting the history into {} blocks and trying all {} ways of choosing half of them to select on, the combination chosen did worse than the median combination on the other half {} of the time; near 0 means the selection carries over out of sample, 0.5 or more means it is mostly noise.",
            number(p.pbo, 3),
            o.splits,
            p.combinations,
            format_args!("{} %", number(p.pbo * 100.0, 1))
        ),
        None => format!("Probability of Backtest Overfitting: not computed (fewer than {} returns per run).", o.splits),
    }
}

/// The sweep as one self-contained HTML document.
pub fn render_sweep(page: &SweepPage) -> String {
    let mut out = String::with_capacity(64 * 1024 + page.charts.iter().map(|c| c.svg.len()).sum::<usize>());
    let title = format!("Sweep of {}", page.strategy);
    page_open(&mut out, &title);
    let _ = writeln!(
        out,
        "<p class=\"meta\"><span>Data {}</span><span>Period {}</span><span>{} of {} combinations</span><span>Maximising {}</span></p>",
        escape_html(page.data),
        escape_html(page.period),
        page.completed,
        page.total,
        escape_html(page.maximize)
    );
    out.push_str("<nav><a href=\"#luck\">Luck</a><a href=\"#best\">Best</a><a href=\"#charts\">Heatmap</a><a href=\"#search\">Search</a></nav>\n");
    out.push_str("</div></header>\n<main class=\"wrap\">\n");
    if page.partial {
        let _ = writeln!(
            out,
            "<p class=\"partial\"><strong>Partial:</strong> the sweep was interrupted after {} of {} combinations; everything here covers only those.</p>",
            page.completed, page.total
        );
    }

    out.push_str("<section id=\"luck\">\n<h2>How much of the best result is luck?</h2>\n");
    match page.overfitting {
        Some(o) => {
            let _ = writeln!(out, "<p id=\"dsr\">{}</p>", escape_html(&dsr_sentence(o)));
            let _ = writeln!(out, "<p id=\"pbo\">{}</p>", escape_html(&pbo_sentence(o)));
        }
        None => out.push_str("<p class=\"empty\">Fewer than two combinations ran: nothing to compare.</p>\n"),
    }
    out.push_str("</section>\n");

    let _ = writeln!(out, "<section id=\"best\">\n<h2>Best {} combinations</h2>", page.top.len());
    out.push_str("<div class=\"scroll\"><table class=\"sortable\" id=\"top-table\">\n<thead><tr><th class=\"num\">Rank</th>");
    for name in page.names {
        let _ = write!(out, "<th class=\"num\">{}</th>", escape_html(name));
    }
    for (_, label, _) in TOP_COLUMNS {
        let _ = write!(out, "<th class=\"num\">{label}</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (rank, row) in page.top.iter().enumerate() {
        let _ = write!(out, "<tr><td class=\"num\">{}</td>", rank + 1);
        for v in &row.params {
            let _ = write!(out, "<td class=\"num\" data-v=\"{v}\">{v}</td>");
        }
        for (key, _, decimals) in TOP_COLUMNS {
            let _ = write!(out, "{}", num_cell(row.stats.number(key), decimals));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n</section>\n");

    sections::charts(&mut out, page.charts);

    out.push_str("<section id=\"search\">\n<h2>Search</h2>\n<ul>\n");
    for line in page.grid {
        let _ = writeln!(out, "<li>{}</li>", escape_html(line));
    }
    let _ = writeln!(out, "<li>{}</li>\n</ul>", escape_html(page.search));
    if let Some(o) = page.overfitting {
        let _ = writeln!(
            out,
            "<p class=\"meta\">Overfitting statistics use each run's bar-to-bar equity returns ({} per run); per-bar Sharpe variance across trials {}, best run's skewness {} and kurtosis {}.</p>",
            o.observations,
            number(o.sharpe_variance, 8),
            number(o.skew, 3),
            number(o.kurtosis, 3)
        );
    }
    out.push_str("</section>\n");
    page_end(&mut out, "results.parquet / results.csv");
    out
}
