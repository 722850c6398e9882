//! Overlay charts for comparisons: several equity curves, and their drawdowns, on one chart.

use plotters::prelude::*;

use super::axis::{Axis, TimeAxis};
use super::lines::{time_chart, MAX_VALUE_TICKS};
use super::style::{self, Area, DrawResult, ASSET, TOO_FEW_BARS};
use crate::metrics::drawdown;

/// One named equity curve.
#[derive(Debug, Clone, Copy)]
pub struct Curve<'a> {
    pub name: &'a str,
    pub equity: &'a [f64],
    /// Drawn in grey, as the reference (the benchmark).
    pub reference: bool,
}

/// Colours of the compared runs, in order (Tableau 10).
const PALETTE: [RGBColor; 9] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

fn colour(curves: &[Curve], k: usize) -> RGBColor {
    if curves[k].reference {
        ASSET
    } else {
        let run = curves[..k].iter().filter(|c| !c.reference).count();
        PALETTE[run % PALETTE.len()]
    }
}

/// Draws `series[k]` (values per bar) of every curve over days `x`.
fn overlay<DB: DrawingBackend>(
    area: &Area<DB>,
    x: &[f64],
    curves: &[Curve],
    series: &[Vec<f64>],
    y_desc: &str,
    line: u32,
) -> DrawResult<DB> {
    let Some(range) = style::padded_range(series.iter().flatten().copied(), 0.04).filter(|_| x.len() >= 2) else {
        return style::note(area, TOO_FEW_BARS);
    };
    time_chart(area, &TimeAxis::new(x), Axis::linear(range, MAX_VALUE_TICKS), y_desc, |chart| {
        for (k, values) in series.iter().enumerate() {
            let c = colour(curves, k);
            let points = x.iter().copied().zip(values.iter().copied());
            chart.draw_series(LineSeries::new(points, c.stroke_width(line)))?.label(curves[k].name).legend(style::line_sample(c));
        }
        style::legend(chart)
    })
}

/// Every curve's equity.
pub(super) fn equity<DB: DrawingBackend>(area: &Area<DB>, x: &[f64], curves: &[Curve], line: u32) -> DrawResult<DB> {
    let series: Vec<Vec<f64>> = curves.iter().map(|c| c.equity.to_vec()).collect();
    overlay(area, x, curves, &series, "Equity", line)
}

/// Every curve's drawdown from its running peak, in percent.
pub(super) fn drawdowns<DB: DrawingBackend>(area: &Area<DB>, x: &[f64], curves: &[Curve], line: u32) -> DrawResult<DB> {
    let series: Vec<Vec<f64>> =
        curves.iter().map(|c| drawdown::drawdown(c.equity).iter().map(|d| 0.0 - d * 100.0).collect()).collect();
    overlay(area, x, curves, &series, "Drawdown [%]", line)
}
