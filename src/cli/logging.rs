//! Logs go to files under the data dir (daily files through tracing-appender), never onto the
//! terminal, where they would tear through the console's screen. `ORDO_LOG` sets the filter.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Starts file logging; the guard flushes the log when dropped, so keep it until exit. Failing to
/// set up logging is not a reason to refuse the command: it says so and goes on.
pub fn init(data_dir: &Path) -> Option<WorkerGuard> {
    let dir = data_dir.join("logs");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("warning: no log file: cannot create {}: {e}", dir.display());
        return None;
    }
    let appender = tracing_appender::rolling::daily(&dir, "ordo.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("ORDO_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let installed = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init();
    installed.ok().map(|_| guard)
}
