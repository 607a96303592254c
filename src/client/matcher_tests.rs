//! The matcher on orders made here, through the parser the console uses, with a fixed now.

use chrono::{DateTime, TimeZone, Utc};

use super::*;
use crate::client::filter::Filter;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap()
}

/// An order created at 09:00 (three hours before `now`).
fn order(id: u64, number: &str, name: &str, email: &str, skus: &[&str]) -> Order {
    let lines: Vec<serde_json::Value> = skus
        .iter()
        .map(|s| serde_json::json!({"sku": s, "quantity": 1, "unit_price": "1.00"}))
        .collect();
    serde_json::from_value(serde_json::json!({
        "id": id, "received_at": "2026-11-28T09:00:00Z", "status": "allocated",
        "channel_order": {"channel": "web", "external_id": format!("ext-{number}"),
            "number": number, "created_at": "2026-11-28T09:00:00Z",
            "updated_at": "2026-11-28T09:00:00Z", "lines": lines,
            "customer": {"name": name, "email": email},
            "totals": {"total": "1.00"}, "currency": "USD"}
    }))
    .expect("a valid order")
}

fn ada() -> Order {
    order(
        77,
        "#1042",
        "Ada Lovelace",
        "ada@example.com",
        &["TSHIRT-M-BLK", "MUG"],
    )
}

fn hits(filter: &str, o: &Order) -> bool {
    let q = Filter::parse(filter).query;
    let mut m = OrderMatcher::new(&q, now()).expect("a query that scans");
    m.matches(o)
}

#[test]
fn index_terms_alone_need_no_matcher() {
    let q = Filter::parse("status:held channel:amazon loc:wh-east").query;
    assert!(OrderMatcher::new(&q, now()).is_none());
}

#[test]
fn fuzzy_words_find_names_with_a_letter_left_out_or_another_case() {
    let o = ada();
    for w in [
        "ada",
        "lovelace",
        "lovlace",
        "LoveLace",
        "adalovelace",
        "tshirt",
        "tshirtblk",
        "example",
        "exmple",
    ] {
        assert!(hits(w, &o), "{w} should find Ada's order");
    }
    let john = order(5, "#5", "John Smith", "js@example.com", &["TEE-M"]);
    for w in ["jhn", "smth", "john smith", "jon"] {
        assert!(hits(w, &john), "{w} should find John's order");
    }
}

#[test]
fn unicode_is_folded_one_way() {
    let o = order(6, "#6", "José Müller", "jm@example.com", &["TEE-M"]);
    for w in ["jose", "josé", "muller", "müller", "JOSÉ"] {
        assert!(hits(w, &o), "{w} should find José Müller");
    }
    // A word typed with an accent means the accent.
    let plain = order(7, "#7", "Jose Muller", "jm@example.com", &["TEE-M"]);
    assert!(hits("jose", &plain));
    assert!(!hits("josé", &plain));
}

#[test]
fn scattered_letters_are_not_a_match() {
    let alexandra = order(
        8,
        "#8",
        "Alexandra Quinn",
        "quinn@example.com",
        &["HOME-BLUE"],
    );
    // a..d..a spread over the name: fuzzy would take it, the tight rule does not.
    assert!(!hits("ada", &alexandra));
    let margaret = order(9, "#9", "Margaret Mulligan", "mm@example.com", &["TEE-M"]);
    assert!(!hits("mug", &margaret));
    // One skipped stretch per four letters typed, half as many characters skipped in all.
    assert!(!hits("lvlc", &ada()), "three gaps in four letters");
    assert!(
        !hits(
            "ada",
            &order(12, "#12", "Al Danza", "x@example.com", &["TEE-M"])
        ),
        "a..da"
    );
    assert!(!hits("zebra", &ada()));
    // Every word must match something.
    assert!(hits("ada mug", &ada()));
    assert!(!hits("ada zebra", &ada()));
}

#[test]
fn short_words_and_numbers_match_as_written() {
    let o = ada();
    // 1-2 characters: a substring, never scattered letters.
    assert!(hits("ad", &o));
    assert!(hits("m", &o));
    assert!(!hits("lx", &o));
    let lee = order(10, "#10", "A. Lee", "x@example.com", &["TEE-M"]);
    assert!(!hits("al", &lee), "a..l is not 'al'");
    // An exact number, external id or ordo id finds the order.
    assert!(hits("#1042", &o));
    assert!(hits("1042", &o));
    assert!(hits("ext-#1042", &o));
    assert!(hits("77", &o));
    // Digits never match fuzzily: a skipped digit is another order.
    let other = order(11, "#10042", "Grace Hopper", "gh@example.com", &["TEE-M"]);
    assert!(!hits("1042", &other));
    assert!(!hits("#1042", &other));
    assert!(hits("10042", &other));
    // Nor do words with letters and digits: `f17` is not `#F107`.
    let f107 = order(12, "#F107", "Grace Hopper", "gh@example.com", &["TEE-M"]);
    assert!(!hits("f17", &f107));
    assert!(hits("f107", &f107));
}

#[test]
fn sku_terms_are_globs_over_whole_skus() {
    let o = ada();
    for (pattern, want) in [
        ("sku:TSHIRT-*", true),
        ("sku:tshirt-*", true),
        ("sku:TSHIRT-?-BLK", true),
        ("sku:*-BLK", true),
        ("sku:*", true),
        ("sku:MUG", true),
        ("sku:MU", false),
        ("sku:TSHIRT-", false),
        ("sku:TSHIRT-?", false),
        ("sku:XTSHIRT-*", false),
        ("sku:T*T*K", true),
        ("sku:T*T*X", false),
        ("sku:mug sku:tshirt*", true),
        ("sku:mug sku:cup", false),
    ] {
        assert_eq!(hits(pattern, &o), want, "{pattern}");
    }
    // Unicode, and no exponential backtracking on many stars.
    let chars = |s: &str| s.chars().flat_map(char::to_lowercase).collect::<Vec<_>>();
    assert!(glob_matches(&chars("CAFÉ-*"), "café-noir"));
    let long = "a".repeat(200);
    assert!(!glob_matches(&chars("*a*a*a*a*a*a*a*a*b"), &long));
    assert!(glob_matches(&chars("a*"), "a"));
    assert!(!glob_matches(&chars(""), "a"));
    assert!(glob_matches(&chars(""), ""));
}

#[test]
fn age_bounds_count_back_from_now() {
    // Created at 09:00, now 12:00: three hours old.
    let o = ada();
    for (filter, want) in [
        ("age:>2h", true),
        ("age:>179m", true),
        ("age:>3h", false),
        ("age:>1d", false),
        ("age:<1d", true),
        ("age:<30m", false),
        ("age:<181m", true),
        ("age:<3h", false),
        ("age:>2h age:<4h", true),
        ("age:>4h age:<1d", false),
        ("age:>2h ada", true),
        ("age:>2h zebra", false),
        ("age:>99999999999d", false),
        ("age:<99999999999d", true),
    ] {
        assert_eq!(hits(filter, &o), want, "{filter}");
    }
}

#[test]
fn the_gap_rule() {
    assert!(tight(&[0, 1, 2], 1, 1));
    assert!(tight(&[0, 2, 3], 1, 1));
    assert!(!tight(&[0, 3, 4], 1, 1), "two skipped");
    assert!(tight(&[0, 4, 5], 1, 3), "three skipped");
    assert!(!tight(&[0, 2, 4], 1, 3), "two gaps");
    assert!(tight(&[0, 2, 4], 2, 3));
    assert!(tight(&[], 1, 1));
}

#[test]
fn typos_of_words_of_five_letters_or_more_find_the_name() {
    let ada = ada();
    let linus = order(20, "#20", "Linus Torvalds", "linus@example.com", &["TEE-M"]);
    let grace = order(21, "#21", "Q. Smith", "grace.hopper@example.com", &["MUG"]);
    let alexandra = order(
        8,
        "#8",
        "Alexandra Quinn",
        "quinn@example.com",
        &["HOME-BLUE"],
    );
    // A letter changed, two swapped, a letter dropped, in the name, the email's local part
    // and a SKU's part; 9+ letters may take two edits.
    for (w, o) in [
        ("lovelase", &ada),
        ("lovelacee", &ada),
        ("torvlads", &linus),
        ("torvaldz", &linus),
        ("hoper", &grace),
        ("graec", &grace),
        ("tshrit", &ada),
        ("aleksandra", &alexandra),
    ] {
        assert!(hits(w, o), "{w} should find {}", o.channel_order.number);
    }
    // Two edits in fewer than 9 letters, an edit in a word under 5 letters, and the email's
    // domain (every order has one) are no match.
    assert!(!hits("lovalase", &ada));
    assert!(!hits("adaa", &alexandra), "4 letters: no typo fallback");
    assert!(!hits("ada", &alexandra));
    assert!(!hits("exampel", &ada), "the domain is not a token");
    // A word with a digit stays exact even when long.
    assert!(!hits("torvald5", &linus));
    // Every word must still match: a typo does not excuse a second word.
    assert!(hits("lovelase ada", &ada));
    assert!(!hits("lovelase zebra", &ada));
}

#[test]
fn a_random_five_letter_word_does_not_find_everyone() {
    let names = [
        "Ada Lovelace",
        "Grace Hopper",
        "Linus Torvalds",
        "Alan Turing",
        "Barbara Liskov",
        "Edsger Dijkstra",
        "Donald Knuth",
        "Margaret Hamilton",
        "Ken Thompson",
        "Dennis Ritchie",
        "Frances Allen",
        "John Backus",
        "Radia Perlman",
        "Tim Berners-Lee",
        "Sophie Wilson",
        "Katherine Johnson",
        "Hedy Lamarr",
        "Guido Rossum",
        "Bjarne Stroustrup",
        "Yukihiro Matsumoto",
    ];
    let skus = ["TSHIRT-M-BLK", "HOODIE-L-GRY", "MUG-WHITE", "CAP-NAVY"];
    let orders: Vec<Order> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let email = format!("{}@example.com", name.to_lowercase().replace(' ', "."));
            order(100 + i as u64, "#9", name, &email, &[skus[i % skus.len()]])
        })
        .collect();
    // Fixed pseudo-random words (a linear congruential generator), so the test is repeatable.
    let mut state: u64 = 0x5eed;
    let mut most = 0;
    for _ in 0..200 {
        let word: String = (0..5)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                char::from(b'a' + ((state >> 33) % 26) as u8)
            })
            .collect();
        let found = orders.iter().filter(|o| hits(&word, o)).count();
        most = most.max(found);
        assert!(found <= 2, "{word} found {found} of {}", orders.len());
    }
    assert!(most <= 2);
}

#[test]
fn edit_distance_is_optimal_string_alignment() {
    let within = |a: &str, b: &str, max: usize| {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let (mut x, mut y, mut z) = (Vec::new(), Vec::new(), Vec::new());
        osa_within(&a, &b, max, [&mut x, &mut y, &mut z])
    };
    assert!(within("lovelace", "lovelace", 0));
    assert!(within("lovelase", "lovelace", 1));
    assert!(!within("lovelase", "lovelace", 0));
    assert!(within("torvlads", "torvalds", 1), "one transposition");
    assert!(within("hoper", "hopper", 1));
    assert!(within("hopper", "hoper", 1));
    assert!(
        !within("ca", "abc", 2),
        "OSA: 3 (2 for unrestricted Damerau)"
    );
    assert!(!within("kitten", "sitting", 2));
    assert!(within("kitten", "sitting", 3));
    assert!(within("", "ab", 2));
    assert!(!within("abcdef", "ab", 3), "length alone rules it out");
}
