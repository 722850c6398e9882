//! The parameter heatmap of a sweep: a statistic over two swept parameters, one cell per
//! pair of values (the best over any other parameters), the best cell outlined.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
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

/// How the cells are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cells {
    /// A rectangle each (for a bitmap).
    Rectangles,
    /// One rectangle of [`PLACEHOLDER`] colour over them all, for [`with_cell_image`] to
    /// replace by an image of the cells (for SVG: a rectangle each would make a large grid's
    /// SVG megabytes long).
    Placeholder,
}

/// The colour of the rectangle that [`Cells::Placeholder`] draws; no chart uses it.
const PLACEHOLDER: RGBColor = RGBColor(1, 2, 3);

/// Draws the map.
pub(super) fn draw<DB: DrawingBackend>(area: &Area<DB>, map: &ParamMap, cells_as: Cells) -> DrawResult<DB> {
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
    match cells_as {
        Cells::Rectangles => chart.draw_series(cells.clone().map(|(i, j)| Rectangle::new(cell(i, j), cell_colour(map, &scale, i, j).filled())))?,
        Cells::Placeholder => chart.draw_series(std::iter::once(Rectangle::new([(0.0, 0.0), (nx as f64, ny as f64)], PLACEHOLDER.filled())))?,
    };
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

/// The fill of cell `(i, j)`.
fn cell_colour(map: &ParamMap, scale: &impl Fn(f64) -> f64, i: usize, j: usize) -> RGBColor {
    let v = map.cells[j][i];
    if v.is_finite() {
        colour(scale(v))
    } else {
        EMPTY
    }
}

/// The cells as a PNG image, one pixel each (the highest `y` in the top row).
fn cell_image(map: &ParamMap) -> Result<Vec<u8>, png::EncodingError> {
    let (nx, ny) = (map.x.len(), map.y.len());
    let scale = map.scale();
    let pixels: Vec<u8> = (0..ny)
        .rev()
        .flat_map(|j| (0..nx).map(move |i| (i, j)))
        .flat_map(|(i, j)| {
            let RGBColor(r, g, b) = cell_colour(map, &scale, i, j);
            [r, g, b]
        })
        .collect();
    let mut image = Vec::new();
    let mut encoder = png::Encoder::new(&mut image, nx as u32, ny as u32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header()?.write_image_data(&pixels)?;
    Ok(image)
}

/// `svg` (drawn with [`Cells::Placeholder`]) with the placeholder replaced by the image of
/// the cells, stretched over the same rectangle without smoothing; `svg` as it is when
/// there is no placeholder (nothing to draw).
pub(super) fn with_cell_image(svg: &str, map: &ParamMap) -> Result<String, String> {
    let fill = format!("fill=\"#{:02X}{:02X}{:02X}\"", PLACEHOLDER.0, PLACEHOLDER.1, PLACEHOLDER.2);
    let Some(at) = svg.find(&fill) else { return Ok(svg.to_string()) };
    let start = svg[..at].rfind("<rect ").ok_or("the placeholder is not a rectangle")?;
    let end = at + svg[at..].find("/>").ok_or("the placeholder is not closed")? + 2;
    let element = &svg[start..end];
    let attribute = |name: &str| {
        let key = format!(" {name}=\"");
        let from = element.find(&key).ok_or(format!("the placeholder has no {name}"))? + key.len();
        Ok::<_, String>(&element[from..from + element[from..].find('"').unwrap_or(0)])
    };
    let png = cell_image(map).map_err(|e| format!("cannot encode the cells: {e}"))?;
    let image = format!(
        "<image x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" href=\"data:image/png;base64,{}\"/>",
        attribute("x")?,
        attribute("y")?,
        attribute("width")?,
        attribute("height")?,
        STANDARD.encode(png)
    );
    Ok(format!("{}{image}{}", &svg[..start], &svg[end..]))
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;

    use super::*;

    #[test]
    fn the_svg_draws_the_cells_as_one_image_of_a_pixel_each() {
        let map = ParamMap {
            metric: "score".into(),
            x_name: "a".into(),
            y_name: "b".into(),
            others: Vec::new(),
            x: vec![1.0, 2.0, 3.0],
            y: vec![10.0, 20.0],
            cells: vec![vec![f64::NAN, 1.0, -2.0], vec![0.5, f64::NAN, 4.0]],
        };
        let dir = tempfile::tempdir().unwrap();
        let chart = super::super::write_param_heatmap(&map, dir.path()).unwrap();
        assert_eq!(chart.svg.matches("<image ").count(), 1);
        assert!(!chart.svg.contains("#010203"), "the placeholder is left");
        // The image covers the plotting area, and the best cell (4 at (3, 20)) is outlined on it.
        let image = &chart.svg[chart.svg.find("<image ").unwrap()..];
        let data = image.split("base64,").nth(1).unwrap().split('"').next().unwrap();
        let png = base64::engine::general_purpose::STANDARD.decode(data).unwrap();
        let mut reader = png::Decoder::new(std::io::Cursor::new(png)).read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!((info.width, info.height, info.color_type), (3, 2, png::ColorType::Rgb));
        // Scaled -1..1 around 0 by the largest magnitude (4); the top row is y = 20.
        let expected = [colour(0.125), EMPTY, colour(1.0), EMPTY, colour(0.25), colour(-0.5)];
        let got: Vec<RGBColor> = pixels.chunks(3).map(|p| RGBColor(p[0], p[1], p[2])).collect();
        assert_eq!(got, expected);
        let outline = chart.svg.rfind("fill=\"none\" stroke=\"#1E1E1E\"").expect("the best cell outlined");
        assert!(chart.svg.find("<image ").unwrap() < outline, "the outline is drawn over the image");
    }
}
