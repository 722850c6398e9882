//! Ctrl-C: the binary installs a handler that sets this flag on the first press; long
//! commands (sweeps) check it between chunks of work and finish with what is complete.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Folders being written (not yet renamed into place), removed if the process quits at once.
static UNFINISHED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The flag set by the first Ctrl-C.
pub fn flag() -> &'static AtomicBool {
    &REQUESTED
}

/// Notes that `dir` is being written, until the returned guard is dropped: a second Ctrl-C
/// removes it before quitting.
pub fn unfinished(dir: &Path) -> Unfinished {
    UNFINISHED.lock().unwrap_or_else(|e| e.into_inner()).push(dir.to_path_buf());
    Unfinished(dir.to_path_buf())
}

/// See [`unfinished`].
pub struct Unfinished(PathBuf);

impl Drop for Unfinished {
    fn drop(&mut self) {
        UNFINISHED.lock().unwrap_or_else(|e| e.into_inner()).retain(|p| p != &self.0);
    }
}

/// Installs the handler: the first Ctrl-C asks running work to stop, the second removes
/// the folders being written and exits at once with status 130.
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        if REQUESTED.swap(true, Ordering::SeqCst) {
            for dir in UNFINISHED.lock().unwrap_or_else(|e| e.into_inner()).iter() {
                let _ = std::fs::remove_dir_all(dir);
            }
            std::process::exit(130);
        }
        eprintln!("\ninterrupted: finishing the work in progress (Ctrl-C again to quit at once)");
    });
}
