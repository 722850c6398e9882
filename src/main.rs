//! The `tradeorch` command line: parses arguments and calls into the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tradeorch::commands::{self, BacktestOptions, CompareOptions, DataChoice, LookaheadOptions};
use tradeorch::engine::{ExecutionSpec, Fill};
use tradeorch::report::charts::ChartOptions;
use tradeorch::{data, report, Error};

/// mimalloc (its version 2): a sweep allocates and frees many short-lived series on both
/// cores, on which the system allocator spent about a sixth of a sweep's CPU time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Research and backtest toolkit for orchestrated trading strategies.
#[derive(Parser)]
#[command(name = "tradeorch", version, about)]
struct Cli {
    /// Hide progress bars.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a strategy on historical data and write a report folder.
    Backtest(BacktestArgs),
    /// Run several strategies on the same data (in parallel), or compare finished runs.
    Compare(CompareArgs),
    /// Regenerate the charts and report.html of a finished run, without re-running it.
    Report {
        /// A run folder written by `tradeorch backtest`.
        run_dir: PathBuf,
        /// Draw the equity curve on a log scale.
        #[arg(long)]
        log_scale: bool,
    },
    /// Work with data files.
    Data {
        #[command(subcommand)]
        command: DataCommand,
    },
    /// List the available strategies, or show one with its defaults.
    Strategies {
        #[command(subcommand)]
        command: Option<StrategiesCommand>,
    },
    /// Print the audit record of the decisions of a finished run on a date.
    Explain {
        /// A run folder written by `tradeorch backtest`.
        run_dir: PathBuf,
        /// The date (or date-time prefix), e.g. 2010-05-03.
        #[arg(long)]
        date: String,
    },
    /// Run every combination of some strategy parameters (or a random sample), in parallel, with overfitting statistics.
    Sweep(SweepArgs),
    /// Optimise on rolling or anchored training windows and trade the choice on the following test windows.
    Walkforward(WalkForwardArgs),
    /// Check that no stage output or policy signal at time t changes when data after t changes.
    CheckLookahead(LookaheadArgs),
}

#[derive(clap::Args)]
struct DataArgs {
    /// CSV or Parquet file of OHLCV bars [default: the strategy's [data], else the embedded GOOG daily set].
    #[arg(long)]
    data: Option<PathBuf>,
    /// Symbol to trade from a file with several symbols.
    #[arg(long)]
    symbol: Option<String>,
    /// First date/time to use (inclusive), e.g. 2008-01-01.
    #[arg(long)]
    from: Option<String>,
    /// Last date/time to use (inclusive).
    #[arg(long)]
    to: Option<String>,
}

impl DataArgs {
    fn choice(self) -> DataChoice {
        DataChoice { data: self.data, symbol: self.symbol, from: self.from, to: self.to }
    }
}

#[derive(clap::Args)]
struct LookaheadArgs {
    /// Strategy file, or the name of a built-in strategy.
    #[arg(long, default_value = commands::DEFAULT_STRATEGY)]
    strategy: String,
    #[command(flatten)]
    data: DataArgs,
    /// Number of cut-off times, spread evenly over the data.
    #[arg(long, default_value_t = 20)]
    samples: usize,
    /// Print the findings as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct CompareArgs {
    /// Strategy files or built-in names.
    #[arg(required_unless_present = "runs", conflicts_with = "runs")]
    strategies: Vec<String>,
    /// Compare these finished run folders instead.
    #[arg(long, num_args = 1..)]
    runs: Vec<PathBuf>,
    #[command(flatten)]
    data: DataArgs,
    /// buy-and-hold (of the traded data) or a data file whose close is bought and held.
    #[arg(long, default_value = "buy-and-hold")]
    benchmark: commands::Benchmark,
    /// Output folder [default: reports/compare-<names>].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print the comparison as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum StrategiesCommand {
    /// Print a strategy with every default filled in.
    Show {
        /// Strategy name or file.
        name: String,
    },
}

#[derive(clap::Args)]
struct ExecArgs {
    /// Starting cash.
    #[arg(long)]
    cash: Option<f64>,
    /// Commission as a fraction of traded value, at entry and exit (0.002 = 0.2 %).
    #[arg(long)]
    commission: Option<f64>,
    /// When market orders fill: next-open (default) or close.
    #[arg(long)]
    fill: Option<Fill>,
}

impl ExecArgs {
    fn overrides(self) -> ExecutionSpec {
        ExecutionSpec { cash: self.cash, commission: self.commission, fill: self.fill, ..ExecutionSpec::default() }
    }
}

/// What a run uses: the strategy, the data, the execution overrides.
#[derive(clap::Args)]
struct RunArgs {
    /// Strategy file, or the name of a built-in strategy.
    #[arg(long, default_value = commands::DEFAULT_STRATEGY)]
    strategy: String,
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    exec: ExecArgs,
}

/// The parameter search of `sweep` and `walkforward`.
#[derive(clap::Args)]
struct SearchArgs {
    #[command(flatten)]
    run: RunArgs,
    /// A swept parameter: name=lo..hi:step (ends included), name=a,b,c or name=value. Repeat for each.
    #[arg(long = "param", required = true)]
    params: Vec<String>,
    /// Keep only combinations where this expression over the parameters holds, e.g. "fast < slow".
    #[arg(long)]
    constraint: Option<String>,
    /// The statistic to maximise: sharpe, sortino, calmar, return, cagr, win_rate, equity, expectancy, or any statistics key.
    #[arg(long, default_value = "sharpe")]
    maximize: String,
    /// Random search: run this many combinations drawn at random (with --seed) instead of all.
    #[arg(long)]
    samples: Option<usize>,
    /// Seed of the random search.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

impl SearchArgs {
    fn options(self) -> commands::SearchOptions {
        commands::SearchOptions {
            strategy: Some(self.run.strategy),
            data: self.run.data.choice(),
            overrides: self.run.exec.overrides(),
            params: self.params,
            constraint: self.constraint,
            maximize: self.maximize,
            samples: self.samples,
            seed: self.seed,
        }
    }
}

#[derive(clap::Args)]
struct SweepArgs {
    #[command(flatten)]
    search: SearchArgs,
    /// Rows of the table of best combinations.
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// Blocks S of the PBO cross-validation (even) [default: 16, fewer for very large sweeps].
    #[arg(long)]
    pbo_splits: Option<usize>,
    /// The two parameters of the heatmap, e.g. fast,slow [default: the first two swept].
    #[arg(long, value_parser = parse_pair)]
    heatmap: Option<(String, String)>,
    /// Output folder [default: reports/sweep-<strategy>-<data>].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print the summary (summary.json) instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct WalkForwardArgs {
    #[command(flatten)]
    search: SearchArgs,
    /// Training window: 3y, 6m, 2w, 30d, or a number of bars.
    #[arg(long)]
    train: String,
    /// Test window, in the same units.
    #[arg(long)]
    test: String,
    /// Train on all the data before each test window (anchored) instead of a rolling window.
    #[arg(long)]
    anchored: bool,
    /// Output folder [default: reports/walkforward-<strategy>-<data>].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print the summary (summary.json) instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct BacktestArgs {
    #[command(flatten)]
    run: RunArgs,
    /// Report folder [default: reports/<strategy>-<data>].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print the statistics as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Draw the report's equity curve on a log scale.
    #[arg(long)]
    log_scale: bool,
}

#[derive(Subcommand)]
enum DataCommand {
    /// Print rows, date range, columns, gaps and problems of a data file.
    Inspect {
        /// CSV or Parquet file.
        file: PathBuf,
    },
}

/// `a,b` as a pair.
fn parse_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once(',') {
        Some((a, b)) if !a.trim().is_empty() && !b.trim().is_empty() => Ok((a.trim().to_string(), b.trim().to_string())),
        _ => Err(format!("expected two names separated by a comma, e.g. fast,slow; got \"{s}\"")),
    }
}

fn backtest(args: BacktestArgs) -> Result<(), Error> {
    let opts = BacktestOptions {
        strategy: Some(args.run.strategy),
        data: args.run.data.choice(),
        overrides: args.run.exec.overrides(),
        out: args.out,
        charts: ChartOptions { log_scale: args.log_scale },
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

fn compare(args: CompareArgs) -> Result<(), Error> {
    let opts = CompareOptions {
        strategies: args.strategies,
        runs: args.runs,
        data: args.data.choice(),
        overrides: ExecutionSpec::default(),
        benchmark: args.benchmark,
        out: args.out,
    };
    let c = commands::compare(&opts)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&c).expect("comparison serializes"));
    } else {
        print!("{}", commands::comparison_table(&c));
        println!("\n{}", c.verdict);
        println!("\nComparison written to {}", c.dir.display());
    }
    Ok(())
}

/// Prints the sweep's best combinations and overfitting statistics; returns whether it ran
/// to the end.
fn sweep(args: SweepArgs) -> Result<bool, Error> {
    let opts = commands::SweepOptions {
        search: args.search.options(),
        top: args.top,
        pbo_splits: args.pbo_splits,
        heatmap: args.heatmap,
        out: args.out,
    };
    let outcome = commands::sweep(&opts, tradeorch::interrupt::flag())?;
    if args.json {
        print_summary(&outcome.dir)?;
    } else {
        print!("{}", commands::sweep_table(&outcome));
        println!("\nSweep written to {}", outcome.dir.display());
    }
    if outcome.partial {
        eprintln!(
            "interrupted: {} of {} combinations written, marked partial (PARTIAL.txt, summary.json)",
            outcome.result.completed, outcome.result.total
        );
    }
    Ok(!outcome.partial)
}

/// Prints a report folder's summary.json.
fn print_summary(dir: &std::path::Path) -> Result<(), Error> {
    let path = dir.join("summary.json");
    let summary = std::fs::read_to_string(&path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    print!("{summary}");
    Ok(())
}

fn walkforward(args: WalkForwardArgs) -> Result<(), Error> {
    let opts = commands::WalkForwardOptions {
        search: args.search.options(),
        train: args.train,
        test: args.test,
        anchored: args.anchored,
        out: args.out,
    };
    let outcome = commands::walkforward(&opts, tradeorch::interrupt::flag())?;
    if args.json {
        print_summary(&outcome.dir)?;
    } else {
        print!("{}", commands::walkforward_table(&outcome));
        println!("\nWalk-forward analysis written to {}", outcome.dir.display());
    }
    Ok(())
}

fn strategies(command: Option<StrategiesCommand>) -> Result<(), Error> {
    match command {
        None => {
            let infos = commands::list_strategies(std::path::Path::new("strategies"))?;
            let width = infos.iter().map(|i| i.name.len()).max().unwrap_or(0);
            for i in infos {
                println!("{:<width$}  {}  [{}]", i.name, i.description, i.source);
            }
        }
        Some(StrategiesCommand::Show { name }) => print!("{}", commands::show_strategy(&name)?),
    }
    Ok(())
}

/// Prints the findings; returns whether the strategy is free of look-ahead.
fn check_lookahead(args: LookaheadArgs) -> Result<bool, Error> {
    let opts = LookaheadOptions { strategy: args.strategy, data: args.data.choice(), samples: args.samples };
    let report = commands::check_lookahead(&opts)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report).expect("report serializes"));
    } else {
        println!(
            "checked {} outputs at {} cut-offs (truncated and scrambled future)",
            report.outputs.len(),
            report.cutoffs.len()
        );
        for name in &report.outputs {
            let leaks: Vec<_> = report.leaks.iter().filter(|l| &l.output == name).collect();
            if leaks.is_empty() {
                println!("  ok    {name}");
            }
            for l in leaks {
                println!(
                    "  LEAK  {name}: with the future {} after bar {}, bar {} changed from {} to {}",
                    l.test, l.cutoff, l.bar, l.full_value, l.changed_value
                );
            }
        }
    }
    Ok(report.leaks.is_empty())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tradeorch::progress::set_quiet(cli.quiet);
    tradeorch::interrupt::install();
    let result = match cli.command {
        Command::Backtest(args) => backtest(args),
        Command::Compare(args) => compare(args),
        Command::Data { command: DataCommand::Inspect { file } } => {
            data::inspect::inspect(&file).map(|i| print!("{i}")).map_err(Error::from)
        }
        Command::Strategies { command } => strategies(command),
        Command::Report { run_dir, log_scale } => {
            commands::report(&run_dir, &ChartOptions { log_scale }).map(|()| println!("Report written to {}", run_dir.join("report.html").display()))
        }
        Command::Explain { run_dir, date } => commands::explain(&run_dir, &date).map(|t| print!("{t}")),
        Command::Sweep(args) => match sweep(args) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(130),
            Err(e) => Err(e),
        },
        Command::Walkforward(args) => walkforward(args),
        Command::CheckLookahead(args) => match check_lookahead(args) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(1),
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
