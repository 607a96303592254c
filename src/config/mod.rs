//! TOML configuration: where it comes from, its defaults, and validation whose errors name the
//! file, the line and the key, and say how to fix it.
//!
//! Loading goes through three steps, each in its own module:
//! 1. `outline`: parse into a schema-free tree of spans. Any failure here is a TOML syntax error;
//!    the tree later turns an error's byte span into a key path such as `locations[1].lat`.
//! 2. `raw`: deserialize into "as written" structs (`deny_unknown_fields`, `Spanned` values).
//!    Failures are unknown keys or wrong types, translated in `error`.
//! 3. `validate`: defaults and impossible values, producing the public [`Config`]. The
//!    `[[rules]]` are compiled there with routing's own checks (`RuleSet::new`, and
//!    `validate_rules` to list the problems when there are some), each problem placed on the line
//!    of the field at fault; plus one check only the config can make: an exact location id in a
//!    rule must be a configured location. `[[channels]]` (with their
//!    `[[channels.buffers]]`) and `[webhooks]` are checked in `validate_channels`, which never
//!    quotes a `*_env` value (it may be a pasted secret).
//!
//! Loading is cheap: two parses of the text and one compile of the rules, about 0.2 to 0.8 ms
//! for a 200-line file in a release build (globs such as `dc-[ab]` cost the most). So the
//! engine's hot reload simply loads the file again and takes [`Config::rule_set`], a copy of
//! what load compiled.
//!
//! Nothing here panics on any input; see the garbage tests at the bottom.

mod channels;
mod error;
mod outline;
mod raw;
mod validate;
mod validate_channels;

use std::path::{Path, PathBuf};

pub use channels::{
    ChannelConfig, ChannelSettings, WebhooksConfig, DEFAULT_AMAZON_TOKEN_URL, DEFAULT_OVERLAP_SECS,
    DEFAULT_POLL_INTERVAL_SECS, DEFAULT_SHOPIFY_API_VERSION,
};
pub use error::ConfigError;

use crate::model::Location;
use crate::routing::{OnUnroutable, Rule, RuleSet};

/// The embedded defaults, also the demo's world.
const DEFAULT_TOML: &str = include_str!("../../assets/default-config.toml");

/// How the embedded defaults are named in messages (they cannot fail, but a test may show it).
const EMBEDDED_ORIGIN: &str = "<built-in default config>";

/// Allowed values of `on_unroutable` as written; the first is the default.
pub const ON_UNROUTABLE: &[&str] = &["backorder", "hold"];
/// Allowed values of `console.theme`; the first is the default.
pub const THEMES: &[&str] = &["default", "light"];

/// Fallback data folder when neither the command line, the config nor the platform gives one.
const FALLBACK_DATA_DIR: &str = "./ordo-data";

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The file it was read from; `None` for the embedded defaults.
    pub source: Option<PathBuf>,
    /// As written in the file (relative paths are resolved by [`Config::resolve_data_dir`]).
    pub data_dir: Option<PathBuf>,
    pub store: StoreConfig,
    pub inventory: InventoryConfig,
    pub locations: Vec<Location>,
    /// `[[channels]]`, in file order: the sales channels ordo polls and pushes to, validated
    /// (unique ids, known kinds, URLs, environment variable names; see [`ChannelConfig`]).
    pub channels: Vec<ChannelConfig>,
    /// `[webhooks]`; `None` when the file has none (no webhook receiver).
    pub webhooks: Option<WebhooksConfig>,
    /// `[[rules]]` as written, in order, validated at load: [`Config::rule_set`] compiles them.
    /// Empty when the file has none (ordo then routes by [`RuleSet::fallback`]).
    pub rules: Vec<Rule>,
    /// What routing does with an order no rule allocates or holds: backorder (default) or hold.
    pub on_unroutable: OnUnroutable,
    pub console: ConsoleConfig,
    /// `rules` compiled once at load, so that [`Config::rule_set`] is a copy.
    compiled: CompiledRules,
}

/// The rule set compiled at load (glob patterns make compiling the costly part of a reload).
/// Not part of a config's identity: it is derived from `rules` and `on_unroutable`, which are
/// compared, and [`Config::rule_set`] only uses it while they still match it.
#[derive(Clone, Default)]
struct CompiledRules(Option<RuleSet>);

impl PartialEq for CompiledRules {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for CompiledRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CompiledRules")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreConfig {
    /// sled page cache, in MiB; 1 to 1048576 (1 TiB), so `mb * 1024 * 1024` never overflows.
    pub cache_capacity_mb: u64,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            cache_capacity_mb: 64,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InventoryConfig {
    /// Units per sku x location never offered to channels; at least 0.
    pub default_safety_stock: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleConfig {
    /// "default" or "light".
    pub theme: String,
    /// IANA zone name for displayed times ("America/Chicago", "UTC"), checked at load against
    /// the tz database. `None` = the machine's zone (`TZ`, else `/etc/localtime`).
    pub timezone: Option<String>,
    /// Name recorded as the actor of console actions; `None` = the login name.
    pub operator: Option<String>,
    /// Capture the mouse (wheel, click, double-click, pane tabs); off by default, so that the
    /// terminal's own text selection works.
    pub mouse: bool,
    /// Two panes side by side when the window is wide enough (160 columns); on by default.
    pub split: bool,
    /// `[console.keys]`: each remapped command (snake_case, e.g. "hold", "pane_1") with the
    /// keys that replace its defaults, in canonical form ("H", "ctrl-q", "alt-x", "enter",
    /// "pagedown", "f5", "space"), sorted by command. Commands not listed keep their defaults.
    pub keys: Vec<(String, Vec<String>)>,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        ConsoleConfig {
            theme: THEMES[0].to_owned(),
            timezone: None,
            operator: None,
            mouse: false,
            split: true,
            keys: Vec::new(),
        }
    }
}

impl Default for Config {
    /// The embedded defaults.
    fn default() -> Self {
        Config::embedded_default()
    }
}

/// Which checks depend on what the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Checks {
    /// An exact location id in a rule's `locations` must be one of the file's `[[locations]]`.
    pub location_ids: bool,
}

impl Checks {
    const CONFIG: Checks = Checks { location_ids: true };
}

/// Top-level keys a rules-only file may have (see [`Config::load_rules`]).
const RULES_ONLY_KEYS: &[&str] = &["on_unroutable", "rules"];

/// [`Config::load_rules`], for callers that only want the rules.
pub fn load_rules(path: &Path) -> Result<(Vec<Rule>, OnUnroutable), ConfigError> {
    Config::load_rules(path)
}

impl Config {
    /// Reads, parses and validates `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = read_text(path)?;
        Self::parse_from(&text, path, Some(path.to_path_buf()), Checks::CONFIG)
    }

    /// The routing rules of `path` and its `on_unroutable`, validated as [`Config::load`] does.
    /// For `ordo rules check FILE`, `ordo route --replay N --rules FILE`.
    ///
    /// The file is either a whole ordo config or a rules-only file: nothing at the top level but
    /// `on_unroutable` and `[[rules]]`. Every key is checked the same way in both (a rules-only
    /// file is a valid config), with one difference: a rules-only file has no `[[locations]]` to
    /// check against, so a pattern that is an exact location id is not checked there. A file that
    /// has `[[locations]]` (or any other config key) is a whole config, and its exact ids must
    /// name one of its locations.
    ///
    /// A file without `[[rules]]` gives what ordo would route by with that config: the one
    /// default rule of [`RuleSet::fallback`].
    pub fn load_rules(path: &Path) -> Result<(Vec<Rule>, OnUnroutable), ConfigError> {
        let text = read_text(path)?;
        let outline = outline::Outline::parse(&text).map_err(|e| error::syntax(&e, &text, path))?;
        let rules_only = outline
            .top_level_keys()
            .all(|k| RULES_ONLY_KEYS.contains(&k));
        let checks = Checks {
            location_ids: !rules_only,
        };
        let config = Self::parse_outlined(&text, path, Some(path.to_path_buf()), &outline, checks)?;
        let set = config.rule_set();
        Ok((set.rules().to_vec(), set.on_unroutable()))
    }

    /// The compiled routing rules: the `[[rules]]`, or [`RuleSet::fallback`] when there are none.
    pub fn rule_set(&self) -> RuleSet {
        if self.rules.is_empty() {
            return RuleSet::fallback(self.on_unroutable);
        }
        if let Some(set) = &self.compiled.0 {
            // The fields are public: use what load compiled only while they still say the same.
            if set.rules() == self.rules.as_slice() && set.on_unroutable() == self.on_unroutable {
                return set.clone();
            }
        }
        // Cannot fail: a `Config` comes only from `parse_from`, which refused the file on any
        // problem `RuleSet::new` or `validate_rules` (the same checks) found in these rules.
        // Only code that edits `rules` by hand after loading could get here with a bad rule, and
        // that is a bug in that code, which this names.
        RuleSet::new(self.rules.clone(), self.on_unroutable)
            .unwrap_or_else(|e| panic!("Config::rules were changed after validation: {e}"))
    }

    /// Parses and validates `text`; `origin` names it in messages and becomes [`Config::source`]
    /// (so a relative `data_dir` resolves against its folder).
    pub fn parse(text: &str, origin: &Path) -> Result<Config, ConfigError> {
        Self::parse_from(text, origin, Some(origin.to_path_buf()), Checks::CONFIG)
    }

    /// The defaults compiled into the binary (`assets/default-config.toml`).
    pub fn embedded_default() -> Config {
        // The text is a compile-time constant and `embedded_default_is_valid` parses it on every
        // test run, so this cannot fail at run time; if it ever did, it is our bug, not the user's.
        Self::parse_from(
            DEFAULT_TOML,
            Path::new(EMBEDDED_ORIGIN),
            None,
            Checks::CONFIG,
        )
        .unwrap_or_else(|e| panic!("assets/default-config.toml is invalid: {e}"))
    }

    /// Which config to use: `explicit` (from `--config` or `ORDO_CONFIG`) if given, and then a
    /// missing file is an error; else `$XDG_CONFIG_HOME/ordo/config.toml` if it exists; else the
    /// embedded defaults.
    pub fn discover(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        let user = directories::ProjectDirs::from("", "", "ordo")
            .map(|dirs| dirs.config_dir().join("config.toml"));
        Self::discover_in(explicit, user.as_deref())
    }

    /// `discover` with the per-user path passed in, so tests need not touch the environment.
    fn discover_in(explicit: Option<&Path>, user: Option<&Path>) -> Result<Config, ConfigError> {
        if let Some(path) = explicit {
            return Config::load(path);
        }
        match user {
            // `exists` rather than `is_file`: a directory there should be reported, not skipped.
            Some(path) if path.exists() => Config::load(path),
            _ => Ok(Config::embedded_default()),
        }
    }

    /// The data folder: `explicit` (`--data` / `ORDO_DATA`) > the config's `data_dir` (relative to
    /// the config file's folder; `~/` means the home folder) > the platform data folder
    /// (`$XDG_DATA_HOME/ordo`) > `./ordo-data`.
    pub fn resolve_data_dir(&self, explicit: Option<&Path>) -> PathBuf {
        let project = directories::ProjectDirs::from("", "", "ordo").map(|d| d.data_dir().into());
        let home = directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf());
        self.resolve_data_dir_in(explicit, project, home.as_deref())
    }

    fn resolve_data_dir_in(
        &self,
        explicit: Option<&Path>,
        project: Option<PathBuf>,
        home: Option<&Path>,
    ) -> PathBuf {
        if let Some(dir) = explicit {
            return dir.to_path_buf();
        }
        if let Some(dir) = &self.data_dir {
            if let (Ok(rest), Some(home)) = (dir.strip_prefix("~"), home) {
                return home.join(rest);
            }
            if dir.is_absolute() {
                return dir.clone();
            }
            // Relative to the file that said it, not to wherever ordo happens to be started.
            return match self.source.as_deref().and_then(Path::parent) {
                Some(folder) => folder.join(dir),
                None => dir.clone(),
            };
        }
        project.unwrap_or_else(|| PathBuf::from(FALLBACK_DATA_DIR))
    }

    pub fn location(&self, id: &str) -> Option<&Location> {
        self.locations.iter().find(|l| l.id == id)
    }

    fn parse_from(
        text: &str,
        file: &Path,
        source: Option<PathBuf>,
        checks: Checks,
    ) -> Result<Config, ConfigError> {
        let outline = outline::Outline::parse(text).map_err(|e| error::syntax(&e, text, file))?;
        Self::parse_outlined(text, file, source, &outline, checks)
    }

    fn parse_outlined(
        text: &str,
        file: &Path,
        source: Option<PathBuf>,
        outline: &outline::Outline,
        checks: Checks,
    ) -> Result<Config, ConfigError> {
        let raw: raw::RawConfig =
            toml::from_str(text).map_err(|e| error::schema(&e, text, file, outline))?;
        validate::build(raw, text, file, outline, source, checks)
    }
}

/// The file's text, or the error naming it: missing, unreadable, or not UTF-8 (with the line).
fn read_text(path: &Path) -> Result<String, ConfigError> {
    let bytes = std::fs::read(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            ConfigError::NotFound {
                file: path.to_path_buf(),
            }
        } else {
            ConfigError::Unreadable {
                file: path.to_path_buf(),
                source,
            }
        }
    })?;
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let bytes = e.as_bytes();
            let at = e.utf8_error().valid_up_to();
            let line = bytes[..at.min(bytes.len())]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            return Err(ConfigError::Syntax {
                file: path.to_path_buf(),
                line: Some(line),
                message: "the file is not valid UTF-8 text; save it as UTF-8".to_owned(),
            });
        }
    };
    Ok(text)
}

#[cfg(test)]
mod buffer_tests;
#[cfg(test)]
mod channel_tests;
#[cfg(test)]
mod tests;
