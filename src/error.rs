//! Error types shared by every module, with the process exit code each maps to.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem with something the user gave us (a data file, a strategy file, a flag).
///
/// Rendered on one line as `FILE: line N, column "C": message` (location parts are omitted
/// when unknown). Maps to exit code 2.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    /// The file the problem is in (or the flag name, for command-line values).
    pub file: PathBuf,
    /// Where in the file: `line 12` for text files, `row 12` for Parquet, `key stages[1].period` ….
    pub location: Option<String>,
    /// The column or key concerned.
    pub column: Option<String>,
    /// What is wrong, in plain words.
    pub message: String,
}

impl InputError {
    /// A problem with the file as a whole.
    pub fn new(file: impl AsRef<Path>, message: impl Into<String>) -> Self {
        InputError {
            file: file.as_ref().to_path_buf(),
            location: None,
            column: None,
            message: message.into(),
        }
    }

    /// Adds where in the file the problem is (`line 3`, `row 3`, `key policy.kind`).
    pub fn at(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    /// Adds the column or key the problem is in.
    pub fn column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        match (&self.location, &self.column) {
            (Some(loc), Some(col)) => write!(f, ": {loc}, column \"{col}\"")?,
            (Some(loc), None) => write!(f, ": {loc}")?,
            (None, Some(col)) => write!(f, ": column \"{col}\"")?,
            (None, None) => {}
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for InputError {}

/// Every error the library returns.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad user input (exit code 2).
    #[error("{0}")]
    Input(#[from] InputError),
    /// An I/O failure that is not the user's input being wrong (exit code 1).
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// A strategy asked for something the engine cannot do at run time (exit code 1).
    #[error("{0}")]
    Run(String),
    /// Ctrl-C stopped the command before it had anything complete to write (exit code 130).
    #[error("interrupted before anything was complete: nothing written")]
    Interrupted,
}

impl Error {
    /// Wraps an I/O error with what we were doing.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// The process exit code for this error: 2 for bad input, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) => 2,
            Error::Io { .. } | Error::Run(_) => 1,
            Error::Interrupted => 130,
        }
    }
}

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
