//! The HTML report: every section, self-contained, escaped, deterministic.

use std::path::Path;

use tradeorch::commands::{self, BacktestOptions};
use tradeorch::report::charts::{render_svg, ChartOptions};
use tradeorch::report::{render_html, write_report, RunRecord};

/// Runs `strategy` (on the embedded GOOG data, optionally limited to `from..=to`) into
/// `dir` and loads the run folder back.
fn run(dir: &Path, strategy: &str, range: Option<(&str, &str)>) -> RunRecord {
    let mut opts =
        BacktestOptions { strategy: Some(strategy.into()), out: Some(dir.to_path_buf()), ..Default::default() };
    if let Some((from, to)) = range {
        opts.data.from = Some(from.into());
        opts.data.to = Some(to.into());
    }
    commands::backtest(&opts).unwrap();
    RunRecord::load(dir).unwrap()
}

/// The text of the section with id `id`.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no section {id}"));
    let end = start + html[start..].find("</section>").unwrap();
    &html[start..end]
}

/// Every value of attribute `attr` in `html`.
fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let pattern = format!(" {attr}=\"");
    html.match_indices(&pattern)
        .map(|(k, _)| {
            let value = &html[k + pattern.len()..];
            &value[..value.find('"').unwrap()]
        })
        .collect()
}

#[test]
fn the_report_has_every_section_and_loads_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let record = run(&tmp.path().join("run"), "sma_cross", None);
    let charts = render_svg(&record, &ChartOptions::default()).unwrap();
    assert!(!charts.is_empty());
    let html = render_html(&record, &charts);

    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.trim_end().ends_with("</html>"));
    for id in ["headline", "statistics", "charts", "drawdowns", "returns", "trades", "decisions", "config"] {
        assert!(html.contains(&format!("<section id=\"{id}\"")) || html.contains(&format!("id=\"{id}\">")), "{id}");
    }
    // Header: name, description and period from the config and statistics.
    assert!(html.contains("<h1>sma_cross</h1>"));
    assert!(html.contains("Long/short SMA crossover"));
    assert!(html.contains("Period 2004-08-19 – 2013-03-01"));
    // Headline cards and the full statistics table.
    let headline = section(&html, "headline");
    for label in ["Return", "CAGR", "Sharpe ratio", "Max drawdown", "Trades", "Win rate"] {
        assert!(headline.contains(&format!("<div class=\"label\">{label}</div>")), "{label}");
    }
    assert!(headline.contains(&format!("<div class=\"value\">{}</div>", record.stats.trades)));
    let stats = section(&html, "statistics");
    for (label, value) in tradeorch::report::summary_rows(&record.stats) {
        assert!(stats.contains(&format!("<td>{}</td>", label.replace('&', "&amp;"))), "{label}");
        assert!(stats.contains(&format!(">{value}</td>")), "{label} {value}");
    }
    // Every chart, inline, without namespace URLs.
    let chart_section = section(&html, "charts");
    assert_eq!(chart_section.matches("<svg").count(), charts.len());
    for chart in &charts {
        assert!(chart_section.contains(&format!("id=\"chart-{}\"", chart.id)), "{}", chart.id);
    }
    // The worst drawdowns, deepest first, the deepest one the maximum drawdown.
    let drawdowns = section(&html, "drawdowns");
    assert_eq!(drawdowns.matches("<tr>").count(), 1 + 5);
    assert!(drawdowns.contains(&format!(">{:.2}</td>", record.stats.max_drawdown_pct)));
    // Monthly returns: a row per year 2004..=2013.
    let returns = section(&html, "returns");
    assert_eq!(returns.matches("<tr>").count(), 1 + 10);
    assert!(returns.contains("<tr><td>2004</td>") && returns.contains("<tr><td>2013</td>"));
    // A row per trade, sortable; the last one is open.
    let trades = section(&html, "trades");
    assert!(trades.contains(&format!("Trades ({} closed, 1 open)", record.trades.len() - 1)));
    assert_eq!(trades.matches("<tr>").count(), 1 + record.trades.len());
    assert!(trades.contains("class=\"sortable\""));
    assert!(trades.contains("<span class=\"badge open\">open</span>"));
    // No trade has a stop-loss, take-profit or tag: no such columns.
    assert!(!trades.contains(">SL<") && !trades.contains(">TP<") && !trades.contains(">Tag<"));
    // Decisions: only those where something happened (one per trade entry here).
    let decisions = section(&html, "decisions");
    let eventful = record.decisions.iter().filter(|d| d["decision"] != "hold").count();
    assert!(eventful > 0 && eventful < record.decisions.len());
    assert_eq!(decisions.matches("<tr>").count(), 1 + eventful);
    assert!(decisions.contains("entry_long") && decisions.contains("entry_short"));
    // The config, as written.
    assert!(section(&html, "config").contains("<span class=\"h\">[execution]</span>"));

    // Self-contained: nothing refers to anything outside the page.
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(!html.contains("src=") && !html.contains("url(") && !html.contains("@import"));
    assert!(attribute_values(&html, "href").iter().all(|h| h.starts_with('#')));
    assert_eq!(html.matches("<script").count(), 1);
    assert!(!html.contains("<link") && !html.contains("<img") && !html.contains("<iframe"));

    // Deterministic.
    assert_eq!(html, render_html(&record, &render_svg(&record, &ChartOptions::default()).unwrap()));
}

#[test]
fn write_report_writes_the_html_and_the_charts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    // ensemble_vote's drawdown kill-switch leaves risk notes in the audit trail.
    let record = run(&dir, "ensemble_vote", None);
    let opts = ChartOptions { log_scale: true };
    write_report(&record, &dir, &opts).unwrap();
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let charts = render_svg(&record, &opts).unwrap();
    assert_eq!(html, render_html(&record, &charts));
    for chart in &charts {
        assert!(dir.join("charts").join(format!("{}.svg", chart.id)).is_file(), "{}", chart.id);
        assert!(dir.join("charts").join(format!("{}.png", chart.id)).is_file(), "{}", chart.id);
    }
    assert!(html.contains("<h1>ensemble_vote</h1>"));
    let decisions = section(&html, "decisions");
    assert!(decisions.contains("<th>Risk</th>"));
    let noted = record.decisions.iter().filter(|d| d.get("risk").is_some()).count();
    assert!(noted > 0 && decisions.matches("<tr>").count() > noted);
}

#[test]
fn stop_loss_and_take_profit_columns_appear_when_used() {
    let tmp = tempfile::tempdir().unwrap();
    let record = run(&tmp.path().join("run"), "bollinger_breakout", None);
    assert!(record.trades.iter().any(|t| t.sl.is_some()));
    let trades = section(&render_html(&record, &[]), "trades").to_string();
    assert!(trades.contains("<th class=\"num\">SL</th>"));
    let sl = record.trades.iter().find_map(|t| t.sl).unwrap();
    assert!(trades.contains(&format!("data-v=\"{sl}\">{sl:.2}</td>")));
}

#[test]
fn a_run_without_trades_renders_its_empty_sections() {
    let tmp = tempfile::tempdir().unwrap();
    let record = run(&tmp.path().join("run"), "sma_cross", Some(("2004-08-19", "2004-09-10")));
    assert_eq!(record.stats.trades, 0);
    let charts = render_svg(&record, &ChartOptions::default()).unwrap();
    let html = render_html(&record, &charts);
    assert!(section(&html, "trades").contains("No trades."));
    assert!(section(&html, "decisions").contains("0 of"));
    // Undefined statistics show as "-".
    assert!(section(&html, "headline").contains("<div class=\"label\">Win rate</div><div class=\"value\">-</div>"));
    assert!(section(&html, "statistics").contains("<td>SQN</td><td class=\"num\">-</td>"));
}

#[test]
fn text_from_user_files_is_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let mut record = run(&tmp.path().join("run"), "sma_cross", None);
    let script = "<script>alert(1)</script>";
    record.name = format!("run{script}");
    record.config = record
        .config
        .replacen("name = \"sma_cross\"", "name = \"x<script>alert(1)</script>\"", 1)
        .replacen("description = \"", "description = \"<img src=x onerror=alert(2)> \\\"quoted\\\" 'single' & ", 1);
    record.config.push_str("# <script>alert(5)</script>\n");
    record.trades[0].tag = Some(script.into());
    let decision = record.decisions.iter_mut().find(|d| d["decision"] != "hold").unwrap();
    decision["reason"] = script.into();
    decision["risk"] = serde_json::json!([script]);
    decision["orders"] = serde_json::json!([script, "<b>buy</b>"]);
    decision["explanations"] = serde_json::json!({ "view": "<script>alert(6)</script>" });
    let html = render_html(&record, &[]);

    assert!(!html.contains("<script>alert"), "raw script in the page");
    assert!(!html.contains("<img") && !html.contains("<b>buy"));
    assert!(html.contains("<h1>x&lt;script&gt;alert(1)&lt;/script&gt;</h1>"));
    assert!(html.contains("<title>x&lt;script&gt;alert(1)&lt;/script&gt; — tradeorch report</title>"));
    assert!(html.contains("&lt;img src=x onerror=alert(2)&gt; &quot;quoted&quot; &#39;single&#39; &amp; "));
    assert!(html.contains("# &lt;script&gt;alert(5)&lt;/script&gt;"));
    assert!(html.contains("view: &lt;script&gt;alert(6)&lt;/script&gt;"));
    assert!(html.contains("&lt;b&gt;buy&lt;/b&gt;"));
    // Tag, reason, risk note, order: each escaped.
    assert!(html.matches("&lt;script&gt;alert(1)&lt;/script&gt;").count() >= 6);
    // The one script is the table sorter.
    assert_eq!(html.matches("<script").count(), 1);
}
