//! Built-in stages: technical indicators, lexicon news sentiment, and the `stub` stand-in
//! for models.

mod indicator;
mod sentiment;
pub mod stub;

pub use indicator::{Indicator, IndicatorStage};
pub use sentiment::{SentimentStage, NEGATIVE, POSITIVE};
pub use stub::StubStage;
