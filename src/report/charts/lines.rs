//! Line charts over time: equity vs buy and hold, drawdown, rolling Sharpe and volatility.

use plotters::prelude::*;

use super::axis::{Axis, TimeAxis};
use super::data::{ChartData, ROLLING_WINDOW};
use super::style::{self, Area, DrawResult, Labels, ACCENT, ASSET, LOSS, STRATEGY, TOO_FEW_BARS};

/// Most ticks on a value axis.
pub(super) const MAX_VALUE_TICKS: usize = 8;

/// Draws a chart over time of value axis `y`, then `series` on it.
pub(super) fn time_chart<'a, DB: DrawingBackend + 'a>(
    area: &'a Area<DB>,
    time: &TimeAxis,
    y: Axis,
    y_desc: &str,
    series: impl FnOnce(&mut style::Plot<'a, DB>) -> DrawResult<DB>,
) -> DrawResult<DB> {
    let x_label = |v: &f64| time.label(*v);
    let y_label = |v: &f64| y.label(*v);
    let labels = Labels { x: &x_label, y: &y_label, x_desc: "", y_desc };
    let mut chart = style::frame(area, time.axis.clone(), y.clone(), &labels)?;
    series(&mut chart)
}

/// The strategy's equity and buy and hold, on a log axis when `log` (and every value is
/// positive).
pub(super) fn equity<DB: DrawingBackend>(area: &Area<DB>, d: &ChartData, log: bool, line: u32) -> DrawResult<DB> {
    let values = || d.equity.iter().chain(&d.buy_hold).copied();
    let Some(range) = style::padded_range(values(), 0.04).filter(|_| d.x.len() >= 2) else {
        return style::note(area, TOO_FEW_BARS);
    };
    let (lo, hi) = values().filter(|v| v.is_finite()).fold((f64::INFINITY, 0.0), |(lo, hi), v| (v.min(lo), v.max(hi)));
    let y = if log && lo > 0.0 {
        Axis::log(lo / 1.05..hi * 1.05, MAX_VALUE_TICKS)
    } else {
        Axis::linear(range, MAX_VALUE_TICKS)
    };
    time_chart(area, &TimeAxis::new(&d.x), y, "Equity", |chart| {
        let points = |v: &[f64]| d.x.iter().copied().zip(v.iter().copied()).collect::<Vec<_>>();
        chart
            .draw_series(LineSeries::new(points(&d.buy_hold), ASSET.stroke_width(line)))?
            .label("Buy and hold")
            .legend(style::line_sample(ASSET));
        chart
            .draw_series(LineSeries::new(points(&d.equity), STRATEGY.stroke_width(line)))?
            .label("Strategy")
            .legend(style::line_sample(STRATEGY));
        style::legend(chart)
    })
}

/// The drawdown from the running peak, as a filled area below zero.
pub(super) fn drawdown<DB: DrawingBackend>(area: &Area<DB>, d: &ChartData, line: u32) -> DrawResult<DB> {
    if d.x.len() < 2 {
        return style::note(area, TOO_FEW_BARS);
    }
    let worst = d.drawdown_pct.iter().copied().filter(|v| v.is_finite()).fold(0.0, f64::min);
    if worst == 0.0 {
        return style::note(area, "No drawdown: the equity never fell below its peak");
    }
    let y = Axis::linear(worst * 1.08..-worst * 0.03, MAX_VALUE_TICKS);
    time_chart(area, &TimeAxis::new(&d.x), y, "Drawdown [%]", |chart| {
        let points = d.x.iter().copied().zip(d.drawdown_pct.iter().copied());
        chart
            .draw_series(AreaSeries::new(points, 0.0, LOSS.mix(0.3)).border_style(LOSS.stroke_width(line.div_ceil(2))))?
            .label(format!("Drawdown (deepest {worst:.1} %)"))
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], LOSS.mix(0.3).filled()));
        style::legend(chart)
    })
}

/// Rolling Sharpe ratio (top panel) and volatility (bottom panel).
pub(super) fn rolling<DB: DrawingBackend>(area: &Area<DB>, d: &ChartData, line: u32) -> DrawResult<DB> {
    if d.rolling_vol_pct.is_empty() {
        return style::note(area, &format!("Not enough bars for a {ROLLING_WINDOW}-bar window"));
    }
    let time = TimeAxis::new(&d.x);
    let (top, bottom) = area.split_vertically(area.dim_in_pixel().1 / 2);
    if d.rolling_sharpe.is_empty() {
        style::note(&top, "No Sharpe ratio: the equity never moved within a window")?;
    } else {
        panel(&top, &time, &d.rolling_sharpe, STRATEGY.stroke_width(line), "Sharpe (annualised)")?;
    }
    panel(&bottom, &time, &d.rolling_vol_pct, ACCENT.stroke_width(line), "Volatility [%, ann.]")
}

/// One panel of the rolling chart: `points` as a line, with a zero line when in range.
fn panel<DB: DrawingBackend>(
    area: &Area<DB>,
    time: &TimeAxis,
    points: &[(f64, f64)],
    pen: ShapeStyle,
    y_desc: &str,
) -> DrawResult<DB> {
    let range = style::padded_range(points.iter().map(|p| p.1), 0.05).unwrap_or(-1.0..1.0);
    let crosses_zero = range.start < 0.0 && range.end > 0.0;
    time_chart(area, time, Axis::linear(range, 5), y_desc, |chart| {
        if crosses_zero {
            style::hline(chart, 0.0)?;
        }
        chart.draw_series(LineSeries::new(points.iter().copied(), pen))?;
        Ok(())
    })
}
