//! Charts: every chart of a run is written as a non-blank PNG of the right size and as an
//! SVG with its title, for real runs and degenerate ones.

use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Instant;

use tradeorch::commands::{self, BacktestOptions, DataChoice};
use tradeorch::report::charts::{render_svg, write_charts, ChartOptions};
use tradeorch::report::RunRecord;

const IDS: [&str; 7] =
    ["equity", "drawdown", "monthly_heatmap", "yearly_returns", "returns_distribution", "rolling_sharpe", "price_trades"];

/// Runs `sma_cross` on the embedded GOOG data (optionally a date range) into `dir/run` and
/// loads the run folder back.
fn run(dir: &Path, range: Option<(&str, &str)>) -> RunRecord {
    let data = match range {
        Some((from, to)) => DataChoice { from: Some(from.into()), to: Some(to.into()), ..Default::default() },
        None => DataChoice::default(),
    };
    let out = dir.join("run");
    let opts = BacktestOptions { strategy: Some("sma_cross".into()), data, out: Some(out.clone()), ..Default::default() };
    commands::backtest(&opts).unwrap();
    RunRecord::load(&out).unwrap()
}

/// A decoded PNG: width, height and RGBA pixels.
struct Image {
    width: u32,
    height: u32,
    rgba: Vec<[u8; 4]>,
}

fn decode_png(path: &Path) -> Image {
    let bytes = std::fs::read(path).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{}: no PNG signature", path.display());
    let mut reader = png::Decoder::new(File::open(path).unwrap()).read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let rgba = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|p| match channels {
            3 => [p[0], p[1], p[2], 255],
            4 => [p[0], p[1], p[2], p[3]],
            _ => panic!("{}: unexpected colour type {:?}", path.display(), info.color_type),
        })
        .collect();
    Image { width: info.width, height: info.height, rgba }
}

/// Asserts the PNG is 1000 × 500 pixels (the heatmap may be taller), and is not blank: many
/// colours, and a share of pixels that are not the white background of at least `min_ink`.
fn check_png(path: &Path, min_ink: f64) {
    let img = decode_png(path);
    assert_eq!(img.width, 1000, "{}", path.display());
    if path.ends_with("monthly_heatmap.png") {
        assert!(img.height >= 500, "{}: height {}", path.display(), img.height);
    } else {
        assert_eq!(img.height, 500, "{}", path.display());
    }
    let colours: HashSet<[u8; 4]> = img.rgba.iter().copied().collect();
    assert!(colours.len() > 20, "{}: only {} colours", path.display(), colours.len());
    let ink = img.rgba.iter().filter(|p| p[..3] != [255, 255, 255]).count() as f64 / img.rgba.len() as f64;
    assert!(ink >= min_ink, "{}: only {:.2} % non-background pixels", path.display(), ink * 100.0);
}

/// Asserts the SVG document has the title and drawn shapes.
fn check_svg(path: &Path, title: &str) {
    let svg = std::fs::read_to_string(path).unwrap();
    check_svg_text(&svg, title, path);
}

fn check_svg_text(svg: &str, title: &str, what: &Path) {
    assert!(svg.trim_start().starts_with("<svg"), "{}: not an SVG document", what.display());
    assert!(svg.trim_end().ends_with("</svg>"), "{}: unterminated", what.display());
    assert!(svg.contains(title), "{}: no title {title:?}", what.display());
    let shapes = ["<path", "<polyline", "<rect", "<polygon", "<line"].iter().map(|t| svg.matches(t).count()).sum::<usize>();
    assert!(shapes > 5, "{}: only {shapes} shapes", what.display());
}

/// The titles of the charts, by id.
fn titles(record: &RunRecord, opts: &ChartOptions) -> Vec<(&'static str, String)> {
    render_svg(record, opts).unwrap().into_iter().map(|c| (c.id, c.title)).collect()
}

fn written(dir: &Path) -> Vec<PathBuf> {
    IDS.iter().flat_map(|id| [dir.join(format!("{id}.png")), dir.join(format!("{id}.svg"))]).collect()
}

#[test]
fn every_chart_of_a_run_is_drawn() {
    let tmp = tempfile::tempdir().unwrap();
    let record = run(tmp.path(), None);
    assert!(!record.trades.is_empty());
    let dir = tmp.path().join("charts");
    let opts = ChartOptions::default();
    let start = Instant::now();
    let paths = write_charts(&record, &dir, &opts).unwrap();
    eprintln!("write_charts: {} bars, {} files in {:?}", record.equity.len(), paths.len(), start.elapsed());
    assert_eq!(paths, written(&dir));
    let titles = titles(&record, &opts);
    assert_eq!(titles.iter().map(|t| t.0).collect::<Vec<_>>(), IDS);
    for (id, title) in &titles {
        check_png(&dir.join(format!("{id}.png")), 0.03);
        check_svg(&dir.join(format!("{id}.svg")), title);
    }
}

#[test]
fn log_scale_changes_only_the_equity_chart() {
    let tmp = tempfile::tempdir().unwrap();
    let record = run(tmp.path(), Some(("2006-01-01", "2009-12-31")));
    let linear = render_svg(&record, &ChartOptions::default()).unwrap();
    let log = render_svg(&record, &ChartOptions { log_scale: true }).unwrap();
    for (a, b) in linear.iter().zip(&log) {
        assert_eq!(a.id, b.id);
        assert_eq!(a.svg == b.svg, a.id != "equity", "{}", a.id);
        check_svg_text(&b.svg, &b.title, Path::new(b.id));
    }
    assert!(log[0].title.contains("log"));
}

#[test]
fn a_run_without_trades_still_gets_every_chart() {
    let tmp = tempfile::tempdir().unwrap();
    // Three weeks: no SMA crossing yet, so no trade and a flat equity.
    let record = run(tmp.path(), Some(("2004-08-19", "2004-09-10")));
    assert!(record.trades.is_empty());
    let dir = tmp.path().join("charts");
    assert_eq!(write_charts(&record, &dir, &ChartOptions { log_scale: true }).unwrap(), written(&dir));
    for (id, title) in titles(&record, &ChartOptions { log_scale: true }) {
        // Charts with nothing to show hold only their title and a note.
        check_png(&dir.join(format!("{id}.png")), 0.001);
        let svg = std::fs::read_to_string(dir.join(format!("{id}.svg"))).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains(&title), "{id}");
    }
    let trades = std::fs::read_to_string(dir.join("price_trades.svg")).unwrap();
    assert!(trades.contains("No trades"));
    let drawdown = std::fs::read_to_string(dir.join("drawdown.svg")).unwrap();
    assert!(drawdown.contains("No drawdown"));
}

#[test]
fn runs_of_one_bar_or_flat_equity_do_not_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let mut record = run(tmp.path(), Some(("2006-01-01", "2006-12-31")));
    let mut flat = record.clone();
    for row in &mut flat.equity {
        row.equity = 10_000.0;
        row.drawdown_pct = 0.0;
    }
    render_svg(&flat, &ChartOptions { log_scale: true }).unwrap();
    write_charts(&flat, &tmp.path().join("flat"), &ChartOptions::default()).unwrap();
    record.equity.truncate(1);
    record.trades.clear();
    let charts = render_svg(&record, &ChartOptions::default()).unwrap();
    assert!(charts.iter().all(|c| c.svg.contains("Not enough bars")), "one bar: every chart says why it is empty");
    write_charts(&record, &tmp.path().join("one"), &ChartOptions::default()).unwrap();
    record.equity.clear();
    write_charts(&record, &tmp.path().join("none"), &ChartOptions::default()).unwrap();
}

