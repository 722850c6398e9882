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
    lock().push(dir.to_path_buf());
    Unfinished(dir.to_path_buf())
}

/// See [`unfinished`].
pub struct Unfinished(PathBuf);

impl Unfinished {
    /// Runs `publish` (which moves the finished folder into place) with no second Ctrl-C able
    /// to remove the folder meanwhile: the handler waits until it is done, and by then the
    /// folder is no longer unfinished.
    pub fn publish<R>(self, publish: impl FnOnce() -> R) -> R {
        let mut dirs = lock();
        let result = publish();
        dirs.retain(|p| p != &self.0);
        drop(dirs);
        std::mem::forget(self);
        result
    }
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        lock().retain(|p| p != &self.0);
    }
}

fn lock() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    UNFINISHED.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes `dir` although other threads may still be writing into it: a file created during
/// the removal makes it fail, so it is retried. Writers create only files and sub-folders of
/// existing folders (see [`crate::report::create_subfolder`]), so once gone it stays gone.
fn remove_while_written(dir: &Path) {
    for _ in 0..100 {
        if std::fs::remove_dir_all(dir).is_ok() || !dir.exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

/// Installs the handler: the first Ctrl-C asks running work to stop, the second removes
/// the folders being written and exits at once with status 130.
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        if REQUESTED.swap(true, Ordering::SeqCst) {
            for dir in lock().iter() {
                remove_while_written(dir);
            }
            std::process::exit(130);
        }
        eprintln!("\ninterrupted: finishing the work in progress (Ctrl-C again to quit at once)");
    });
}
