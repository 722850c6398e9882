//! The close price with the trades' entries and exits marked.

use plotters::prelude::*;

use super::axis::{Axis, TimeAxis};
use super::data::ChartData;
use super::style::{self, Area, DrawResult, Labels, ASSET, GAIN, INK, LOSS, TOO_FEW_BARS};

/// Marker size in pixels.
const MARKER: i32 = 6;

/// A filled triangle around the pixel `(x, y)`, pointing up or down.
fn triangle((x, y): (i32, i32), up: bool, colour: RGBColor) -> Polygon<(i32, i32)> {
    let s = if up { 1 } else { -1 };
    Polygon::new(vec![(x, y - s * MARKER), (x - MARKER, y + s * MARKER), (x + MARKER, y + s * MARKER)], colour.filled())
}

/// The close price; long entries as green ▲, short entries as red ▼, exits as ×.
pub(super) fn draw<DB: DrawingBackend>(area: &Area<DB>, d: &ChartData, line: u32) -> DrawResult<DB> {
    let Some(range) = style::padded_range(d.close.iter().copied(), 0.05).filter(|_| d.x.len() >= 2) else {
        return style::note(area, TOO_FEW_BARS);
    };
    let time = TimeAxis::new(&d.x);
    let y = Axis::linear(range, 8);
    let x_label = |v: &f64| time.label(*v);
    let y_label = |v: &f64| y.label(*v);
    let labels = Labels { x: &x_label, y: &y_label, x_desc: "", y_desc: "Price" };
    let mut chart = style::frame(area, time.axis.clone(), y.clone(), &labels)?;
    let close = d.x.iter().copied().zip(d.close.iter().copied());
    chart
        .draw_series(LineSeries::new(close, ASSET.stroke_width(line.div_ceil(2))))?
        .label("Close")
        .legend(style::line_sample(ASSET));
    let entries = [(&d.long_entries, true, GAIN, "Long entry"), (&d.short_entries, false, LOSS, "Short entry")];
    for (points, up, colour, name) in entries {
        if !points.is_empty() {
            chart
                .draw_series(points.iter().map(|&at| EmptyElement::at(at) + triangle((0, 0), up, colour)))?
                .label(name)
                .legend(move |(x, y)| triangle((x + 10, y), up, colour));
        }
    }
    if !d.exits.is_empty() {
        chart
            .draw_series(d.exits.iter().map(|&p| Cross::new(p, MARKER - 2, INK.stroke_width(2))))?
            .label("Exit")
            .legend(|(x, y)| Cross::new((x + 10, y), MARKER - 2, INK.stroke_width(2)));
    }
    style::legend(&mut chart)?;
    if d.long_entries.is_empty() && d.short_entries.is_empty() {
        style::note(&chart.plotting_area().strip_coord_spec(), "No trades")?;
    }
    Ok(())
}
