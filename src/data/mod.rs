//! Market data: loading CSV/Parquet files into plain column vectors, and validating them.

mod documents;
mod load;
mod validate;
pub mod inspect;

use serde::{Deserialize, Serialize};

pub use documents::{load_documents, Document};
pub use inspect::{inspect, Inspection};
pub use load::{format_timestamp, load_bars, load_csv_bytes, parse_timestamp, Format, LoadOptions};

/// One of the price columns of [`Bars`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PriceField {
    Open,
    High,
    Low,
    #[default]
    Close,
}

impl PriceField {
    /// The field with this lower-case name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "open" => Some(PriceField::Open),
            "high" => Some(PriceField::High),
            "low" => Some(PriceField::Low),
            "close" => Some(PriceField::Close),
            _ => None,
        }
    }
}

/// OHLCV bars of one symbol, oldest first, as plain column vectors of equal length.
///
/// Invariants (checked by the loader): at least one bar, timestamps strictly increasing,
/// prices finite and > 0, `low <= min(open, close)` and `high >= max(open, close)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Bars {
    /// The symbol, when the file had a symbol column or one was chosen.
    pub symbol: Option<String>,
    /// Bar timestamps: nanoseconds since 1970-01-01T00:00:00, naive (no time zone).
    pub time: Vec<i64>,
    pub open: Vec<f64>,
    pub high: Vec<f64>,
    pub low: Vec<f64>,
    pub close: Vec<f64>,
    /// Volume, when the file has a volume column.
    pub volume: Option<Vec<f64>>,
}

impl Bars {
    /// The bars in `range` (by index), as a copy.
    pub fn slice(&self, range: std::ops::Range<usize>) -> Bars {
        let cut = |v: &Vec<f64>| v[range.clone()].to_vec();
        Bars {
            symbol: self.symbol.clone(),
            time: self.time[range.clone()].to_vec(),
            open: cut(&self.open),
            high: cut(&self.high),
            low: cut(&self.low),
            close: cut(&self.close),
            volume: self.volume.as_ref().map(cut),
        }
    }

    /// Number of bars.
    pub fn len(&self) -> usize {
        self.time.len()
    }

    /// True when there are no bars.
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// A price column.
    pub fn price(&self, field: PriceField) -> &[f64] {
        match field {
            PriceField::Open => &self.open,
            PriceField::High => &self.high,
            PriceField::Low => &self.low,
            PriceField::Close => &self.close,
        }
    }
}
