use std::process::ExitCode;

use clap::Parser;

use ordo::cli::{self, Cli, UserError};

fn main() -> ExitCode {
    // `ordo orders | head`: when the reader goes away, end quietly like any Unix tool instead of
    // panicking on the failed print. Rust ignores SIGPIPE by default; restore the default.
    // SAFETY: called first thing, before any thread exists; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // `ORDO_DATA= ordo ...` means "not set", as shells and scripts intend; clap would take it
    // as an empty value and refuse. Nothing else runs yet, so changing the environment is safe.
    for name in ["ORDO_DATA", "ORDO_CONFIG"] {
        if std::env::var_os(name).is_some_and(|v| v.is_empty()) {
            std::env::remove_var(name);
        }
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors; everything else clap reports is the user's.
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if e.downcast_ref::<UserError>().is_some() {
                eprintln!("error: {e}");
                ExitCode::from(2)
            } else {
                eprintln!("error: {e:#}");
                ExitCode::from(1)
            }
        }
    }
}
