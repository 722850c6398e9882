//! Bar charts: yearly returns and the histogram of daily returns.

use plotters::coord::ranged1d::Ranged;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::Axis;
use super::data::ChartData;
use super::style::{self, Area, DrawResult, Labels, ACCENT, BACKGROUND, GAIN, LOSS, STRATEGY, TOO_FEW_BARS};

/// Most year labels on the yearly chart; beyond, every k-th year is labelled.
const MAX_YEAR_LABELS: usize = 25;

/// One bar per calendar year, green for gains and red for losses, with its value.
pub(super) fn yearly<DB: DrawingBackend>(area: &Area<DB>, d: &ChartData) -> DrawResult<DB> {
    if d.x.len() < 2 || d.yearly.is_empty() {
        return style::note(area, TOO_FEW_BARS);
    }
    let n = d.yearly.len();
    let every = n.div_ceil(MAX_YEAR_LABELS);
    let x = Axis::with_ticks(-0.6..n as f64 - 0.4, (0..n).step_by(every).map(|i| i as f64).collect());
    let returns = || d.yearly.iter().map(|p| p.return_pct);
    let lo = returns().fold(0.0, f64::min);
    let hi = returns().fold(0.0, f64::max);
    // Room for the value labels above and below the bars.
    let pad = ((hi - lo) * 0.12).max(1.0);
    let y = Axis::linear(if lo < 0.0 { lo - pad } else { 0.0 }..hi + pad, 8);
    let x_label = |v: &f64| d.yearly.get(v.round() as usize).map_or_else(String::new, |p| p.year.to_string());
    let y_label = |v: &f64| y.label(*v);
    let labels = Labels { x: &x_label, y: &y_label, x_desc: "", y_desc: "Return [%]" };
    let mut chart = style::frame(area, x, y.clone(), &labels)?;
    chart.draw_series(d.yearly.iter().enumerate().map(|(i, p)| {
        let colour = if p.return_pct >= 0.0 { GAIN } else { LOSS };
        Rectangle::new([(i as f64 - 0.35, 0.0), (i as f64 + 0.35, p.return_pct)], colour.filled())
    }))?;
    style::hline(&mut chart, 0.0)?;
    let gap = (y.range().end - y.range().start) * 0.01;
    chart.draw_series(d.yearly.iter().enumerate().map(|(i, p)| value_label(i as f64, p.return_pct, gap)))?;
    Ok(())
}

/// The value of a bar, `gap` (in values) above it (gains) or below it (losses).
fn value_label(x: f64, value: f64, gap: f64) -> Text<'static, (f64, f64), String> {
    let (v_pos, y) = if value >= 0.0 { (VPos::Bottom, value + gap) } else { (VPos::Top, value - gap) };
    Text::new(format!("{value:+.1} %"), (x, y), style::text(13).pos(Pos::new(HPos::Center, v_pos)))
}

/// A histogram of the per-bar equity returns, with their mean marked.
pub(super) fn distribution<DB: DrawingBackend>(area: &Area<DB>, d: &ChartData) -> DrawResult<DB> {
    let returns: Vec<f64> = d.returns_pct.iter().copied().filter(|r| r.is_finite()).collect();
    let Some(range) = style::padded_range(returns.iter().copied(), 0.0).filter(|_| returns.len() >= 2) else {
        return style::note(area, "Not enough bars to draw (fewer than 3)");
    };
    if returns.iter().all(|&r| r == returns[0]) {
        return style::note(area, &format!("Every return is {:.2} % (flat equity)", returns[0]));
    }
    let bins = ((returns.len() as f64).sqrt().ceil() as usize).clamp(10, 80);
    let width = (range.end - range.start) / bins as f64;
    let counts = bin_counts(&returns, range.start, width, bins);
    let mean = returns.iter().sum::<f64>() / returns.len() as f64;
    let top = *counts.iter().max().unwrap_or(&1) as f64 * 1.1;
    let x = Axis::linear(range.start - width..range.end + width, 10);
    let y = Axis::linear(0.0..top, 6);
    let x_label = |v: &f64| x.label(*v);
    let y_label = |v: &f64| y.label(*v);
    let labels = Labels { x: &x_label, y: &y_label, x_desc: "Return per bar [%]", y_desc: "Bars" };
    let mut chart = style::frame(area, x.clone(), y.clone(), &labels)?;
    chart.draw_series(counts.iter().enumerate().flat_map(|(i, &c)| {
        let corners = [(range.start + i as f64 * width, 0.0), (range.start + (i + 1) as f64 * width, c as f64)];
        [Rectangle::new(corners, STRATEGY.mix(0.75).filled()), Rectangle::new(corners, BACKGROUND.stroke_width(1))]
    }))?;
    chart
        .draw_series(LineSeries::new([(mean, 0.0), (mean, top)], ACCENT.stroke_width(2)))?
        .label(format!("Mean {mean:.3} %"))
        .legend(style::line_sample(ACCENT));
    chart
        .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())?
        .label(format!("{} bars", returns.len()))
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], STRATEGY.mix(0.75).filled()));
    style::legend(&mut chart)
}

/// How many `values` fall in each of `bins` bins of `width` from `lo` (the last bin also takes
/// its upper edge).
fn bin_counts(values: &[f64], lo: f64, width: f64, bins: usize) -> Vec<usize> {
    let mut counts = vec![0; bins];
    for v in values {
        counts[(((v - lo) / width) as usize).min(bins - 1)] += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_fall_in_their_bins_and_the_top_edge_in_the_last() {
        assert_eq!(bin_counts(&[0.0, 0.5, 1.0, 1.9, 2.0], 0.0, 1.0, 2), vec![2, 3]);
    }
}
