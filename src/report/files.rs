//! Writing a run folder atomically: into a temporary folder beside it, renamed into place
//! once complete.

use std::fs;
use std::path::{Path, PathBuf};

use super::charts::ChartOptions;
use super::html::write_report;
use super::run::RunRecord;
use crate::error::{Error, Result};

/// Writes `record` as the run folder `dir` — its data files, charts and `report.html` —
/// replacing any previous one only once the new one is complete. Returns the folder's path.
pub fn write_run(dir: &Path, record: &RunRecord, charts: &ChartOptions) -> Result<PathBuf> {
    write_atomically(dir, |tmp| {
        record.write_files(tmp)?;
        write_report(record, tmp, charts).map(drop)
    })
}

/// Creates the folder `dir` inside an existing folder (fine if it exists already). Unlike
/// `create_dir_all` it never re-creates a missing parent, so a writer cannot bring back an
/// unfinished folder that a second Ctrl-C has just removed.
pub fn create_subfolder(dir: &Path) -> Result<()> {
    match fs::create_dir(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
            Err(Error::io(format!("creating {}", dir.display()), e))
        }
        _ => Ok(()),
    }
}

/// Creates the folder `dir` by letting `fill` write into a temporary folder beside it, then
/// renaming that into place — replacing any previous `dir` only then. When `fill` fails,
/// nothing is left behind and any previous `dir` stays.
pub fn write_atomically(dir: &Path, fill: impl FnOnce(&Path) -> Result<()>) -> Result<PathBuf> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent)
        .map_err(|e| Error::io(format!("creating {}", parent.display()), e))?;
    let temp = |prefix: &str| {
        tempfile::Builder::new()
            .prefix(prefix)
            .tempdir_in(&parent)
            .map_err(|e| {
                Error::io(
                    format!("creating a temporary folder in {}", parent.display()),
                    e,
                )
            })
    };
    let tmp = temp(".tradeorch-run-")?;
    let unfinished = crate::interrupt::unfinished(tmp.path());
    fill(tmp.path())?;
    // The previous run (if any) is moved aside, and deleted when `_previous` is dropped at
    // the end of `publish`, so a second Ctrl-C leaves neither a temporary nor an old folder.
    unfinished.publish(|| {
        let _previous = if dir.exists() {
            let old = temp(".tradeorch-old-")?;
            fs::rename(dir, old.path().join("run"))
                .map_err(|e| Error::io(format!("replacing {}", dir.display()), e))?;
            Some(old)
        } else {
            None
        };
        let kept = tmp.keep();
        fs::rename(&kept, dir).map_err(|e| {
            let _ = fs::remove_dir_all(&kept);
            Error::io(format!("moving the report into {}", dir.display()), e)
        })
    })?;
    Ok(dir.to_path_buf())
}
