//! The `Stage` trait: a model stage declares its inputs and computes named, per-bar outputs
//! from a point-in-time view of the data.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::data::{Bars, Document};
use crate::error::Result;
use crate::strategy::PriceField;

/// Something a stage reads.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Input {
    /// A market data column.
    Price(PriceField),
    /// An output of another stage, by its full name (`rsi`, `macd.signal`).
    Stage(String),
    /// Text documents, by source (the file they were read from).
    Documents(String),
}

/// One named output series of a stage: a value per bar (NaN where undefined), with an
/// optional confidence (0..1) and a short explanation per bar.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    /// Full name: the stage id, or `id.output` for stages with several outputs.
    pub name: String,
    /// Shared, so that a sweep hands the same series to many runs without copying it.
    pub values: Arc<[f64]>,
    pub confidence: Option<Vec<f64>>,
    pub explanation: Option<Vec<String>>,
}

impl Series {
    /// A plain value series.
    pub fn new(name: impl Into<String>, values: Vec<f64>) -> Self {
        Series { name: name.into(), values: values.into(), confidence: None, explanation: None }
    }
}

/// Stage outputs by name, in the order the stages were declared.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outputs {
    series: Vec<Series>,
    index: HashMap<String, usize>,
}

impl Outputs {
    /// Adds a series (replacing one of the same name).
    pub fn insert(&mut self, series: Series) {
        match self.index.get(&series.name) {
            Some(&k) => self.series[k] = series,
            None => {
                self.index.insert(series.name.clone(), self.series.len());
                self.series.push(series);
            }
        }
    }

    /// A series by full name.
    pub fn get(&self, name: &str) -> Option<&Series> {
        self.index.get(name).map(|&k| &self.series[k])
    }

    /// All series, in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = &Series> {
        self.series.iter()
    }

    /// Number of series.
    pub fn len(&self) -> usize {
        self.series.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    /// Every series cut to the bars from `from` on.
    pub fn from_bar(&self, from: usize) -> Outputs {
        let mut out = Outputs::default();
        for s in &self.series {
            out.insert(Series {
                name: s.name.clone(),
                values: s.values[from..].into(),
                confidence: s.confidence.as_ref().map(|c| c[from..].to_vec()),
                explanation: s.explanation.as_ref().map(|e| e[from..].to_vec()),
            });
        }
        out
    }
}

/// What a stage may look at: the bars it is given and the outputs of the stages it
/// depends on. In a backtest that is the whole timeline, and an output at bar `t` must only
/// use values up to `t`; the look-ahead check hands stages truncated and scrambled bars to
/// verify it.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    bars: &'a Bars,
    upstream: &'a Outputs,
    documents: &'a BTreeMap<String, Vec<Document>>,
}

impl<'a> View<'a> {
    /// A view of `bars` with the outputs computed so far and the document sources.
    pub fn new(bars: &'a Bars, upstream: &'a Outputs, documents: &'a BTreeMap<String, Vec<Document>>) -> Self {
        View { bars, upstream, documents }
    }

    /// The documents of a declared source published up to the last visible bar — never
    /// any later (empty for an unknown source or no bars).
    pub fn documents(&self, source: &str) -> &'a [Document] {
        let (Some(docs), Some(&last)) = (self.documents.get(source), self.bars.time.last()) else {
            return &[];
        };
        &docs[..docs.partition_point(|d| d.time <= last)]
    }

    /// Number of bars.
    pub fn len(&self) -> usize {
        self.bars.len()
    }

    /// True when there are no bars.
    pub fn is_empty(&self) -> bool {
        self.bars.is_empty()
    }

    /// Bar timestamps.
    pub fn time(&self) -> &'a [i64] {
        &self.bars.time
    }

    /// A price column.
    pub fn price(&self, field: PriceField) -> &'a [f64] {
        self.bars.price(field)
    }

    /// A declared input. Panics on an input the stage did not declare (a bug in the stage:
    /// the pipeline only runs a stage after everything it declared).
    pub fn input(&self, input: &Input) -> &'a [f64] {
        match input {
            Input::Price(field) => self.price(*field),
            Input::Stage(name) => match self.upstream.get(name) {
                Some(s) => &s.values,
                None => panic!("stage read undeclared input {name}"),
            },
            Input::Documents(source) => panic!("documents ({source}) are read with View::documents"),
        }
    }
}

/// A model stage. Path-independent: its outputs are computed for the whole timeline at
/// once, and the output at bar `t` must depend only on the view's data up to `t`
/// (`tradeorch check-lookahead` verifies this by truncating and scrambling the future).
pub trait Stage: Send + Sync + std::fmt::Debug {
    /// Unique id; outputs are named `id` or `id.output`.
    fn id(&self) -> &str;
    /// What it reads. Stage inputs decide the order stages run in.
    fn inputs(&self) -> Vec<Input>;
    /// Full names of its outputs.
    fn outputs(&self) -> Vec<String>;
    /// Computes its outputs over the view (each `view.len()` values long, in `outputs()` order).
    fn compute(&self, view: &View) -> Result<Vec<Series>>;
    /// Equal for two stages exactly when, given equal inputs, they compute equal outputs
    /// (a parameter sweep computes such stages once). Defaults to the `Debug` text.
    fn cache_key(&self) -> String {
        format!("{self:?}")
    }
}
