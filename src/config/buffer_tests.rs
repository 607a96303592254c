//! `[[channels.buffers]]` through `Config::parse`: every key, the defaults, the compiled rules,
//! and the exact message of every mistake.

use crate::inventory::{available_to_sell, Buffer, BufferRule};

use super::tests::{err, ok};

/// A valid Shopify channel (lines 1 to 5), then `buffers` from line 6.
fn channel(buffers: &str) -> String {
    format!(
        "[[channels]]\nid = \"web\"\nkind = \"shopify\"\nbase_url = \"https://a.myshopify.com\"\ntoken_env = \"SHOPIFY_TOKEN\"\n{buffers}"
    )
}

fn rules(buffers: &str) -> Vec<BufferRule> {
    let c = ok(&channel(buffers));
    c.channels.into_iter().next().expect("one channel").buffers
}

fn rule(skus: &str, buffer: Buffer) -> BufferRule {
    BufferRule {
        skus: skus.to_owned(),
        buffer,
    }
}

// ---- valid ---------------------------------------------------------------------------------

#[test]
fn no_buffers_is_no_rule() {
    assert_eq!(rules(""), Vec::new());
    let c = ok(&channel(""));
    assert_eq!(c.channels[0].buffers().for_sku("ANY"), Buffer::default());
}

#[test]
fn an_empty_rule_covers_every_sku_with_no_buffer() {
    assert_eq!(
        rules("[[channels.buffers]]\n"),
        vec![rule("*", Buffer::default())]
    );
}

#[test]
fn every_key_is_read() {
    let got = rules(
        "\n[[channels.buffers]]\nskus = \"MUG-*\"\nsafety = 0\npercent = 0\n\n[[channels.buffers]]\nskus = \"TSHIRT-*\"\nsafety = 2\npercent = 80\nmax = 50\nmin = 3\n\n[[channels.buffers]]\nsafety = 1\npercent = 100\nmax = 0\nmin = 0\n",
    );
    assert_eq!(
        got,
        vec![
            rule(
                "MUG-*",
                Buffer {
                    percent: Some(0),
                    ..Buffer::default()
                }
            ),
            rule(
                "TSHIRT-*",
                Buffer {
                    safety: 2,
                    percent: Some(80),
                    max: Some(50),
                    min: Some(3),
                }
            ),
            rule(
                "*",
                Buffer {
                    safety: 1,
                    percent: Some(100),
                    max: Some(0),
                    min: Some(0),
                }
            ),
        ]
    );
}

#[test]
fn min_equal_to_max_is_allowed() {
    let got = rules("[[channels.buffers]]\nmax = 5\nmin = 5\n");
    assert_eq!(got[0].buffer.max, Some(5));
    assert_eq!(got[0].buffer.min, Some(5));
}

#[test]
fn an_inline_array_is_the_same() {
    assert_eq!(
        rules("buffers = [{ skus = \"A*\", safety = 1 }, { percent = 50 }]\n"),
        rules(
            "[[channels.buffers]]\nskus = \"A*\"\nsafety = 1\n[[channels.buffers]]\npercent = 50\n"
        ),
    );
}

#[test]
fn the_compiled_rules_give_the_first_match_and_the_formula_applies() {
    let c = ok(&channel(
        "[[channels.buffers]]\nskus = \"TSHIRT-XL\"\nmax = 5\n\n[[channels.buffers]]\nskus = \"TSHIRT-*\"\nsafety = 2\npercent = 50\nmin = 3\n\n[[channels.buffers]]\nskus = \"*\"\nsafety = 1\n",
    ));
    let set = c.channels[0].buffers();
    assert_eq!(set.rules(), c.channels[0].buffers.as_slice());
    // TSHIRT-XL: the first rule only (no safety), capped at 5.
    assert_eq!(available_to_sell(100, &set.for_sku("TSHIRT-XL")), 5);
    // TSHIRT-M: (9 - 2) at 50% = 3; (8 - 2) at 50% = 3; (7 - 2) at 50% = 2, below 3: 0.
    assert_eq!(available_to_sell(9, &set.for_sku("TSHIRT-M")), 3);
    assert_eq!(available_to_sell(7, &set.for_sku("TSHIRT-M")), 0);
    // Anything else: 1 held back.
    assert_eq!(available_to_sell(10, &set.for_sku("MUG")), 9);
}

#[test]
fn each_channel_has_its_own_rules() {
    let text = format!(
        "{}[[channels.buffers]]\nsafety = 4\n\n[[channels]]\nid = \"woo\"\nkind = \"woocommerce\"\nbase_url = \"https://shop.example.com\"\nconsumer_key_env = \"K\"\nconsumer_secret_env = \"S\"\n",
        channel("")
    );
    let c = ok(&text);
    assert_eq!(c.channels[0].buffers().for_sku("X").safety, 4);
    assert!(c.channels[1].buffers.is_empty());
    assert_eq!(c.channels[1].buffers().for_sku("X"), Buffer::default());
}

#[test]
#[should_panic(
    expected = "channel \"web\": buffers were changed after validation: buffers[0].skus = \"[\" is not a valid glob"
)]
fn a_bad_pattern_put_in_by_hand_is_a_bug_that_buffers_names() {
    let mut c = ok(&channel("")).channels.remove(0);
    c.buffers.push(rule("[", Buffer::default()));
    let _ = c.buffers();
}

// ---- mistakes, with their exact messages ---------------------------------------------------

#[test]
fn out_of_range_values() {
    let cases = [
        (
            "[[channels.buffers]]\nskus = \"A*\"\n\n[[channels.buffers]]\npercent = 120\n",
            "/x/ordo.toml:10: channels[0].buffers[1].percent = 120 is out of range; use 0 to 100",
        ),
        (
            "[[channels.buffers]]\npercent = -1\n",
            "/x/ordo.toml:7: channels[0].buffers[0].percent = -1 is out of range; use 0 to 100",
        ),
        (
            "[[channels.buffers]]\nskus = \"A*\"\nsafety = -2\n",
            "/x/ordo.toml:8: channels[0].buffers[0].safety = -2 is out of range; use 0 or more units held back (the default is 0)",
        ),
        (
            "[[channels.buffers]]\nmax = -5\n",
            "/x/ordo.toml:7: channels[0].buffers[0].max = -5 is out of range; use 0 or more (the most units offered), or remove it for no cap",
        ),
        (
            "[[channels.buffers]]\nmin = -1\n",
            "/x/ordo.toml:7: channels[0].buffers[0].min = -1 is out of range; use 0 or more (fewer units left than this and 0 is offered), or remove it for no minimum",
        ),
        (
            "[[channels.buffers]]\nmax = 5\nmin = 10\n",
            "/x/ordo.toml:8: channels[0].buffers[0].min = 10 is above max = 5, so 0 would always be offered; lower min or raise max",
        ),
        (
            "[[channels.buffers]]\nmin = 10\nmax = 5\n",
            "/x/ordo.toml:7: channels[0].buffers[0].min = 10 is above max = 5, so 0 would always be offered; lower min or raise max",
        ),
    ];
    for (buffers, want) in cases {
        assert_eq!(err(&channel(buffers)), want, "{buffers}");
    }
}

#[test]
fn bad_patterns() {
    let cases = [
        (
            "[[channels.buffers]]\nskus = \"\"\n",
            "/x/ordo.toml:7: channels[0].buffers[0].skus is empty; write a glob such as \"TSHIRT-*\", an exact SKU, or \"*\" for every SKU",
        ),
        (
            "[[channels.buffers]]\nskus = \"TSHIRT-[\"\n",
            "/x/ordo.toml:7: channels[0].buffers[0].skus = \"TSHIRT-[\" is not a valid glob (unclosed character class; missing ']'); write a glob such as \"TSHIRT-*\", an exact SKU, or \"*\" for every SKU",
        ),
        (
            "[[channels.buffers]]\nskus = \"MUG-{RED,BLUE\"\n",
            "/x/ordo.toml:7: channels[0].buffers[0].skus = \"MUG-{RED,BLUE\" is not a valid glob (unclosed alternate group; missing '}' (maybe escape '{' with '[{]'?)); write a glob such as \"TSHIRT-*\", an exact SKU, or \"*\" for every SKU",
        ),
    ];
    for (buffers, want) in cases {
        assert_eq!(err(&channel(buffers)), want, "{buffers}");
    }
}

#[test]
fn rules_that_can_never_apply() {
    let cases = [
        (
            "[[channels.buffers]]\nskus = \"*\"\nsafety = 1\n\n[[channels.buffers]]\nskus = \"TSHIRT-*\"\nsafety = 5\n",
            "/x/ordo.toml:11: channels[0].buffers[1] can never apply: buffers[0] at line 7 has skus = \"*\", which matches every SKU first; the first matching rule wins, so put the more specific rules before it",
        ),
        // `skus` left out is "*": the problem is on the later rule's header.
        (
            "[[channels.buffers]]\nsafety = 1\n\n[[channels.buffers]]\nsafety = 5\n",
            "/x/ordo.toml:9: channels[0].buffers[1] can never apply: buffers[0] at line 6 has skus = \"*\", which matches every SKU first; the first matching rule wins, so put the more specific rules before it",
        ),
        (
            "[[channels.buffers]]\nskus = \"MUG-*\"\nsafety = 1\n\n[[channels.buffers]]\nskus = \"TSHIRT-*\"\n\n[[channels.buffers]]\nskus = \"MUG-*\"\nmax = 3\n",
            "/x/ordo.toml:14: channels[0].buffers[2].skus = \"MUG-*\" is already used by buffers[0] at line 7; the first matching rule wins, so this one would never apply: merge them",
        ),
    ];
    for (buffers, want) in cases {
        assert_eq!(err(&channel(buffers)), want, "{buffers}");
    }
}

#[test]
fn the_second_channel_is_named() {
    let text = format!(
        "{}\n[[channels]]\nid = \"woo\"\nkind = \"woocommerce\"\nbase_url = \"https://shop.example.com\"\nconsumer_key_env = \"K\"\nconsumer_secret_env = \"S\"\n\n[[channels.buffers]]\npercent = 101\n",
        channel("")
    );
    assert_eq!(
        err(&text),
        "/x/ordo.toml:15: channels[1].buffers[0].percent = 101 is out of range; use 0 to 100"
    );
}

#[test]
fn the_first_problem_in_the_file_is_reported() {
    assert_eq!(
        err(&channel(
            "[[channels.buffers]]\nmin = -1\npercent = 500\nskus = \"[\"\n"
        )),
        "/x/ordo.toml:7: channels[0].buffers[0].min = -1 is out of range; use 0 or more (fewer units left than this and 0 is offered), or remove it for no minimum"
    );
}

#[test]
fn unknown_keys_and_wrong_types() {
    let cases = [
        (
            "[[channels.buffers]]\npercnt = 50\n".to_owned(),
            "/x/ordo.toml:7: unknown key `percnt` in [[channels.buffers]] #1 of [[channels]] #1; expected one of: skus, safety, percent, max, min; did you mean `percent`?",
        ),
        (
            "[[channels.buffers]]\nsafety = 1\n[[channels.buffers]]\nsku = \"A*\"\n".to_owned(),
            "/x/ordo.toml:9: unknown key `sku` in [[channels.buffers]] #2 of [[channels]] #1; expected one of: skus, safety, percent, max, min; did you mean `skus`?",
        ),
        (
            "[[channels.buffers]]\npercent = \"50\"\n".to_owned(),
            "/x/ordo.toml:7: channels[0].buffers[0].percent: invalid type: string \"50\", expected i64",
        ),
        (
            "[[channels.buffers]]\nskus = [\"A*\", \"B*\"]\n".to_owned(),
            "/x/ordo.toml:7: channels[0].buffers[0].skus: invalid type: sequence, expected a string",
        ),
        (
            "[channels.buffers]\nsafety = 1\n".to_owned(),
            "/x/ordo.toml:6: channels[0].buffers: invalid type: map, expected a sequence; write each rule as its own [[channels.buffers]] table (double brackets)",
        ),
        (
            "buffers = 3\n".to_owned(),
            "/x/ordo.toml:6: channels[0].buffers: invalid type: integer `3`, expected a sequence; write each rule as its own [[channels.buffers]] table (double brackets)",
        ),
    ];
    for (buffers, want) in cases {
        assert_eq!(err(&channel(&buffers)), want, "{buffers}");
    }
}
