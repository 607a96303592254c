//! End to end in a real terminal: tmux runs `ordo demo --mouse`, `send-keys` types what an
//! operator types (and the mouse's escape sequences), `capture-pane` reads what they would see.
//! Orders appear, `/` filters them, Enter opens a detail with its routing explanation, `h`
//! holds an order, a click on the Queues tab shows held orders counted, `q` quits and the shell
//! is back with the terminal restored (mouse capture off too).
//!
//! Without tmux the test says why and passes, except under CI (`CI` set), where a missing tmux
//! fails it: `.ci/run` installs tmux, so CI cannot skip this silently.

#[path = "common/tmux.rs"]
mod tmux;

use std::time::Duration;

use tmux::Tmux;

const WIDTH: u16 = 120;
const HEIGHT: u16 = 35;
const CHANNELS: [&str; 4] = ["shopify", "amazon", "woocommerce", "pos"];

/// Lines that look like one order's row of the list: an order id first (after the selection
/// and mark columns), exactly one channel name, and a status. The id first keeps out the tab
/// line ("filter: channel:amazon status:allocated") and the detail's heading, which name a
/// channel and a status too: matching them let the test go on while the list was empty.
fn order_rows(screen: &str) -> Vec<&str> {
    const STATUSES: [&str; 6] = [
        "allocated",
        "held",
        "backordered",
        "new",
        "cancelled",
        "shipped",
    ];
    screen
        .lines()
        .filter(|line| {
            let first = line
                .trim_start_matches(['>', '*', ' '])
                .split_whitespace()
                .next();
            if first.and_then(|w| w.parse::<u64>().ok()).is_none() {
                return false;
            }
            let lower = line.to_lowercase();
            let channels = CHANNELS.iter().filter(|c| has_word(&lower, c)).count();
            channels == 1 && STATUSES.iter().any(|s| lower.contains(s))
        })
        .collect()
}

/// `word` stands alone in `line` (so `pos` does not match `position`).
fn has_word(line: &str, word: &str) -> bool {
    line.match_indices(word).any(|(i, _)| {
        let before = line[..i].chars().next_back();
        let after = line[i + word.len()..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '_');
        boundary(before) && boundary(after)
    })
}

/// The numbers on the lines of `screen` that mention `word`.
fn numbers_near(screen: &str, word: &str) -> Vec<u64> {
    screen
        .lines()
        .filter(|l| has_word(&l.to_lowercase(), word))
        .flat_map(|l| {
            l.split(|c: char| !c.is_ascii_digit())
                .filter_map(|n| n.parse::<u64>().ok())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn demo_in_a_real_terminal() {
    if !tmux::available("the end-to-end console test") {
        return;
    }
    // A fresh temp-dir store (no ORDO_DATA), the built-in config (no ORDO_CONFIG); after quit
    // the shell prints EXITED and stays, so the screen can be read.
    let bin = env!("CARGO_BIN_EXE_ordo").replace('\'', r"'\''");
    let shell = format!(
        "env -u ORDO_DATA -u ORDO_CONFIG -u NO_COLOR '{bin}' demo --seed 7 --mouse; echo EXITED; sleep 30"
    );
    // Esc reaches the console at once (the harness sets tmux's escape time to 10 ms).
    let tmux = Tmux::start("test", WIDTH, HEIGHT, &shell);

    // 1. Orders appear (the backlog, then the live feed).
    let screen = tmux.wait_for("orders on screen", Duration::from_secs(20), |s| {
        order_rows(s).len() >= 5
    });
    assert!(
        screen.contains("Orders"),
        "the Orders pane is named:\n{screen}"
    );
    // `--mouse`: the console asked for mouse reports, in SGR form.
    assert_eq!(tmux.pane_var("mouse_sgr_flag"), "1", "mouse capture is on");

    // 2. `/` filters as you type: only allocated Amazon orders stay (allocated, so that the
    // hold below changes something). Amazon's orders come in by polling its simulated shop
    // (every 2 s), so right after start the filter may match nothing for a while.
    tmux.keys(&["/"]);
    tmux.type_text("channel:amazon status:allocated");
    let screen = tmux.wait_for(
        "the filter to leave only allocated amazon rows",
        Duration::from_secs(20),
        |s| {
            let rows = order_rows(s);
            !rows.is_empty()
                && rows.iter().all(|r| {
                    let r = r.to_lowercase();
                    has_word(&r, "amazon") && has_word(&r, "allocated")
                })
        },
    );
    assert!(
        screen.contains("channel:amazon"),
        "the filter is shown:\n{screen}"
    );
    tmux.keys(&["Enter"]);

    // 3. Enter opens the selected order: its routing explanation names the rules. Sent at once:
    // the screen above may still show the rows of a half-typed filter, and the Enter must then
    // wait for the current view's rows and open once (it used to be lost now and then).
    let is_detail = |s: &str| {
        let lower = s.to_lowercase();
        lower.contains("rule") && (lower.contains("routed") || lower.contains("routing"))
    };
    tmux.keys(&["Enter"]);
    tmux.wait_for(
        "a detail view with the routing explanation",
        Duration::from_secs(10),
        is_detail,
    );

    // 4. Back to the list; `h` holds the selected order; the Queues pane counts held orders.
    tmux.keys(&["Escape"]);
    tmux.wait_for("the list again", Duration::from_secs(10), |s| {
        !is_detail(s) && !order_rows(s).is_empty()
    });
    tmux.keys(&["h"]);
    tmux.wait_for(
        "word that the order is held",
        Duration::from_secs(10),
        |s| s.to_lowercase().contains("now held"),
    );
    // A click on the Queues tab (an SGR mouse report, 1-based column and row, as a terminal
    // sends it).
    let screen = tmux.screen();
    let (row, col) = screen
        .lines()
        .enumerate()
        .find_map(|(y, l)| l.find("3 Queues").map(|x| (y, l[..x].chars().count())))
        .unwrap_or_else(|| panic!("no Queues tab on screen:\n{screen}"));
    let (x, y) = (col + 2, row + 1);
    tmux.type_text(&format!("\x1b[<0;{x};{y}M\x1b[<0;{x};{y}m"));
    tmux.wait_for(
        "the Queues pane with held orders",
        Duration::from_secs(10),
        // "[3 Queues]": the tab of the pane shown (the counters line names held on every pane).
        |s| s.contains("[3 Queues]") && numbers_near(s, "held").iter().any(|n| *n >= 1),
    );

    // 5. `q` quits: the shell is back, out of the alternate screen, with its cursor.
    tmux.keys(&["q"]);
    let screen = tmux.wait_for("EXITED after quit", Duration::from_secs(15), |s| {
        s.lines().any(|l| l.trim() == "EXITED")
    });
    assert_eq!(
        tmux.pane_var("alternate_on"),
        "0",
        "still on the alternate screen:\n{screen}"
    );
    assert_eq!(
        tmux.pane_var("cursor_flag"),
        "1",
        "the cursor is still hidden:\n{screen}"
    );
    for flag in [
        "mouse_sgr_flag",
        "mouse_any_flag",
        "mouse_button_flag",
        "mouse_standard_flag",
    ] {
        assert_eq!(
            tmux.pane_var(flag),
            "0",
            "{flag}: mouse capture left on:\n{screen}"
        );
    }
    assert!(
        order_rows(&screen).is_empty(),
        "the console's rows are gone from the shell's screen:\n{screen}"
    );
}

/// The order ids in the rows of the screen's left `cols` columns (a split view's left pane,
/// its border stripped).
fn order_ids_left(screen: &str, cols: usize) -> Vec<u64> {
    let left: String = screen
        .lines()
        .map(|l| {
            let l: String = l.chars().take(cols).collect();
            format!("{}\n", l.trim_start_matches(['│', '║']))
        })
        .collect();
    order_rows(&left)
        .iter()
        .filter_map(|r| {
            r.trim_start_matches(['>', '*', ' '])
                .split_whitespace()
                .next()
                .and_then(|w| w.parse::<u64>().ok())
        })
        .collect()
}

/// A wide terminal (220x50) shows two panes side by side: Orders, focused (double border,
/// "[1 Orders]"), beside Events; `|` makes it one pane and back; `3` puts Queues beside
/// Orders; the companion pane keeps reading the live feed while the keys are on the other.
#[test]
fn split_view_in_a_wide_terminal() {
    if !tmux::available("the split-view console test") {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_ordo").replace('\'', r"'\''");
    let shell = format!(
        "env -u ORDO_DATA -u ORDO_CONFIG -u NO_COLOR '{bin}' demo --seed 7; echo EXITED; sleep 30"
    );
    let tmux = Tmux::start("split", 220, 50, &shell);
    // Two panes' titles on one line: the focused one's on its double border, the other's on
    // its thin one (the tab line has the names too, but no border).
    let side_by_side = |s: &str, focused: &str, other: &str| {
        s.lines()
            .any(|l| l.contains(&format!("╔[{focused}]═")) && l.contains(&format!("┌ {other} ─")))
    };
    let screen = tmux.wait_for(
        "Orders and Events side by side",
        Duration::from_secs(30),
        |s| {
            side_by_side(s, "1 Orders", "6 Events")
                && order_ids_left(s, 110).len() >= 5
                && s.contains("order_received")
        },
    );
    assert!(
        screen.contains("w other pane"),
        "the footer says the split view's keys:\n{screen}"
    );

    // `|`: one pane, as wide as the window; `|` again: two.
    tmux.keys(&["|"]);
    tmux.wait_for("one pane", Duration::from_secs(10), |s| {
        !s.contains("┌ 6 Events") && !s.contains("╔[1 Orders]") && s.contains("| two panes")
    });
    tmux.keys(&["|"]);
    tmux.wait_for("two panes again", Duration::from_secs(10), |s| {
        side_by_side(s, "1 Orders", "6 Events")
    });

    // `3`: Queues in Events' place, the keys on it; Orders, on the left, still follows the
    // live feed (newer orders come in at its top).
    tmux.keys(&["3"]);
    let screen = tmux.wait_for("Orders beside Queues", Duration::from_secs(10), |s| {
        side_by_side(s, "3 Queues", "1 Orders") && !order_ids_left(s, 110).is_empty()
    });
    let first = order_ids_left(&screen, 110).into_iter().max();
    tmux.wait_for(
        "a newer order in the companion pane",
        Duration::from_secs(30),
        |s| order_ids_left(s, 110).into_iter().max() > first,
    );
    // `j` moves the queue (the focused pane), not the order list.
    tmux.keys(&["j"]);
    tmux.wait_for(
        "the allocated queue's orders",
        Duration::from_secs(10),
        |s| s.contains("allocated orders, newest first"),
    );

    tmux.keys(&["q"]);
    let screen = tmux.wait_for("EXITED after quit", Duration::from_secs(15), |s| {
        s.lines().any(|l| l.trim() == "EXITED")
    });
    assert_eq!(tmux.pane_var("alternate_on"), "0", "{screen}");
}

#[test]
fn order_rows_are_recognised() {
    let screen = "ordo demo · seed 7   new 2  held 14  shopify ● amazon ●\n\
                  [1 Orders] 2 Inventory   filter: channel:amazon status:allocated\n\
                  \x20  12  #1006   shopify   allocated   wh-east\n\
                  >*  13  113-96  amazon    held\n\
                  \x20Order 13 · 113-96 · amazon/113-96 · held\n\
                  position 3 of 9\n";
    let rows = order_rows(screen);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(has_word("a pos b", "pos"));
    assert!(!has_word("position", "pos"));
    assert_eq!(numbers_near("Held   14\nnew 3", "held"), vec![14]);
}
