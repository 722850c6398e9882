//! Charts of a run: equity vs buy and hold, drawdown, monthly and yearly returns, the
//! distribution of daily returns, rolling Sharpe and volatility, and the trades on the price.
//!
//! Every chart is drawn with `plotters`, as SVG text (for the HTML report) and as a PNG file;
//! the sweep heatmap's cells are one embedded image in the SVG.
//! Text uses the bundled DejaVu Sans font, so charts look the same on a machine without
//! system fonts.

mod axis;
mod bars;
mod data;
mod heatmap;
mod lines;
mod overlay;
mod params;
mod style;
mod trades;

use std::path::{Path, PathBuf};

use plotters::prelude::*;
use rayon::prelude::*;

pub use self::overlay::Curve;
pub use self::params::ParamMap;

use self::data::ChartData;
use self::style::{Area, DrawResult};
use super::run::RunRecord;
use crate::error::{Error, Result};

/// How charts are drawn.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChartOptions {
    /// Draw the equity chart on a logarithmic y axis.
    pub log_scale: bool,
}

/// One chart as SVG text.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// File-name-safe identifier: `equity`, `drawdown`, `monthly_heatmap`, `yearly_returns`,
    /// `returns_distribution`, `rolling_sharpe`, `price_trades`.
    pub id: &'static str,
    /// The title drawn at the top of the chart.
    pub title: String,
    /// The whole SVG document.
    pub svg: String,
}

/// Every chart of a run as SVG text (for the HTML report).
pub fn render_svg(record: &RunRecord, opts: &ChartOptions) -> Result<Vec<Chart>> {
    let data = ChartData::new(record);
    KINDS
        .par_iter()
        .map(|&kind| {
            let chart = RunChart { kind, data: &data, opts };
            Ok(Chart { id: chart.id(), title: chart.title(), svg: chart.svg()? })
        })
        .collect()
}

/// Writes every chart as `<dir>/<id>.png` and `<dir>/<id>.svg` (creating `dir` in its existing
/// parent); returns the
/// charts, with the SVG text written (each chart is drawn once per format).
pub fn write_and_render(record: &RunRecord, dir: &Path, opts: &ChartOptions) -> Result<Vec<Chart>> {
    super::create_subfolder(dir)?;
    let data = ChartData::new(record);
    KINDS.par_iter().map(|&kind| RunChart { kind, data: &data, opts }.write(dir)).collect()
}

/// As [`write_and_render`], returning the paths written.
pub fn write_charts(record: &RunRecord, dir: &Path, opts: &ChartOptions) -> Result<Vec<PathBuf>> {
    let charts = write_and_render(record, dir, opts)?;
    Ok(charts.iter().flat_map(|c| ["png", "svg"].map(|ext| dir.join(format!("{}.{ext}", c.id)))).collect())
}

/// Writes the comparison charts — every curve's equity (`compare_equity`) and drawdown
/// (`compare_drawdown`) over bar `times` (ns) — as PNG and SVG files into `dir`; returns
/// them with their SVG text.
pub fn write_overlay_charts(times: &[i64], curves: &[Curve], dir: &Path) -> Result<Vec<Chart>> {
    super::create_subfolder(dir)?;
    let x = days(times);
    OVERLAYS.iter().map(|&kind| OverlayChart { kind, x: &x, curves }.write(dir)).collect()
}

/// Writes the parameter heatmap of a sweep as `<dir>/param_heatmap.png` and `.svg`; returns
/// it with its SVG text.
pub fn write_param_heatmap(map: &ParamMap, dir: &Path) -> Result<Chart> {
    super::create_subfolder(dir)?;
    ParamChart(map).write(dir)
}

fn days(times: &[i64]) -> Vec<f64> {
    times.iter().map(|&t| t as f64 / crate::metrics::calendar::DAY_NS as f64).collect()
}

/// The comparison charts, in report order.
const OVERLAYS: [Overlay; 2] = [Overlay::Equity, Overlay::Drawdown];

/// One kind of comparison chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Overlay {
    Equity,
    Drawdown,
}

impl Overlay {
    fn id(self) -> &'static str {
        match self {
            Overlay::Equity => "compare_equity",
            Overlay::Drawdown => "compare_drawdown",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Overlay::Equity => "Equity of the compared runs",
            Overlay::Drawdown => "Drawdowns of the compared runs",
        }
    }
}

/// The charts, in report order.
const KINDS: [Kind; 7] = [
    Kind::Equity,
    Kind::Drawdown,
    Kind::MonthlyHeatmap,
    Kind::YearlyReturns,
    Kind::ReturnsDistribution,
    Kind::RollingSharpe,
    Kind::PriceTrades,
];

/// One kind of chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Equity,
    Drawdown,
    MonthlyHeatmap,
    YearlyReturns,
    ReturnsDistribution,
    RollingSharpe,
    PriceTrades,
}

impl Kind {
    fn id(self) -> &'static str {
        match self {
            Kind::Equity => "equity",
            Kind::Drawdown => "drawdown",
            Kind::MonthlyHeatmap => "monthly_heatmap",
            Kind::YearlyReturns => "yearly_returns",
            Kind::ReturnsDistribution => "returns_distribution",
            Kind::RollingSharpe => "rolling_sharpe",
            Kind::PriceTrades => "price_trades",
        }
    }

    fn title(self, opts: &ChartOptions) -> String {
        let title = match self {
            Kind::Equity if opts.log_scale => "Equity vs buy and hold (log scale)",
            Kind::Equity => "Equity vs buy and hold",
            Kind::Drawdown => "Drawdown (underwater)",
            Kind::MonthlyHeatmap => "Monthly returns [%]",
            Kind::YearlyReturns => "Yearly returns",
            Kind::ReturnsDistribution => "Distribution of daily returns",
            Kind::RollingSharpe => "Rolling Sharpe ratio and volatility (126 bars)",
            Kind::PriceTrades => "Price and trades",
        };
        title.to_string()
    }
}

/// Something drawn as a chart, as SVG text or a PNG file.
trait Drawing: Sync {
    fn id(&self) -> &'static str;
    /// The title drawn at the top.
    fn title(&self) -> String;
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);
    /// Draws the chart on `root`, with series lines `line` pixels wide.
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, line: u32) -> DrawResult<DB>;

    fn error(&self, e: impl std::fmt::Display) -> Error {
        Error::Run(format!("cannot draw the {} chart: {e}", self.id()))
    }

    /// The chart as an SVG document.
    fn svg(&self) -> Result<String> {
        svg_of(self, |root| self.draw(root, style::SVG_LINE))
    }

    /// Writes `<dir>/<id>.png` and `<dir>/<id>.svg`; returns the chart with its SVG text.
    /// The two are drawn at the same time.
    fn write(&self, dir: &Path) -> Result<Chart> {
        style::register_font();
        let png = dir.join(format!("{}.png", self.id()));
        let draw_png = || {
            let root = BitMapBackend::new(&png, self.size()).into_drawing_area();
            self.draw(&root, style::PNG_LINE).map_err(|e| self.error(e))
        };
        let (drawn, svg) = rayon::join(draw_png, || self.svg());
        drawn?;
        let chart = Chart { id: self.id(), title: self.title(), svg: svg? };
        super::run::write_text(&dir.join(format!("{}.svg", self.id())), &chart.svg)?;
        Ok(chart)
    }
}

/// An SVG document of `chart`'s size, drawn by `draw`.
fn svg_of<D: Drawing + ?Sized>(chart: &D, draw: impl for<'b> FnOnce(&Area<SVGBackend<'b>>) -> DrawResult<SVGBackend<'b>>) -> Result<String> {
    style::register_font();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, chart.size()).into_drawing_area();
        draw(&root).map_err(|e| chart.error(e))?;
    }
    Ok(svg)
}

/// A chart of one run.
struct RunChart<'a> {
    kind: Kind,
    data: &'a ChartData,
    opts: &'a ChartOptions,
}

impl Drawing for RunChart<'_> {
    fn id(&self) -> &'static str {
        self.kind.id()
    }

    fn title(&self) -> String {
        self.kind.title(self.opts)
    }

    fn size(&self) -> (u32, u32) {
        match self.kind {
            Kind::MonthlyHeatmap => heatmap::size(self.data),
            _ => (1000, 500),
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, line: u32) -> DrawResult<DB> {
        let (data, opts) = (self.data, self.opts);
        root.fill(&style::BACKGROUND)?;
        let area = root.margin(8, 0, 0, 0).titled(&self.title(), style::title_font())?;
        match self.kind {
            Kind::Equity => lines::equity(&area, data, opts.log_scale, line),
            Kind::Drawdown => lines::drawdown(&area, data, line),
            Kind::MonthlyHeatmap => heatmap::draw(&area, data),
            Kind::YearlyReturns => bars::yearly(&area, data),
            Kind::ReturnsDistribution => bars::distribution(&area, data),
            Kind::RollingSharpe => lines::rolling(&area, data, line),
            Kind::PriceTrades => trades::draw(&area, data, line),
        }?;
        root.present()
    }
}

/// A comparison chart of several curves.
struct OverlayChart<'a> {
    kind: Overlay,
    /// Bar times in days since the epoch.
    x: &'a [f64],
    curves: &'a [Curve<'a>],
}

impl Drawing for OverlayChart<'_> {
    fn id(&self) -> &'static str {
        self.kind.id()
    }

    fn title(&self) -> String {
        self.kind.title().to_string()
    }

    fn size(&self) -> (u32, u32) {
        (1000, 500)
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, line: u32) -> DrawResult<DB> {
        root.fill(&style::BACKGROUND)?;
        let area = root.margin(8, 0, 0, 0).titled(&self.title(), style::title_font())?;
        match self.kind {
            Overlay::Equity => overlay::equity(&area, self.x, self.curves, line),
            Overlay::Drawdown => overlay::drawdowns(&area, self.x, self.curves, line),
        }?;
        root.present()
    }
}

/// The parameter heatmap of a sweep.
struct ParamChart<'a>(&'a ParamMap);

impl Drawing for ParamChart<'_> {
    fn id(&self) -> &'static str {
        "param_heatmap"
    }

    fn title(&self) -> String {
        let map = self.0;
        let title = format!("{} by {} and {}", map.metric, map.x_name, map.y_name);
        if map.others.is_empty() {
            title
        } else {
            format!("{title} (best over {})", map.others.join(", "))
        }
    }

    fn size(&self) -> (u32, u32) {
        (1000, 700)
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, _line: u32) -> DrawResult<DB> {
        self.draw_cells_as(root, params::Cells::Rectangles)
    }

    /// With the cells as one image: a large grid's rectangles would make megabytes of SVG.
    fn svg(&self) -> Result<String> {
        let svg = svg_of(self, |root| self.draw_cells_as(root, params::Cells::Placeholder))?;
        params::with_cell_image(&svg, self.0).map_err(|e| self.error(e))
    }
}

impl ParamChart<'_> {
    fn draw_cells_as<DB: DrawingBackend>(&self, root: &Area<DB>, cells: params::Cells) -> DrawResult<DB> {
        root.fill(&style::BACKGROUND)?;
        let area = root.margin(8, 0, 0, 0).titled(&self.title(), style::title_font())?;
        params::draw(&area, self.0, cells)?;
        root.present()
    }
}
