//! The sections of the HTML report, each appended to the page as it is built.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use super::fmt::{escape_html, num_cell, number, short_time, text_num_cell};
use crate::metrics::format_time;
use crate::metrics::periods::{monthly_returns, worst_drawdowns, yearly_returns};
use crate::metrics::Stats;
use crate::report::charts::Chart;
use crate::report::{summary_rows, TradeRow};

/// How many drawdown periods the drawdown table lists.
const WORST_DRAWDOWNS: usize = 5;
/// How many decision rows the decision table shows at most (the latest ones).
const MAX_DECISION_ROWS: usize = 500;
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// A header row; numeric columns (`true`) are right-aligned.
fn head(out: &mut String, columns: &[(&str, bool)]) {
    out.push_str("<thead><tr>");
    for (label, numeric) in columns {
        let class = if *numeric { " class=\"num\"" } else { "" };
        let _ = write!(out, "<th{class}>{label}</th>");
    }
    out.push_str("</tr></thead>\n");
}

/// The headline statistics as cards.
pub fn headline(out: &mut String, s: &Stats) {
    let pct = |v: f64| if v.is_finite() { format!("{} %", number(v, 2)) } else { "-".to_string() };
    let days = |v: f64| if v.is_finite() { format!("{} days", number(v, 0)) } else { "-".to_string() };
    let cards = [
        ("Return", pct(s.return_pct), format!("Buy &amp; hold {}", pct(s.buy_hold_return_pct))),
        ("CAGR", pct(s.cagr_pct), format!("Volatility {}", pct(s.volatility_ann_pct))),
        ("Sharpe ratio", number(s.sharpe_ratio, 2), format!("Sortino {}", number(s.sortino_ratio, 2))),
        ("Max drawdown", pct(s.max_drawdown_pct), format!("Longest {}", days(s.max_drawdown_duration_days))),
        ("Trades", s.trades.to_string(), format!("Avg. trade {}", pct(s.avg_trade_pct))),
        ("Win rate", pct(s.win_rate_pct), format!("Profit factor {}", number(s.profit_factor, 2))),
    ];
    out.push_str("<section class=\"cards\" id=\"headline\">\n");
    for (label, value, sub) in cards {
        let class = if value.starts_with('-') && value.len() > 1 { "value neg" } else { "value" };
        let _ = writeln!(
            out,
            "<div class=\"card\"><div class=\"label\">{label}</div><div class=\"{class}\">{value}</div><div class=\"sub\">{sub}</div></div>"
        );
    }
    out.push_str("</section>\n");
}

/// Every statistic, as printed in the terminal, in two side-by-side tables.
pub fn statistics(out: &mut String, s: &Stats) {
    let rows = summary_rows(s);
    let half = rows.len().div_ceil(2);
    out.push_str("<section id=\"statistics\">\n<h2>Statistics</h2>\n<div class=\"grid2\">\n");
    for part in rows.chunks(half) {
        out.push_str("<table class=\"stats\"><tbody>\n");
        for (label, value) in part {
            let _ = writeln!(out, "<tr><td>{}</td>{}</tr>", escape_html(label), text_num_cell(value));
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("</div>\n</section>\n");
}

/// An SVG document made fit to sit inline in HTML, appended to `out`: without an XML
/// declaration or the namespace attributes of its root tag (HTML parsers supply the SVG
/// namespace themselves).
fn inline_svg(out: &mut String, svg: &str) {
    let mut svg = svg.trim();
    if svg.starts_with("<?xml") {
        svg = svg.split_once("?>").map_or(svg, |(_, rest)| rest.trim_start());
    }
    // Only the root tag is rewritten: the rest (most of a large chart) is copied as it is.
    let (root, body) = svg.split_at(svg.find('>').map_or(svg.len(), |end| end + 1));
    out.push_str(
        &root
            .replace(" xmlns=\"http://www.w3.org/2000/svg\"", "")
            .replace(" xmlns:xlink=\"http://www.w3.org/1999/xlink\"", ""),
    );
    out.push_str(body);
}

/// Every chart, inline.
pub fn charts(out: &mut String, charts: &[Chart]) {
    out.push_str("<section id=\"charts\">\n<h2>Charts</h2>\n");
    if charts.is_empty() {
        out.push_str("<p class=\"empty\">No charts.</p>\n");
    }
    out.push_str("<div class=\"charts\">\n");
    for chart in charts {
        let _ = writeln!(out, "<figure id=\"chart-{}\" aria-label=\"{}\">", escape_html(chart.id), escape_html(&chart.title));
        inline_svg(out, &chart.svg);
        out.push_str("\n</figure>\n");
    }
    out.push_str("</div>\n</section>\n");
}

/// The deepest drawdown periods.
pub fn drawdowns(out: &mut String, time: &[i64], equity: &[f64]) {
    let worst = worst_drawdowns(time, equity, WORST_DRAWDOWNS);
    let _ = writeln!(out, "<section id=\"drawdowns\">\n<h2>Worst {WORST_DRAWDOWNS} drawdowns</h2>");
    if worst.is_empty() {
        out.push_str("<p class=\"empty\">The equity never fell below a previous high.</p>\n</section>\n");
        return;
    }
    out.push_str("<div class=\"scroll\"><table class=\"sortable compact\">\n");
    head(
        out,
        &[
            ("#", true),
            ("Start (high)", false),
            ("Valley", false),
            ("Recovered", false),
            ("Depth [%]", true),
            ("Duration [days]", true),
        ],
    );
    out.push_str("<tbody>\n");
    for (k, d) in worst.iter().enumerate() {
        let end = d.end.map_or_else(|| "not recovered".to_string(), |t| short_time(&format_time(t)).to_string());
        let _ = writeln!(
            out,
            "<tr><td class=\"num\">{}</td><td class=\"time\">{}</td><td class=\"time\">{}</td><td class=\"time\">{}</td>{}{}</tr>",
            k + 1,
            short_time(&format_time(d.start)),
            short_time(&format_time(d.valley)),
            end,
            num_cell(Some(d.depth_pct), 2),
            num_cell(Some(d.days), 0),
        );
    }
    out.push_str("</tbody></table></div>\n</section>\n");
}

/// A cell of the returns table, coloured by the sign and size of the return relative to
/// `scale` (the largest absolute return of its kind: monthly or yearly).
fn heat_cell(v: Option<f64>, scale: f64, class: &str) -> String {
    let Some(v) = v.filter(|v| v.is_finite()) else {
        return format!("<td class=\"{class}\"></td>");
    };
    let text = number(v, 1);
    let strength = if scale > 0.0 { (v.abs() / scale).min(1.0) } else { 0.0 };
    let alpha = 0.06 + 0.5 * strength;
    let (rgb, neg) = if text.starts_with('-') { ("220,38,38", " neg") } else { ("22,163,74", "") };
    format!("<td class=\"{class}{neg}\" style=\"background:rgba({rgb},{alpha:.2})\" title=\"{v:.4} %\">{text}</td>")
}

/// The largest absolute finite value (0 when none).
fn largest_abs(values: impl Iterator<Item = f64>) -> f64 {
    values.filter(|v| v.is_finite()).fold(0.0, |m, v| m.max(v.abs()))
}

/// Monthly returns (years × months) with each year's return.
pub fn returns(out: &mut String, time: &[i64], equity: &[f64]) {
    let monthly: BTreeMap<(i32, u32), f64> =
        monthly_returns(time, equity).into_iter().filter_map(|p| Some(((p.year, p.month?), p.return_pct))).collect();
    let yearly = yearly_returns(time, equity);
    let scale = largest_abs(monthly.values().copied());
    let year_scale = largest_abs(yearly.iter().map(|y| y.return_pct));
    out.push_str("<section id=\"returns\">\n<h2>Monthly and yearly returns [%]</h2>\n");
    if yearly.is_empty() {
        out.push_str("<p class=\"empty\">No data.</p>\n</section>\n");
        return;
    }
    out.push_str("<div class=\"scroll\"><table class=\"heat\">\n<thead><tr><th>Year</th>");
    for m in MONTHS {
        let _ = write!(out, "<th>{m}</th>");
    }
    out.push_str("<th class=\"year\">Year</th></tr></thead>\n<tbody>\n");
    for y in &yearly {
        let _ = write!(out, "<tr><td>{}</td>", y.year);
        for month in 1..=12 {
            out.push_str(&heat_cell(monthly.get(&(y.year, month)).copied(), scale, "num"));
        }
        out.push_str(&heat_cell(Some(y.return_pct), year_scale, "num year"));
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n</section>\n");
}

/// A long/short/flat/hold label.
fn badge(text: &str) -> String {
    let class = match text {
        "long" | "short" | "open" => text,
        _ => "",
    };
    format!("<span class=\"badge {class}\">{}</span>", escape_html(text))
}

/// Every trade, sortable. The SL, TP and tag columns are shown only when some trade has one;
/// an open trade shows `open` as its exit time.
pub fn trades(out: &mut String, trades: &[TradeRow]) {
    let open = trades.iter().filter(|t| t.exit_time.is_none()).count();
    let _ = match open {
        0 => writeln!(out, "<section id=\"trades\">\n<h2>Trades ({})</h2>", trades.len()),
        _ => writeln!(out, "<section id=\"trades\">\n<h2>Trades ({} closed, {open} open)</h2>", trades.len() - open),
    };
    if trades.is_empty() {
        out.push_str("<p class=\"empty\">No trades.</p>\n</section>\n");
        return;
    }
    let with_sl = trades.iter().any(|t| t.sl.is_some());
    let with_tp = trades.iter().any(|t| t.tp.is_some());
    let with_tag = trades.iter().any(|t| t.tag.as_deref().is_some_and(|tag| !tag.is_empty()));
    out.push_str("<p class=\"note\">Click a column header to sort. Open trades are marked at the last close.</p>\n");
    out.push_str("<div class=\"scroll tall\"><table class=\"sortable\" id=\"trade-table\">\n");
    let mut columns = vec![
        ("#", true),
        ("Side", false),
        ("Size", true),
        ("Entry time", false),
        ("Exit time", false),
        ("Entry price", true),
        ("Exit price", true),
    ];
    if with_sl {
        columns.push(("SL", true));
    }
    if with_tp {
        columns.push(("TP", true));
    }
    columns.extend([("PnL [$]", true), ("Return [%]", true), ("Commission [$]", true), ("Days", true)]);
    if with_tag {
        columns.push(("Tag", false));
    }
    head(out, &columns);
    out.push_str("<tbody>\n");
    for (k, t) in trades.iter().enumerate() {
        let side = if t.size < 0.0 { "short" } else { "long" };
        let exit = match &t.exit_time {
            Some(time) => format!("<td class=\"time\">{}</td>", escape_html(short_time(time))),
            None => format!("<td class=\"time\" data-v=\"\">{}</td>", badge(&t.status)),
        };
        let size_decimals = if t.size.fract() == 0.0 { 0 } else { 4 };
        let _ = write!(
            out,
            "<tr><td class=\"num\">{}</td><td>{}</td>{}<td class=\"time\">{}</td>{exit}{}{}",
            k + 1,
            badge(side),
            num_cell(Some(t.size), size_decimals),
            escape_html(short_time(&t.entry_time)),
            num_cell(Some(t.entry_price), 2),
            num_cell(t.exit_price, 2),
        );
        if with_sl {
            out.push_str(&num_cell(t.sl, 2));
        }
        if with_tp {
            out.push_str(&num_cell(t.tp, 2));
        }
        let _ = write!(
            out,
            "{}{}{}{}",
            num_cell(Some(t.pnl), 2),
            num_cell(Some(t.return_pct), 2),
            num_cell(Some(t.commission), 2),
            num_cell(Some(t.duration_days), if t.duration_days.fract() == 0.0 { 0 } else { 2 }),
        );
        if with_tag {
            let _ = write!(out, "<td class=\"text\">{}</td>", escape_html(t.tag.as_deref().unwrap_or("")));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n</section>\n");
}

/// The text of a JSON value: strings as they are, anything else as JSON.
fn json_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

/// The strings of a JSON array (a lone value as one item; nothing when absent).
fn json_items(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => items.iter().map(json_text).collect(),
        Some(Value::Null) | None => Vec::new(),
        Some(v) => vec![json_text(v)],
    }
}

/// Items as lines of a cell.
fn lines(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => escape_html(one),
        _ => format!("<ul>{}</ul>", items.iter().map(|i| format!("<li>{}</li>", escape_html(i))).collect::<String>()),
    }
}

/// The explanations of a decision, as `output: text` items.
fn explanations(d: &Value) -> Vec<String> {
    d.get("explanations")
        .and_then(Value::as_object)
        .map(|e| e.iter().map(|(k, v)| format!("{k}: {}", json_text(v))).collect())
        .unwrap_or_default()
}

/// Whether something happened at a decision: a position change or a risk note.
fn eventful(d: &Value) -> bool {
    let decided = d.get("decision").and_then(Value::as_str).is_some_and(|s| s != "hold");
    decided || !json_items(d.get("risk")).is_empty()
}

/// The decisions where something happened (the latest [`MAX_DECISION_ROWS`]). The risk
/// and explanation columns are shown only when some row has one.
pub fn decisions(out: &mut String, decisions: &[Value]) {
    let rows: Vec<&Value> = decisions.iter().filter(|d| eventful(d)).collect();
    let shown = &rows[rows.len().saturating_sub(MAX_DECISION_ROWS)..];
    let with_risk = shown.iter().any(|d| !json_items(d.get("risk")).is_empty());
    let with_explanations = shown.iter().any(|d| !explanations(d).is_empty());
    out.push_str("<section id=\"decisions\">\n<h2>Decisions</h2>\n");
    let _ = write!(
        out,
        "<p class=\"note\">{} of {} decisions changed the wanted position or were changed by the risk stage",
        rows.len(),
        decisions.len()
    );
    if shown.len() < rows.len() {
        let _ = write!(out, "; only the last {} are shown (all are in <code>decisions.jsonl</code>)", shown.len());
    }
    out.push_str(".</p>\n");
    if shown.is_empty() {
        out.push_str("</section>\n");
        return;
    }
    out.push_str("<div class=\"scroll tall\"><table class=\"sortable\" id=\"decision-table\">\n");
    let mut columns = vec![
        ("Time", false),
        ("Close", true),
        ("Position", true),
        ("Proposal", false),
        ("Reason", false),
        ("Decision", false),
    ];
    if with_risk {
        columns.push(("Risk", false));
    }
    columns.push(("Orders", false));
    if with_explanations {
        columns.push(("Explanations", false));
    }
    head(out, &columns);
    out.push_str("<tbody>\n");
    let text = |d: &Value, key: &str| d.get(key).map(json_text).unwrap_or_default();
    for d in shown {
        let position = d.get("position").and_then(Value::as_f64);
        let position_decimals = if position.is_some_and(|p| p.fract() != 0.0) { 4 } else { 0 };
        let _ = write!(
            out,
            "<tr><td class=\"time\">{}</td>{}{}<td>{}</td><td>{}</td><td>{}</td>",
            escape_html(short_time(&text(d, "time"))),
            num_cell(d.get("close").and_then(Value::as_f64), 2),
            num_cell(position, position_decimals),
            badge(&text(d, "proposal")),
            escape_html(&text(d, "reason")),
            badge(&text(d, "decision")),
        );
        if with_risk {
            let _ = write!(out, "<td class=\"text\">{}</td>", lines(&json_items(d.get("risk"))));
        }
        let _ = write!(out, "<td class=\"orders\">{}</td>", lines(&json_items(d.get("orders"))));
        if with_explanations {
            let _ = write!(out, "<td class=\"text\">{}</td>", lines(&explanations(d)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n</section>\n");
}

/// The resolved strategy as stored in `config.toml`, table headers highlighted.
pub fn config(out: &mut String, config: &str) {
    out.push_str("<section id=\"config\">\n<h2>Strategy config</h2>\n");
    out.push_str("<p class=\"note\">The resolved strategy (<code>config.toml</code>): <code>tradeorch backtest --strategy config.toml</code> repeats the run.</p>\n<pre>");
    for line in config.trim_end().lines() {
        if line.trim_start().starts_with('[') {
            let _ = writeln!(out, "<span class=\"h\">{}</span>", escape_html(line));
        } else {
            let _ = writeln!(out, "{}", escape_html(line));
        }
    }
    out.push_str("</pre>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_svg_drops_the_declaration_and_namespaces() {
        let svg = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"0 0 1 1\"></svg>\n";
        let mut out = String::new();
        inline_svg(&mut out, svg);
        assert_eq!(out, "<svg viewBox=\"0 0 1 1\"></svg>");
    }

    #[test]
    fn only_eventful_decisions_are_listed() {
        let hold: Value = serde_json::json!({"decision": "hold", "time": "t0"});
        let risky: Value = serde_json::json!({"decision": "hold", "risk": ["kill-switch <x>"], "time": "t1"});
        let long: Value =
            serde_json::json!({"decision": "long", "reason": "entry_long", "orders": ["buy", "<b>"], "time": "t2"});
        let mut out = String::new();
        decisions(&mut out, &[hold, risky, long]);
        assert!(out.contains("2 of 3 decisions"));
        assert!(!out.contains(">t0<") && out.contains(">t1<") && out.contains(">t2<"));
        assert!(out.contains("kill-switch &lt;x&gt;") && out.contains("<li>&lt;b&gt;</li>"));
    }

    #[test]
    fn decision_rows_are_limited_to_the_latest() {
        let all: Vec<Value> = (0..MAX_DECISION_ROWS + 7)
            .map(|k| serde_json::json!({"decision": "long", "time": format!("t{k}")}))
            .collect();
        let mut out = String::new();
        decisions(&mut out, &all);
        assert_eq!(out.matches("<tr>").count(), MAX_DECISION_ROWS + 1);
        assert!(out.contains("only the last 500 are shown"));
        assert!(!out.contains(">t6<") && out.contains(">t7<"));
    }
}
