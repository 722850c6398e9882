//! Charts of a run: equity vs buy and hold, drawdown, monthly and yearly returns, the
//! distribution of daily returns, rolling Sharpe and volatility, and the trades on the price.
//!
//! Every chart is drawn with `plotters`, as SVG text (for the HTML report) and as a PNG file.
//! Text uses the bundled DejaVu Sans font, so charts look the same on a machine without
//! system fonts.

mod axis;
mod bars;
mod data;
mod heatmap;
mod lines;
mod style;
mod trades;

use std::fs;
use std::path::{Path, PathBuf};

use plotters::prelude::*;
use rayon::prelude::*;

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
        .map(|&kind| Ok(Chart { id: kind.id(), title: kind.title(opts), svg: kind.svg(&data, opts)? }))
        .collect()
}

/// Writes every chart as `<dir>/<id>.png` and `<dir>/<id>.svg` (creating `dir`); returns the
/// paths written.
pub fn write_charts(record: &RunRecord, dir: &Path, opts: &ChartOptions) -> Result<Vec<PathBuf>> {
    fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let data = ChartData::new(record);
    let written: Vec<[PathBuf; 2]> = KINDS
        .par_iter()
        .map(|&kind| {
            let png = dir.join(format!("{}.png", kind.id()));
            kind.png(&data, opts, &png)?;
            let svg = dir.join(format!("{}.svg", kind.id()));
            super::run::write_text(&svg, &kind.svg(&data, opts)?)?;
            Ok([png, svg])
        })
        .collect::<Result<_>>()?;
    Ok(written.into_iter().flatten().collect())
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

    /// Width and height in pixels.
    fn size(self, data: &ChartData) -> (u32, u32) {
        match self {
            Kind::MonthlyHeatmap => heatmap::size(data),
            _ => (1000, 500),
        }
    }

    /// Draws the chart, with series lines `line` pixels wide.
    fn draw<DB: DrawingBackend>(self, root: &Area<DB>, data: &ChartData, opts: &ChartOptions, line: u32) -> DrawResult<DB> {
        root.fill(&style::BACKGROUND)?;
        let area = root.margin(8, 0, 0, 0).titled(&self.title(opts), style::title_font())?;
        match self {
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

    /// The chart as an SVG document.
    fn svg(self, data: &ChartData, opts: &ChartOptions) -> Result<String> {
        style::register_font();
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, self.size(data)).into_drawing_area();
            self.draw(&root, data, opts, style::SVG_LINE).map_err(|e| self.error(e))?;
        }
        Ok(svg)
    }

    /// Writes the chart as a PNG file.
    fn png(self, data: &ChartData, opts: &ChartOptions, path: &Path) -> Result<()> {
        style::register_font();
        let root = BitMapBackend::new(path, self.size(data)).into_drawing_area();
        self.draw(&root, data, opts, style::PNG_LINE).map_err(|e| self.error(e))
    }

    fn error(self, e: impl std::fmt::Display) -> Error {
        Error::Run(format!("cannot draw the {} chart: {e}", self.id()))
    }
}
