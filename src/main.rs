//! The `tradeorch` command line: parses arguments and calls into the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tradeorch::commands::{self, BacktestOptions};
use tradeorch::engine::{ExecutionSpec, Fill};
use tradeorch::{data, report, Error};

/// Research and backtest toolkit for orchestrated trading strategies.
#[derive(Parser)]
#[command(name = "tradeorch", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a strategy on historical data and write a report folder.
    Backtest(BacktestArgs),
    /// Work with data files.
    Data {
        #[command(subcommand)]
        command: DataCommand,
    },
}

#[derive(clap::Args)]
struct BacktestArgs {
    /// CSV or Parquet file of OHLCV bars [default: the strategy's [data], else the embedded GOOG daily set].
    #[arg(long)]
    data: Option<PathBuf>,
    /// Strategy file, or the name of a built-in strategy.
    #[arg(long, default_value = commands::DEFAULT_STRATEGY)]
    strategy: String,
    /// Symbol to trade from a file with several symbols.
    #[arg(long)]
    symbol: Option<String>,
    /// First date/time to use (inclusive), e.g. 2008-01-01.
    #[arg(long)]
    from: Option<String>,
    /// Last date/time to use (inclusive).
    #[arg(long)]
    to: Option<String>,
    /// Starting cash.
    #[arg(long)]
    cash: Option<f64>,
    /// Commission as a fraction of traded value, at entry and exit (0.002 = 0.2 %).
    #[arg(long)]
    commission: Option<f64>,
    /// When market orders fill: next-open (default) or close.
    #[arg(long)]
    fill: Option<Fill>,
    /// Report folder [default: reports/<strategy>-<data>].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print the statistics as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum DataCommand {
    /// Print rows, date range, columns, gaps and problems of a data file.
    Inspect {
        /// CSV or Parquet file.
        file: PathBuf,
    },
}

fn backtest(args: BacktestArgs) -> Result<(), Error> {
    let opts = BacktestOptions {
        data: args.data,
        strategy: Some(args.strategy),
        symbol: args.symbol,
        from: args.from,
        to: args.to,
        overrides: ExecutionSpec {
            cash: args.cash,
            commission: args.commission,
            fill: args.fill,
            ..ExecutionSpec::default()
        },
        out: args.out,
    };
    let outcome = commands::backtest(&opts)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&outcome.backtest.stats).expect("stats serialize"));
    } else {
        println!("{}\n", outcome.strategy.name());
        print!("{}", report::summary_table(&outcome.backtest.stats));
        println!("\nReport written to {}", outcome.report_dir.display());
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Backtest(args) => backtest(args),
        Command::Data { command: DataCommand::Inspect { file } } => {
            data::inspect::inspect(&file).map(|i| print!("{i}")).map_err(Error::from)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
