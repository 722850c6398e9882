//! Technical indicator stages (formulas in `orchestrator::indicators`, checked against TA-Lib).

use crate::error::Result;
use crate::orchestrator::indicators as ta;
use crate::orchestrator::stage::{Input, Series, Stage, View};
use crate::strategy::PriceField;

/// An indicator and its settings.
#[derive(Debug, Clone, PartialEq)]
pub enum Indicator {
    Sma(usize),
    Ema(usize),
    Wma(usize),
    Rsi(usize),
    Macd { fast: usize, slow: usize, signal: usize },
    Bollinger { period: usize, width: f64 },
    Atr(usize),
    Stochastic { k_period: usize, k_smooth: usize, d_period: usize },
    Roc(usize),
    Momentum(usize),
    Volatility(usize),
    Zscore(usize),
    /// Crosses of the stage's input above `Input`.
    Crossover(Input),
    /// Crosses of the stage's input below `Input`.
    Crossunder(Input),
}

/// A stage computing one indicator of one input series.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorStage {
    pub id: String,
    pub input: Input,
    pub indicator: Indicator,
}

const HLC: [PriceField; 3] = [PriceField::High, PriceField::Low, PriceField::Close];

impl IndicatorStage {
    fn suffixes(&self) -> &'static [&'static str] {
        match self.indicator {
            Indicator::Macd { .. } => &["line", "signal", "hist"],
            Indicator::Bollinger { .. } => &["upper", "middle", "lower"],
            Indicator::Stochastic { .. } => &["k", "d"],
            _ => &[""],
        }
    }
}

impl Stage for IndicatorStage {
    fn id(&self) -> &str {
        &self.id
    }

    fn inputs(&self) -> Vec<Input> {
        match &self.indicator {
            Indicator::Atr(_) | Indicator::Stochastic { .. } => HLC.iter().map(|&f| Input::Price(f)).collect(),
            Indicator::Crossover(b) | Indicator::Crossunder(b) => vec![self.input.clone(), b.clone()],
            _ => vec![self.input.clone()],
        }
    }

    fn outputs(&self) -> Vec<String> {
        self.suffixes()
            .iter()
            .map(|s| if s.is_empty() { self.id.clone() } else { format!("{}.{s}", self.id) })
            .collect()
    }

    fn compute(&self, view: &View) -> Result<Vec<Series>> {
        let x = || view.input(&self.input);
        let (h, l, c) = (view.price(PriceField::High), view.price(PriceField::Low), view.price(PriceField::Close));
        let values: Vec<Vec<f64>> = match &self.indicator {
            Indicator::Sma(n) => vec![ta::sma(x(), *n)],
            Indicator::Ema(n) => vec![ta::ema(x(), *n)],
            Indicator::Wma(n) => vec![ta::wma(x(), *n)],
            Indicator::Rsi(n) => vec![ta::rsi(x(), *n)],
            Indicator::Macd { fast, slow, signal } => {
                let m = ta::macd(x(), *fast, *slow, *signal);
                vec![m.line, m.signal, m.hist]
            }
            Indicator::Bollinger { period, width } => {
                let b = ta::bollinger(x(), *period, *width, *width);
                vec![b.upper, b.middle, b.lower]
            }
            Indicator::Atr(n) => vec![ta::atr(h, l, c, *n)],
            Indicator::Stochastic { k_period, k_smooth, d_period } => {
                let s = ta::stochastic(h, l, c, *k_period, *k_smooth, *d_period);
                vec![s.k, s.d]
            }
            Indicator::Roc(n) => vec![ta::roc(x(), *n)],
            Indicator::Momentum(n) => vec![ta::momentum(x(), *n)],
            Indicator::Volatility(n) => vec![ta::volatility(x(), *n)],
            Indicator::Zscore(n) => vec![ta::zscore(x(), *n)],
            Indicator::Crossover(b) => vec![ta::crossover(x(), view.input(b))],
            Indicator::Crossunder(b) => vec![ta::crossunder(x(), view.input(b))],
        };
        Ok(self.outputs().into_iter().zip(values).map(|(name, v)| Series::new(name, v)).collect())
    }
}
