//! Ctrl-C: the binary installs a handler that sets this flag on the first press; long
//! commands (sweeps) check it between chunks of work and finish with what is complete.

use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// The flag set by the first Ctrl-C.
pub fn flag() -> &'static AtomicBool {
    &REQUESTED
}

/// Installs the handler: the first Ctrl-C asks running work to stop, the second exits at
/// once with status 130 (leaving no report folder: those are only renamed into place when
/// complete).
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        if REQUESTED.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\ninterrupted: finishing the work in progress (Ctrl-C again to quit at once)");
    });
}
