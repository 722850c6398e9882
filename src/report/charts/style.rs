//! What every chart shares: colours, fonts, the drawing-area types, value ranges and the
//! note drawn in place of a chart that has nothing to show.

use std::ops::Range;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{register_font as plotters_register_font, FontStyle};

use super::axis::Axis;

/// A chart's drawing area.
pub(super) type Area<DB> = DrawingArea<DB, Shift>;
/// The result of drawing on a backend.
pub(super) type DrawResult<DB> = Result<(), DrawError<DB>>;

/// A chart's plotting context: both axes are [`Axis`].
pub(super) type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<Axis, Axis>>;
/// A drawing error of a backend.
pub(super) type DrawError<DB> = DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>;

/// The font family every text uses (the bundled DejaVu Sans is registered under it).
const FONT: &str = "sans-serif";
static FONT_DATA: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// Registers the bundled font with plotters (once per process).
pub(super) fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if plotters_register_font(FONT, FontStyle::Normal, FONT_DATA).is_err() {
            unreachable!("the bundled font is a valid TrueType file");
        }
    });
}

/// Width of series lines in SVG charts.
pub(super) const SVG_LINE: u32 = 2;
/// Width of series lines in PNG charts: plotters fills a wider polyline as one polygon, which
/// leaves holes where a daily series zigzags.
pub(super) const PNG_LINE: u32 = 1;

pub(super) const BACKGROUND: RGBColor = WHITE;
/// The strategy's equity and its statistics.
pub(super) const STRATEGY: RGBColor = RGBColor(31, 119, 180);
/// The traded asset: its price and buy and hold.
pub(super) const ASSET: RGBColor = RGBColor(120, 120, 120);
/// Gains: positive returns, long entries.
pub(super) const GAIN: RGBColor = RGBColor(44, 160, 44);
/// Losses: negative returns, drawdown, short entries.
pub(super) const LOSS: RGBColor = RGBColor(214, 39, 40);
/// A second measure beside the strategy's (mean, volatility).
pub(super) const ACCENT: RGBColor = RGBColor(255, 127, 14);
/// Exits, zero lines and text.
pub(super) const INK: RGBColor = RGBColor(30, 30, 30);
/// Grid lines.
pub(super) const GRID: RGBColor = RGBColor(225, 225, 225);

/// The title font.
pub(super) fn title_font() -> TextStyle<'static> {
    (FONT, 22).into_font().color(&INK)
}

/// Tick labels, legends and notes.
pub(super) fn text(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&INK)
}

/// The note of a chart for a run of fewer than two bars.
pub(super) const TOO_FEW_BARS: &str = "Not enough bars to draw (fewer than 2)";

/// Draws `message` in the middle of `area`, for a chart with nothing to show.
pub(super) fn note<DB: DrawingBackend>(area: &Area<DB>, message: &str) -> DrawResult<DB> {
    let (w, h) = area.dim_in_pixel();
    let style = text(18).color(&ASSET).pos(Pos::new(HPos::Center, VPos::Center));
    area.draw_text(message, &style, (w as i32 / 2, h as i32 / 2))
}

/// Axis labels and descriptions of a chart.
pub(super) struct Labels<'a> {
    pub x: &'a dyn Fn(&f64) -> String,
    pub y: &'a dyn Fn(&f64) -> String,
    pub x_desc: &'a str,
    pub y_desc: &'a str,
}

/// A chart on `area` with its axes, tick labels and grid drawn.
pub(super) fn frame<'a, DB: DrawingBackend>(
    area: &'a Area<DB>,
    x: Axis,
    y: Axis,
    labels: &Labels,
) -> Result<Plot<'a, DB>, DrawError<DB>> {
    let mut chart = ChartBuilder::on(area)
        .margin(10)
        .margin_right(25)
        .x_label_area_size(if labels.x_desc.is_empty() { 30 } else { 50 })
        .y_label_area_size(if labels.y_desc.is_empty() { 60 } else { 85 })
        .build_cartesian_2d(x, y)?;
    chart
        .configure_mesh()
        .x_label_formatter(labels.x)
        .y_label_formatter(labels.y)
        .x_desc(labels.x_desc)
        .y_desc(labels.y_desc)
        .label_style(text(14))
        .axis_desc_style(text(15))
        .bold_line_style(GRID)
        .axis_style(ASSET)
        .draw()?;
    Ok(chart)
}

/// Draws the legend of the labelled series in the chart's upper left corner.
pub(super) fn legend<'a, DB: DrawingBackend + 'a>(chart: &mut Plot<'a, DB>) -> DrawResult<DB> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(BACKGROUND.mix(0.85))
        .border_style(GRID)
        .label_font(text(14))
        .draw()
}

/// A series' legend sample: a short line.
pub(super) fn line_sample(colour: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
}

/// Draws a horizontal line across the chart at `y`.
pub(super) fn hline<DB: DrawingBackend>(chart: &mut Plot<'_, DB>, y: f64) -> DrawResult<DB> {
    let x = chart.x_range();
    chart.draw_series(std::iter::once(PathElement::new(vec![(x.start, y), (x.end, y)], INK)))?;
    Ok(())
}

/// The range spanned by the finite `values`, padded by `pad` of its width on each side
/// (or by 1 around a single value); `None` when there is no finite value.
pub(super) fn padded_range(values: impl IntoIterator<Item = f64>, pad: f64) -> Option<Range<f64>> {
    let (lo, hi) = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if lo > hi {
        return None;
    }
    let margin = if hi > lo { (hi - lo) * pad } else { lo.abs().max(1.0) * 0.05 };
    Some(lo - margin..hi + margin)
}

/// Numbers on charts are formatted as in the HTML report: thousands separated by commas.
pub(super) use crate::report::html::number;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_pad_and_survive_flat_and_empty_input() {
        assert_eq!(padded_range([1.0, 3.0, f64::NAN], 0.5), Some(0.0..4.0));
        let flat = padded_range([100.0, 100.0], 0.1).unwrap();
        assert!(flat.start < 100.0 && flat.end > 100.0);
        assert_eq!(padded_range([f64::NAN], 0.1), None);
    }

    #[test]
    fn numbers_group_thousands() {
        assert_eq!(number(12345.6, 1), "12,345.6");
        assert_eq!(number(-1000.0, 0), "-1,000");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(number(0.25, 2), "0.25");
        assert_eq!(number(-0.001, 1), "0.0");
    }
}
