//! Unit tests through `Config::parse` / `Config::load`: the exact messages users see.
//! tests/config_errors.rs checks the same mistakes through the binary. `err` and `ok` serve
//! `channel_tests` and `buffer_tests` too.

use std::path::{Path, PathBuf};

use super::*;
use crate::model::LocationKind;
use crate::routing::When;

pub(super) const FILE: &str = "/x/ordo.toml";

/// The error message for `text`, checked to be one line naming the file.
pub(super) fn err(text: &str) -> String {
    match Config::parse(text, Path::new(FILE)) {
        Ok(c) => panic!("expected an error for {text:?}, got {c:?}"),
        Err(e) => {
            let s = e.to_string();
            assert!(!s.contains('\n'), "not one line: {s:?}");
            assert!(s.starts_with(FILE), "does not name the file: {s}");
            s
        }
    }
}

/// The config `text` describes, which must be valid.
pub(super) fn ok(text: &str) -> Config {
    match Config::parse(text, Path::new(FILE)) {
        Ok(c) => c,
        Err(e) => panic!("unexpected error for {text:?}: {e}"),
    }
}

/// A valid location block to build bad files around.
const WH: &str = "[[locations]]\nid = \"wh-east\"\nkind = \"warehouse\"\n";

mod garbage;
mod rule_files;
mod rules;
mod sources;
mod syntax;
mod values;
