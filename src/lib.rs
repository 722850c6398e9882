//! tradeorch: research and backtest toolkit for strategies whose decisions are made by an
//! orchestrator coordinating model stages (indicators, forecasts, sentiment, retrieval, LLMs).
//!
//! Data flows one way: [`data`] → orchestrator → engine → metrics → report.

pub mod commands;
pub mod data;
pub mod engine;
pub mod metrics;
pub mod optimize;
pub mod orchestrator;
pub mod progress;
pub mod report;
pub mod strategy;
pub mod error;
pub mod interrupt;
#[cfg(test)]
mod testing;

pub use error::{Error, InputError, Result};
