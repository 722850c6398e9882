//! Helpers shared by integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tradeorch::data::{load_bars, Bars, LoadOptions};

/// Path of a file in the repository.
pub fn repo_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Runs the `tradeorch` binary with `args` in `cwd`.
pub fn tradeorch(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tradeorch"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("binary runs")
}

/// The embedded GOOG daily data set.
pub fn goog() -> Bars {
    load_bars(&repo_path("data/GOOG.csv"), &LoadOptions::default()).expect("GOOG loads")
}

/// Files in `dir`, recursively, as (relative path, bytes), sorted by path.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.push((path.strip_prefix(root).unwrap().to_path_buf(), std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files);
    files.sort();
    files
}

/// Relative difference, treating two NaNs (or two equal infinities) as equal.
pub fn rel_diff(a: f64, b: f64) -> f64 {
    if (a.is_nan() && b.is_nan()) || a == b {
        return 0.0;
    }
    (a - b).abs() / a.abs().max(b.abs()).max(1e-300)
}
