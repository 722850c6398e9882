//! The monthly returns heatmap: one row per year (oldest at the top), one column per month.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::Axis;
use super::data::ChartData;
use super::style::{self, Area, DrawResult, Labels, BACKGROUND, GAIN, INK, LOSS, TOO_FEW_BARS};

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/// Pixels per year row (the chart grows taller than 500 pixels past 9 years).
const ROW_HEIGHT: u32 = 36;
/// Pixels of the title.
const TITLE_HEIGHT: u32 = 48;
/// Pixels of the month labels, colour scale and margins.
const AXES_HEIGHT: u32 = 100;
/// A month without data.
const EMPTY: RGBColor = RGBColor(246, 246, 246);

/// The chart's size: 1000 × 500 pixels, taller when there are many years.
pub(super) fn size(d: &ChartData) -> (u32, u32) {
    (1000, (TITLE_HEIGHT + AXES_HEIGHT + ROW_HEIGHT * rows(d) as u32).max(500))
}

/// The first and last year with a monthly return.
fn years(d: &ChartData) -> Option<(i32, i32)> {
    Some((d.monthly.first()?.year, d.monthly.last()?.year))
}

/// Rows of the heatmap: one per year from the first to the last.
fn rows(d: &ChartData) -> usize {
    years(d).map_or(0, |(first, last)| (last - first + 1) as usize)
}

/// Draws the heatmap: cells coloured from red (the worst month) through white to green (the
/// best), each with its return in percent.
pub(super) fn draw<DB: DrawingBackend>(area: &Area<DB>, d: &ChartData) -> DrawResult<DB> {
    let Some((_, last)) = years(d).filter(|_| d.x.len() >= 2) else {
        return style::note(area, TOO_FEW_BARS);
    };
    let rows = rows(d);
    // Row 0 is at the bottom: the oldest year gets the top row.
    let row_of = |year: i32| (last - year) as f64;
    let scale = d.monthly.iter().map(|p| p.return_pct.abs()).filter(|r| r.is_finite()).fold(0.1, f64::max);
    let x = Axis::with_ticks(0.0..12.0, (0..12).map(|m| m as f64 + 0.5).collect());
    let y = Axis::with_ticks(0.0..rows as f64, (0..rows).map(|r| r as f64 + 0.5).collect());
    let x_label = |v: &f64| MONTHS.get(v.floor() as usize).map_or_else(String::new, |m| m.to_string());
    let y_label = |v: &f64| (last - v.floor() as i32).to_string();
    let x_desc = format!("Colour scale: red {:.1} % … green {:+.1} %", -scale, scale);
    let labels = Labels { x: &x_label, y: &y_label, x_desc: &x_desc, y_desc: "" };
    // Few years: rows of at most ROW_HEIGHT pixels at the top, not stretched to fill.
    let height = AXES_HEIGHT + ROW_HEIGHT * rows as u32;
    let (area, _) = area.split_vertically(height.min(area.dim_in_pixel().1));
    let mut chart = style::frame(&area, x, y, &labels)?;
    let cell = |month: usize, row: f64| [(month as f64, row), (month as f64 + 1.0, row + 1.0)];
    let all_cells = (0..rows).flat_map(|r| (0..12).map(move |m| (m, r as f64)));
    chart.draw_series(all_cells.clone().map(|(m, r)| Rectangle::new(cell(m, r), EMPTY.filled())))?;
    let months = d.monthly.iter().filter_map(|p| Some((p.month? as usize - 1, row_of(p.year), p.return_pct)));
    chart.draw_series(months.clone().map(|(m, r, ret)| Rectangle::new(cell(m, r), colour(ret / scale).filled())))?;
    chart.draw_series(all_cells.map(|(m, r)| Rectangle::new(cell(m, r), BACKGROUND.stroke_width(2))))?;
    chart.draw_series(months.map(|(m, r, ret)| {
        let ink = if (ret / scale).abs() > 0.6 { &BACKGROUND } else { &INK };
        let font = style::text(13).color(ink).pos(Pos::new(HPos::Center, VPos::Center));
        Text::new(format!("{ret:.1}"), (m as f64 + 0.5, r + 0.5), font)
    }))?;
    Ok(())
}

/// The colour of a return `t` of the scale (-1 worst … 1 best): white blended towards green
/// for gains, red for losses.
pub(super) fn colour(t: f64) -> RGBColor {
    let t = if t.is_finite() { t.clamp(-1.0, 1.0) } else { 0.0 };
    let target = if t >= 0.0 { GAIN } else { LOSS };
    let blend = |c: u8| (255.0 + (c as f64 - 255.0) * t.abs()).round() as u8;
    RGBColor(blend(target.0), blend(target.1), blend(target.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_run_from_red_through_white_to_green() {
        assert_eq!(colour(0.0), RGBColor(255, 255, 255));
        assert_eq!(colour(1.0), GAIN);
        assert_eq!(colour(-2.0), LOSS);
        assert_eq!(colour(f64::NAN), RGBColor(255, 255, 255));
    }
}
