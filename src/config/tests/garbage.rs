//! No panics, ever: hand-picked nasty inputs and property tests.

use super::*;

/// Hand-picked nasty inputs: odd TOML that is valid, and invalid TOML of every kind.
#[test]
fn garbage_never_panics() {
    let inputs = [
        "",
        "\0",
        "\u{feff}",
        "[",
        "]]",
        "[[",
        "=",
        "a",
        "a =",
        "= 1",
        "\"",
        "'''",
        "\"\"\"",
        "[[locations]]",
        "[[locations]]\n[[locations]]",
        "locations = []",
        "locations = [1]",
        "locations = [[]]",
        "locations = [{}]",
        "[locations]\n[[locations]]",
        "[a.b.c]\n[a]\nd = 1",
        "a.b.c = 1\na.d = 2",
        "\"$__serde_spanned_private_start\" = 1",
        "[\"$__serde_spanned_private_start\"]",
        "x = 1979-05-27T07:32:00Z",
        "data_dir = 1979-05-27",
        "[store]\ncache_capacity_mb = 18446744073709551615",
        "[store]\ncache_capacity_mb = 9223372036854775807",
        "[[locations]]\nlat = inf\nlon = -inf",
        "[[locations]]\npriority = 9223372036854775807",
        "[[channels]]\nid = [1]",
        "[[channels]]\n[channels.id]\nx = 1",
        "[[channels]]\nkind = \"shopify\"\nbase_url = \"\"\ntoken_env = \"\"",
        "[[channels]]\nkind = \"amazon\"\nmarketplace_ids = [[]]\nsku_map = { \"\" = \"\" }",
        "[[channels]]\nkind = \"woocommerce\"\nbase_url = \"http://[::1\"\npage_size = -1",
        "[[channels]]\nbase_url = \"https://a@b?c#d\"\npoll_interval_secs = 9223372036854775807",
        "[[channels]]\nsku_map.a.b = \"x\"\nkind = \"x\"",
        "[[channels]]\n[channels.sku_map]\n\"\" = 1",
        "[webhooks]",
        "webhooks = 1",
        "webhooks.listen = \"[::]:0\"",
        "[webhooks]\nlisten = \"\\u0000\"\nx = 1",
        "[[rules]]\n[[rules.x]]",
        "rules = [1]",
        "rules = [[]]",
        "rules = [{}]",
        "[[rules]]\nwhen = 1",
        "[[rules]]\nwhen = []",
        "[[rules]]\n[rules.when]\n[rules.when.x]",
        "[[rules]]\nwhen.total_min = []",
        "[[rules]]\nwhen.total_min = \"1e999\"",
        "[[rules]]\nwhen.total_max = 1e999",
        "[[rules]]\nwhen.total_max = nan",
        "[[rules]]\nname = \"a\"\nlocations = [\"[\", \"{\", \"\\\\\", \"$\", \"tag:\"]",
        "[[rules]]\nname = \"\"\nsort = [1]",
        "[[rules]]\nname = \"a\"\nmax_distance_km = nan\nlocations = [\"\"]",
        "[[rules]]\nname = \"a\\nb\"\nsprit = 1",
        "[[rules]]\nname = \"a\"\n[[rules]]\nname = \"a\"",
        "[[locations]]\nid = \"a\"\nkind = \"store\"\n[[rules]]\nname = \"r\"\nlocations = [\"b\"]",
        "\r\n\r\n[store]\r\n",
        "on_unroutable = \"\"\"\nhold\"\"\"",
        "[[locations]]\nid = \"é\"\nkind = \"store\"",
        "[console]\ntheme = \"\\u0000\"",
    ];
    for text in inputs {
        check_no_panic(text);
    }
}

fn check_no_panic(text: &str) {
    let result = std::panic::catch_unwind(|| Config::parse(text, Path::new(FILE)));
    match result {
        Err(_) => panic!("Config::parse panicked on {text:?}"),
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            let s = e.to_string();
            assert!(
                !s.contains('\n') && !s.is_empty(),
                "bad message for {text:?}: {s:?}"
            );
        }
    }
}

mod prop {
    use proptest::prelude::*;

    /// Fragments that make the parser and the schema walk interesting paths.
    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("[[locations]]\n".to_owned()),
            Just("[store]\n".to_owned()),
            Just("[console]\n".to_owned()),
            Just("[[channels]]\n".to_owned()),
            Just("[channels.sku_map]\n".to_owned()),
            Just("[webhooks]\n".to_owned()),
            Just("listen = \"127.0.0.1:0\"\n".to_owned()),
            Just("kind = \"shopify\"\n".to_owned()),
            Just("kind = \"amazon\"\n".to_owned()),
            Just("base_url = \"https://u:p@x/?q\"\n".to_owned()),
            Just("token_env = \"shpat_1\"\n".to_owned()),
            Just("consumer_key_env = \"K\"\n".to_owned()),
            Just("marketplace_ids = [\"\"]\n".to_owned()),
            Just("page_size = 251\n".to_owned()),
            Just("\"1\" = \"\"\n".to_owned()),
            Just("[[rules]]\n".to_owned()),
            Just("[rules.when]\n".to_owned()),
            Just("name = \"r\"\n".to_owned()),
            Just("locations = [\"a\", \"b*\", \"tag:t\", \"$pickup\"]\n".to_owned()),
            Just("when = { total_min = \"1.5\", channels = [\"x\"] }\n".to_owned()),
            Just("total_max = 3\n".to_owned()),
            Just("sort = [\"closest\", \"x\"]\n".to_owned()),
            Just("split = \"never\"\n".to_owned()),
            Just("action = \"hold\"\n".to_owned()),
            Just("[locations.x]\n".to_owned()),
            Just("id = \"a\"\n".to_owned()),
            Just("kind = \"store\"\n".to_owned()),
            Just("lat = 91\n".to_owned()),
            Just("lon = 1\n".to_owned()),
            Just("priority = 0\n".to_owned()),
            Just("cache_capacity_mb = 0\n".to_owned()),
            Just("tags = [\"a\", 1]\n".to_owned()),
            Just("x = { y = [1, { z = 2 }] }\n".to_owned()),
            Just("a.b = 1\n".to_owned()),
            "[a-z_.\\[\\]=\"' \n0-9{},#-]{0,12}",
            any::<String>(),
        ]
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in any::<String>()) {
            super::check_no_panic(&text);
        }

        #[test]
        fn toml_like_text_never_panics(parts in proptest::collection::vec(fragment(), 0..12)) {
            super::check_no_panic(&parts.concat());
        }

        #[test]
        fn mutated_example_never_panics(cut in any::<prop::sample::Index>(), len in 0usize..40, insert in "[\\[\\]=\"'\n#a-z0-9{}.,-]{0,6}") {
            let example = include_str!("../../../config.example.toml");
            let mut at = cut.index(example.len());
            while !example.is_char_boundary(at) { at -= 1; }
            let mut end = (at + len).min(example.len());
            while !example.is_char_boundary(end) { end -= 1; }
            let text = format!("{}{}{}", &example[..at], insert, &example[end..]);
            super::check_no_panic(&text);
        }
    }
}
