//! The parameter heatmap of a sweep: a statistic over two swept parameters, one cell per
//! pair of values (the best over any other parameters), the best cell outlined.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::Axis;
use super::heatmap::colour;
use super::style::{self, Area, DrawResult, Labels, BACKGROUND, INK};

/// Cells are labelled with their value up to this many cells.
const LABELLED_CELLS: usize = 300;
/// At most this many tick labels per axis.
const MAX_TICKS: usize = 12;
/// A pair without a run (excluded by the constraint or not sampled), or whose statistic is
/// undefined (e.g. a Sharpe ratio without trades).
const EMPTY: RGBColor = RGBColor(246, 246, 246);

/// A statistic over two swept parameters.
#[derive(Debug, Clone)]
pub struct ParamMap {
    /// The statistic's name.
    pub metric: String,
    pub x_name: String,
    pub y_name: String,
    /// The other swept parameters, over which each cell is the best.
    pub others: Vec<String>,
    /// The values of each parameter, increasing.
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    /// `cells[j][i]` at `(x[i], y[j])`; NaN where nothing ran.
    pub cells: Vec<Vec<f64>>,
}

impl ParamMap {
    /// Largest finite cell, as `(i, j)`.
    fn best(&self) -> Option<(usize, usize)> {
        let mut best: Option<(usize, usize, f64)> = None;
        for (j, row) in self.cells.iter().enumerate() {
            for (i, &v) in row.iter().enumerate() {
                if v.is_finite() && best.is_none_or(|b| v > b.2) {
                    best = Some((i, j, v));
                }
            }
        }
        best.map(|(i, j, _)| (i, j))
    }

    /// Maps a value to -1..1: diverging around 0 when values have both signs, else from the
    /// smallest (0) to the largest (1).
    fn scale(&self) -> impl Fn(f64) -> f64 {
        let finite = self.cells.iter().flatten().copied().filter(|v| v.is_finite());
        let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
        move |v: f64| {
            if lo < 0.0 && hi > 0.0 {
                v / lo.abs().max(hi)
            } else if hi > lo {
                (v - lo) / (hi - lo)
            } else {
                0.5
            }
        }
    }
}

/// Tick positions (cell centres) for `n` cells, at most [`MAX_TICKS`].
fn ticks(n: usize) -> Vec<f64> {
    let step = n.div_ceil(MAX_TICKS).max(1);
    (0..n).step_by(step).map(|k| k as f64 + 0.5).collect()
}

/// Draws the map.
pub(super) fn draw<DB: DrawingBackend>(area: &Area<DB>, map: &ParamMap) -> DrawResult<DB> {
    let (nx, ny) = (map.x.len(), map.y.len());
    if nx == 0 || ny == 0 {
        return style::note(area, "Nothing to draw");
    }
    let value_label = |values: &[f64], v: &f64| values.get(v.floor() as usize).map_or_else(String::new, |x| format!("{x}"));
    let x_label = |v: &f64| value_label(&map.x, v);
    let y_label = |v: &f64| value_label(&map.y, v);
    let x_desc = format!("{} (colour: {}, red low, green high; grey: not run or undefined)", map.x_name, map.metric);
    let labels = Labels { x: &x_label, y: &y_label, x_desc: &x_desc, y_desc: &map.y_name };
    let x = Axis::with_ticks(0.0..nx as f64, ticks(nx));
    let y = Axis::with_ticks(0.0..ny as f64, ticks(ny));
    let mut chart = style::frame(area, x, y, &labels)?;
    let scale = map.scale();
    let cell = |i: usize, j: usize| [(i as f64, j as f64), (i as f64 + 1.0, j as f64 + 1.0)];
    let cells = (0..ny).flat_map(|j| (0..nx).map(move |i| (i, j)));
    chart.draw_series(cells.clone().map(|(i, j)| {
        let v = map.cells[j][i];
        let fill = if v.is_finite() { colour(scale(v)) } else { EMPTY };
        Rectangle::new(cell(i, j), fill.filled())
    }))?;
    if nx * ny <= LABELLED_CELLS {
        chart.draw_series(cells.filter(|&(i, j)| map.cells[j][i].is_finite()).map(|(i, j)| {
            let v = map.cells[j][i];
            let ink = if scale(v).abs() > 0.6 { &BACKGROUND } else { &INK };
            let font = style::text(11).color(ink).pos(Pos::new(HPos::Center, VPos::Center));
            Text::new(style::number(v, 2), (i as f64 + 0.5, j as f64 + 0.5), font)
        }))?;
    }
    if let Some((i, j)) = map.best() {
        chart.draw_series(std::iter::once(Rectangle::new(cell(i, j), INK.stroke_width(2))))?;
    }
    Ok(())
}
