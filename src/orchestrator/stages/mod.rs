//! Built-in stages: technical indicators and the `stub` stand-in for models.

mod indicator;
pub mod stub;

pub use indicator::{Indicator, IndicatorStage};
pub use stub::StubStage;
