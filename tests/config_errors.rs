//! Config mistakes through the real binary: `ordo --config F --data D check` must exit 2 with a
//! one-line `error: F:LINE: ...` naming the key, and never panic or print a backtrace.
//! The exact wording is pinned by the unit tests in src/config/tests.rs; these check the contract
//! the CLI promises (DESIGN.md "Command line").

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, text).expect("write config");
        p
    }

    /// `ordo` with the environment pointed into the sandbox, so nothing reads or writes the real
    /// home; a panic would print a backtrace, which the checks below look for.
    fn ordo(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ordo"));
        c.env_remove("ORDO_CONFIG")
            .env_remove("ORDO_DATA")
            .env("HOME", self.path("home"))
            .env("XDG_CONFIG_HOME", self.path("xdg-config"))
            .env("XDG_DATA_HOME", self.path("xdg-data"))
            .env("RUST_BACKTRACE", "1");
        c
    }

    /// `ordo --config FILE --data SANDBOX/data check`
    fn check(&self, config: &Path) -> Output {
        self.ordo()
            .arg("--config")
            .arg(config)
            .arg("--data")
            .arg(self.path("data"))
            .arg("check")
            .output()
            .expect("run ordo")
    }
}

/// Exit 2, one line `error: FILE:LINE: ...` containing every `needles`, no panic.
fn assert_config_error(out: &Output, file: &Path, line: Option<usize>, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let ctx = format!(
        "status {:?}\nstderr:\n{stderr}\nstdout:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(out.status.code(), Some(2), "{ctx}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{ctx}"
    );
    let msg = stderr.trim_end();
    assert!(!msg.contains('\n'), "not one line: {ctx}");
    let prefix = match line {
        Some(n) => format!("error: {}:{n}: ", file.display()),
        None => format!("error: config file {}: ", file.display()),
    };
    assert!(
        msg.starts_with(&prefix),
        "expected prefix {prefix:?}: {ctx}"
    );
    for needle in needles {
        assert!(msg.contains(needle), "expected {needle:?}: {ctx}");
    }
}

/// The body of a valid Shopify channel (3 lines).
const SHOP: &str =
    "kind = \"shopify\"\nbase_url = \"https://a.myshopify.com\"\ntoken_env = \"SHOPIFY_TOKEN\"\n";

/// A valid location to surround the mistakes with.
const WH: &str =
    "[[locations]]\nid = \"wh-east\"\nkind = \"warehouse\"\nlat = 40.73\nlon = -74.17\n";

/// (file contents, line, what the message must contain)
fn cases() -> Vec<(String, usize, Vec<&'static str>)> {
    vec![
        // syntax error
        (
            format!("{WH}\n[[locations]\nid = \"b\"\n"),
            7,
            vec!["TOML syntax error", "invalid table header"],
        ),
        // unknown key (typo)
        (
            format!("{WH}\n[[locations]]\nid = \"wh-west\"\nkind = \"warehouse\"\nprority = 2\n"),
            10,
            vec![
                "unknown key `prority` in [[locations]] #2",
                "expected one of: id, name, kind, priority",
                "did you mean `priority`?",
            ],
        ),
        (
            "[store]\ncache_capacity = 64\n".to_owned(),
            2,
            vec!["unknown key `cache_capacity` in [store]", "cache_capacity_mb"],
        ),
        (
            "on_unroutable = \"hold\"\ncolour = \"red\"\n".to_owned(),
            2,
            vec!["unknown key `colour` at the top level"],
        ),
        // wrong type
        (
            "# sizes\n\n\n[store]\ncache_capacity_mb = \"big\"\n".to_owned(),
            5,
            vec!["store.cache_capacity_mb: invalid type: string \"big\", expected u64"],
        ),
        (
            format!("{WH}priority = \"high\"\n"),
            6,
            vec!["locations[0].priority: invalid type: string \"high\""],
        ),
        (
            "[locations]\nid = \"a\"\n".to_owned(),
            1,
            vec!["locations: invalid type: map, expected a sequence", "[[locations]]"],
        ),
        // duplicate location id: this line, and the first one's
        (
            format!("{WH}\n[[locations]]\nid = \"wh-east\"\nkind = \"store\"\n"),
            8,
            vec![
                "locations[1].id = \"wh-east\" is already used by locations[0] at line 2",
                "unique",
            ],
        ),
        // latitude 200
        (
            format!("{WH}\n[[locations]]\nid = \"wh-west\"\nkind = \"warehouse\"\nlat = 200\nlon = -119.8\n"),
            10,
            vec!["locations[1].lat = 200 is out of range; a latitude is between -90 and 90"],
        ),
        (
            format!("{WH}\n[[locations]]\nid = \"wh-west\"\nkind = \"warehouse\"\nlat = 39.5\nlon = -200\n"),
            11,
            vec!["locations[1].lon = -200 is out of range; a longitude is between -180 and 180"],
        ),
        (
            "[[locations]]\nid = \"a\"\nkind = \"store\"\nlat = 40.7\n".to_owned(),
            4,
            vec!["locations[0] has lat but no lon", "both"],
        ),
        (
            format!("{WH}priority = 0\n"),
            6,
            vec!["locations[0].priority = 0 is out of range", "from 1"],
        ),
        (
            "[store]\ncache_capacity_mb = 0\n".to_owned(),
            2,
            vec!["store.cache_capacity_mb = 0 is too small", "at least 1"],
        ),
        (
            "[store]\ncache_capacity_mb = 9223372036854775807\n".to_owned(),
            2,
            vec!["store.cache_capacity_mb = 9223372036854775807 is too large"],
        ),
        (
            "\n[inventory]\ndefault_safety_stock = -1\n".to_owned(),
            3,
            vec!["inventory.default_safety_stock = -1 is negative"],
        ),
        (
            "[[locations]]\nid = \"a\"\nkind = \"shop\"\n".to_owned(),
            3,
            vec!["locations[0].kind = \"shop\" is not a location kind", "\"warehouse\", \"store\" or \"dropship\""],
        ),
        (
            "[[locations]]\nid = \"\"\nkind = \"store\"\n".to_owned(),
            2,
            vec!["locations[0].id is empty"],
        ),
        (
            "[[locations]]\nid = \"wh east\"\nkind = \"store\"\n".to_owned(),
            2,
            vec!["locations[0].id = \"wh east\" contains ' '", "letters, digits"],
        ),
        (
            "[[locations]]\nkind = \"store\"\n".to_owned(),
            1,
            vec!["locations[0]: missing key `id`"],
        ),
        (
            "\non_unroutable = \"drop\"\n".to_owned(),
            2,
            vec!["on_unroutable = \"drop\" is not allowed", "\"backorder\"", "\"hold\""],
        ),
        (
            format!("[[channels]]\nid = \"shopify\"\n{SHOP}\n[[channels]]\nid = \"shopify\"\n{SHOP}"),
            8,
            vec!["channels[1].id = \"shopify\" is already used by channels[0] at line 2"],
        ),
        // [[channels]]: a key of another kind, an unknown kind, a bad URL, [webhooks]
        (
            "[[channels]]\nid = \"woo\"\nkind = \"woocommerce\"\nbase_url = \"https://shop.example.com\"\ntoken_env = \"SHOPIFY_TOKEN\"\n".to_owned(),
            5,
            vec!["channels[0].token_env is a shopify key; a woocommerce channel uses consumer_key_env and consumer_secret_env"],
        ),
        (
            "[[channels]]\nid = \"web\"\nkind = \"shopfiy\"\nbase_url = \"https://a.myshopify.com\"\n".to_owned(),
            3,
            vec![
                "channels[0].kind = \"shopfiy\" is not a channel kind",
                "\"shopify\", \"woocommerce\" or \"amazon\"",
                "did you mean \"shopify\"?",
            ],
        ),
        (
            format!("[[channels]]\nid = \"web\"\n{}", SHOP.replace("https://", "")),
            4,
            vec!["channels[0].base_url = \"a.myshopify.com\" is not a URL", "https://"],
        ),
        (
            format!("[[channels]]\nid = \"web\"\n{SHOP}tokn = \"X\"\n"),
            6,
            vec![
                "unknown key `tokn` in [[channels]] #1",
                "expected one of: id, kind, base_url,",
                "webhook_secret_env",
            ],
        ),
        // [[channels.buffers]]: a percentage over 100
        (
            format!("[[channels]]\nid = \"web\"\n{SHOP}\n[[channels.buffers]]\nskus = \"TSHIRT-*\"\n\n[[channels.buffers]]\npercent = 120\n"),
            11,
            vec!["channels[0].buffers[1].percent = 120 is out of range; use 0 to 100"],
        ),
        (
            "\n[webhooks]\nlisten = \"localhost:8787\"\n".to_owned(),
            3,
            vec![
                "webhooks.listen = \"localhost:8787\" is not an IP address and port",
                "listen = \"127.0.0.1:8787\"",
            ],
        ),
        (
            "[[channels]]\nkind = \"shopify\"\n".to_owned(),
            1,
            vec!["channels[0]: missing key `id`"],
        ),
        (
            "[console]\ntheme = \"dark\"\n".to_owned(),
            2,
            vec!["console.theme = \"dark\" is not a theme"],
        ),
        // [console.keys]: an unknown command, a key that is not one, one key on two commands,
        // quit without a key
        (
            "[console.keys]\nhold = \"H\"\nhodl = \"x\"\n".to_owned(),
            3,
            vec!["console.keys: unknown command `hodl`", "did you mean `hold`?"],
        ),
        (
            "[console]\ntheme = \"light\"\n\n[console.keys]\nquit = [\"q\", \"ctl-q\"]\n".to_owned(),
            5,
            vec!["console.keys.quit: \"ctl-q\" is not a key", "\"ctrl-q\""],
        ),
        (
            "[console.keys]\nhold = \"y\"\n".to_owned(),
            2,
            vec!["console.keys.hold: key \"y\" is bound to both `hold` and `copy`"],
        ),
        (
            "[console.keys]\nquit = []\n".to_owned(),
            2,
            vec!["console.keys.quit = [] leaves no way to quit"],
        ),
        // [[rules]]: an unknown key, named with the rule's number and name
        (
            format!("{WH}\n[[rules]]\nname = \"Pickup\"\nlocations = [\"$pickup\"]\n\n[[rules]]\nname = \"Default\"\nlocations = [\"*\"]\nsprit = \"never\"\n"),
            14,
            vec![
                "unknown key `sprit` in [[rules]] #2 (\"Default\")",
                "expected one of: name, when, action, reason, locations, max_distance_km, split, sort",
                "did you mean `split`?",
            ],
        ),
        // a rule check, on the line of the field at fault
        (
            format!("{WH}\n[[rules]]\nname = \"Default\"\nlocations = [\"*\"]\nsort = [\"fewest_splits\", \"nearest\"]\n"),
            10,
            vec![
                "rules[0] \"Default\": `sort[1]` is \"nearest\", not a sort key",
                "\"most_stock\"",
            ],
        ),
        // an exact location id that is not configured
        (
            format!("{WH}\n[[rules]]\nname = \"Stores\"\nlocations = [\"store-*\", \"wh-eastt\"]\n"),
            9,
            vec![
                "rules[0] \"Stores\": location `wh-eastt` is not a configured location",
                "did you mean `wh-east`?",
            ],
        ),
        // money written as a number
        (
            format!("{WH}\n[[rules]]\nname = \"Review\"\naction = \"hold\"\nwhen = {{ total_min = 1000 }}\n"),
            10,
            vec![
                "rules[0] \"Review\": `when.total_min`: 1000 is a number",
                "total_min = \"1000\"",
            ],
        ),
    ]
}

#[test]
fn missing_config_file() {
    let sb = Sandbox::new();
    let file = sb.path("nope.toml");
    let out = sb.check(&file);
    assert_config_error(
        &out,
        &file,
        None,
        &["not found (create it from config.example.toml, or drop --config to use the defaults)"],
    );
}

#[test]
fn every_bad_config_is_a_one_line_error_with_file_line_and_key() {
    for (i, (text, line, needles)) in cases().into_iter().enumerate() {
        let sb = Sandbox::new();
        let file = sb.write(&format!("case{i}.toml"), &text);
        let out = sb.check(&file);
        assert_config_error(&out, &file, Some(line), &needles);
        assert!(
            !sb.path("data").exists(),
            "case {i}: the store was touched before the config was validated"
        );
    }
}

/// A secret pasted where the name of its environment variable belongs is refused, and is not
/// printed: not on stderr, not on stdout.
#[test]
fn a_secret_in_the_config_is_never_printed() {
    let secret = "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";
    let sb = Sandbox::new();
    let file = sb.write(
        "secret.toml",
        &format!(
            "[[channels]]\nid = \"web\"\nkind = \"shopify\"\nbase_url = \"https://a.myshopify.com\"\ntoken_env = \"{secret}\"\n"
        ),
    );
    let out = sb.check(&file);
    assert_config_error(
        &out,
        &file,
        Some(5),
        &["channels[0].token_env names an environment variable that holds the secret, not the secret itself"],
    );
    for stream in [&out.stderr, &out.stdout] {
        let text = String::from_utf8_lossy(stream);
        assert!(!text.contains(secret), "the secret was printed: {text}");
        assert!(
            !text.contains("8c1f0e4b"),
            "part of the secret was printed: {text}"
        );
    }
}

#[test]
fn config_from_environment_variable() {
    let sb = Sandbox::new();
    let file = sb.write("env.toml", "[store]\ncache_capacity_mb = 0\n");
    let out = sb
        .ordo()
        .env("ORDO_CONFIG", &file)
        .env("ORDO_DATA", sb.path("data"))
        .arg("check")
        .output()
        .expect("run ordo");
    assert_config_error(&out, &file, Some(2), &["store.cache_capacity_mb = 0"]);
}

#[test]
fn config_discovered_in_xdg_config_home() {
    let sb = Sandbox::new();
    let file = sb.write(
        "xdg-config/ordo/config.toml",
        "\n\n[console]\ntheme = \"neon\"\n",
    );
    let out = sb
        .ordo()
        .arg("--data")
        .arg(sb.path("data"))
        .arg("check")
        .output()
        .expect("run ordo");
    assert_config_error(&out, &file, Some(4), &["console.theme = \"neon\""]);
}

#[test]
fn example_config_is_accepted() {
    let sb = Sandbox::new();
    let file = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml"));
    let out = sb.check(file);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "status {:?}\nstderr:\n{stderr}",
        out.status.code()
    );
}
