//! Ctrl-Z, the themes, and `[console.keys]` remaps.

use super::*;

#[test]
fn ctrl_z_suspends_in_every_mode_and_is_in_the_help() {
    let mut a = app();
    assert!(matches!(
        a.handle_key(ctrl('z')).as_slice(),
        [Action::Suspend]
    ));
    assert!(a
        .keymap
        .iter()
        .any(|b| b.cmd == Cmd::Suspend && b.label == "Ctrl-z"));
    let help = help_lines(&a.keymap);
    assert!(help
        .iter()
        .any(|(k, what)| k == "Ctrl-z" && *what == Cmd::Suspend.describe()));
    // While typing a filter, in the detail, in the help: still a suspend, and the mode stays.
    a.handle_key(key('/'));
    assert!(matches!(
        a.handle_key(ctrl('z')).as_slice(),
        [Action::Suspend]
    ));
    assert!(matches!(a.mode, Mode::Filter));
    a.handle_key(code(KeyCode::Esc));
    a.handle_key(key('?'));
    assert!(matches!(
        a.handle_key(ctrl('z')).as_slice(),
        [Action::Suspend]
    ));
    assert!(matches!(a.mode, Mode::Help));
    // A plain z is not a suspend.
    a.mode = Mode::Normal;
    assert!(a.handle_key(key('z')).is_empty());
}

#[test]
fn light_theme_uses_other_dark_colours_and_no_color_wins() {
    use crate::console::ui::{Palette, Theme};
    use ratatui::style::Color;
    let dark = Theme {
        no_color: false,
        palette: Palette::Default,
        inactive: false,
    };
    let light = Theme {
        no_color: false,
        palette: Palette::Light,
        inactive: false,
    };
    let statuses = [
        OrderStatus::New,
        OrderStatus::Allocated,
        OrderStatus::PartiallyAllocated,
        OrderStatus::Backordered,
        OrderStatus::Held,
        OrderStatus::PartiallyShipped,
        OrderStatus::Shipped,
        OrderStatus::Cancelled,
    ];
    let mut styles = vec![
        (light.error(), dark.error()),
        (light.warning(), dark.warning()),
        (light.fg(Color::DarkGray), dark.fg(Color::DarkGray)),
    ];
    styles.extend(statuses.iter().map(|s| (light.status(*s), dark.status(*s))));
    for (l, d) in &styles {
        assert_ne!(l.fg, d.fg, "{l:?} vs {d:?}");
    }
    // Every colour the panes can ask for, in the light palette: no white, light gray or
    // bright colour (unreadable on white); fixed dark 256-colour entries.
    let all = [
        Color::Black,
        Color::Red,
        Color::Green,
        Color::Yellow,
        Color::Blue,
        Color::Magenta,
        Color::Cyan,
        Color::Gray,
        Color::DarkGray,
        Color::LightRed,
        Color::LightGreen,
        Color::LightYellow,
        Color::LightBlue,
        Color::LightMagenta,
        Color::LightCyan,
        Color::White,
    ];
    for c in all {
        let fg = light.fg(c).fg.unwrap();
        assert!(
            !matches!(
                fg,
                Color::White | Color::Gray | Color::Indexed(248..=255 | 7 | 15)
            ) && !matches!(
                fg,
                Color::Yellow
                    | Color::Cyan
                    | Color::LightRed
                    | Color::LightGreen
                    | Color::LightYellow
                    | Color::LightBlue
                    | Color::LightMagenta
                    | Color::LightCyan
            ),
            "{c:?} -> {fg:?}"
        );
    }
    for (l, _) in &styles {
        assert!(!matches!(l.fg, Some(Color::White | Color::Gray)), "{l:?}");
    }
    // The selection does not depend on colour.
    assert_eq!(light.selected(), dark.selected());
    assert!(light
        .selected()
        .add_modifier
        .contains(ratatui::style::Modifier::REVERSED));
    // NO_COLOR wins over the light palette.
    let none = Theme {
        no_color: true,
        palette: Palette::Light,
        inactive: false,
    };
    assert_eq!(none.status(OrderStatus::Held).fg, None);
    assert_eq!(none.fg(Color::DarkGray).fg, None);
    assert_eq!(Palette::named("light"), Palette::Light);
    assert_eq!(Palette::named("default"), Palette::Default);
}

// ---- [console.keys] ------------------------------------------------------------------------

fn remapped(pairs: &[(&str, &[&str])]) -> App {
    let remaps: Vec<(String, Vec<String>)> = pairs
        .iter()
        .map(|(n, k)| (n.to_string(), k.iter().map(|k| k.to_string()).collect()))
        .collect();
    let mut a = app();
    a.keymap = crate::console::app::keymap_with(&remaps);
    a
}

fn holds(actions: &[Action]) -> bool {
    actions
        .iter()
        .any(|a| matches!(a, Action::Submit(Command::Hold { .. })))
}

#[test]
fn a_remapped_key_runs_the_command_and_the_default_no_longer_does() {
    let mut a = app();
    assert!(holds(&a.handle_key(key('h'))), "h holds by default");

    let mut a = remapped(&[("hold", &["H"]), ("quit", &["q", "ctrl-q"])]);
    assert!(!holds(&a.handle_key(key('h'))), "h is no longer hold");
    assert!(a.handle_key(key('h')).is_empty());
    assert!(holds(&a.handle_key(KeyEvent::new(
        KeyCode::Char('H'),
        KeyModifiers::SHIFT
    ))));
    assert!(matches!(a.handle_key(ctrl('q')).as_slice(), [Action::Quit]));
    assert!(matches!(a.handle_key(key('q')).as_slice(), [Action::Quit]));
    // Other commands keep their defaults.
    a.handle_key(key('j'));
    assert_eq!(a.list().selected, 1);

    let help = help_lines(&a.keymap);
    assert!(help
        .iter()
        .any(|(k, what)| k == "H" && *what == Cmd::Hold.describe()));
    assert!(help
        .iter()
        .any(|(k, what)| k == "q Ctrl-q" && *what == Cmd::Quit.describe()));
    assert!(!help.iter().any(|(k, _)| k == "h"));
    // The help keeps the order of the default keymap.
    let pos = |cmd: Cmd| help.iter().position(|(_, w)| *w == cmd.describe());
    assert!(pos(Cmd::CommandLine) < pos(Cmd::Hold) && pos(Cmd::Hold) < pos(Cmd::Release));

    // And `?` shows it: the help drawn on screen lists the new key.
    a.handle_key(key('?'));
    assert!(matches!(a.mode, Mode::Help));
    a.resize(100, 50);
    let screen = drawn(&a);
    let hold_line = screen
        .iter()
        .find(|l| l.contains(Cmd::Hold.describe()))
        .expect("hold in the help");
    assert!(hold_line.contains(" H "), "{hold_line}");
    assert!(screen.iter().any(|l| l.contains("q Ctrl-q")), "{screen:?}");
    // In the help, a remapped quit key quits; the old one would not.
    let mut b = remapped(&[("quit", &["ctrl-q"])]);
    b.handle_key(key('?'));
    assert!(b.handle_key(key('q')).is_empty());
    assert!(matches!(b.mode, Mode::Normal));
    b.handle_key(key('?'));
    assert!(matches!(b.handle_key(ctrl('q')).as_slice(), [Action::Quit]));
}

#[test]
fn remapped_names_modifiers_and_panes() {
    let mut a = remapped(&[
        ("down", &["n", "f2"]),
        ("pane_2", &["alt-2"]),
        ("suspend", &["ctrl-s"]),
        ("mark", &["enter"]),
        ("open", &["o"]),
    ]);
    a.handle_key(code(KeyCode::F(2)));
    a.handle_key(key('n'));
    assert_eq!(a.list().selected, 2);
    a.handle_key(code(KeyCode::Down));
    assert_eq!(a.list().selected, 2, "↓ is no longer down");
    a.handle_key(key('2'));
    assert_eq!(a.pane, Pane::Orders, "2 is no longer pane 2");
    a.handle_key(KeyEvent::new(KeyCode::Char('2'), KeyModifiers::ALT));
    assert_eq!(a.pane.index(), 1);
    assert!(a.handle_key(ctrl('z')).is_empty());
    assert!(matches!(
        a.handle_key(ctrl('s')).as_slice(),
        [Action::Suspend]
    ));
    let help = help_lines(&a.keymap);
    assert!(help.iter().any(|(k, _)| k == "n F2"));
    assert!(help.iter().any(|(k, _)| k == "1 Alt-2 3 4 5 6"));
    assert!(help
        .iter()
        .any(|(k, what)| k == "Enter" && *what == Cmd::Mark.describe()));
}

#[test]
fn the_keymap_names_match_the_config() {
    // The config checks `[console.keys]` against its own table of commands and default keys
    // (it does not depend on the console): both must describe the same keymap.
    let defaults = crate::console::app::default_keymap();
    for cmd in Cmd::ALL {
        assert_eq!(Cmd::named(&cmd.name()), Some(cmd));
        assert!(defaults.iter().any(|b| b.cmd == cmd), "{cmd:?}");
    }
    // The config knows every default key: taking one for another command is a conflict.
    for b in &defaults {
        let other = if b.cmd == Cmd::Hold {
            "release"
        } else {
            "hold"
        };
        let text = format!("[console.keys]\n{other} = {:?}\n", canonical(b));
        let e = crate::config::Config::parse(&text, std::path::Path::new("/x/ordo.toml"))
            .expect_err(&text)
            .to_string();
        assert!(
            e.contains(&format!("`{}`", b.cmd.name())) && e.contains("is bound to both"),
            "{e}"
        );
    }
    // Remapping every command to the keys it already has changes nothing.
    let same: Vec<(String, Vec<String>)> = Cmd::ALL
        .iter()
        .map(|c| {
            let keys = defaults
                .iter()
                .filter(|b| b.cmd == *c)
                .map(canonical)
                .collect();
            (c.name(), keys)
        })
        .collect();
    let text: String = std::iter::once("[console.keys]\n".to_string())
        .chain(same.iter().map(|(n, k)| format!("{n} = {k:?}\n")))
        .collect();
    let config = crate::config::Config::parse(&text, std::path::Path::new("/x/ordo.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let again = crate::console::app::keymap_with(&config.console.keys);
    assert_eq!(again.len(), defaults.len());
    for (x, y) in again.iter().zip(&defaults) {
        assert_eq!(
            (x.code, x.mods, &x.label, x.cmd),
            (y.code, y.mods, &y.label, y.cmd)
        );
    }
}

/// A default binding in the config's key syntax.
fn canonical(b: &crate::console::app::Binding) -> String {
    let mut s = String::new();
    if b.mods.contains(KeyModifiers::CONTROL) {
        s.push_str("ctrl-");
    }
    s.push_str(&match b.code {
        KeyCode::Char(' ') => "space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Down => "down".into(),
        KeyCode::Up => "up".into(),
        KeyCode::Home => "home".into(),
        KeyCode::End => "end".into(),
        KeyCode::PageDown => "pagedown".into(),
        KeyCode::PageUp => "pageup".into(),
        KeyCode::Tab => "tab".into(),
        KeyCode::BackTab => "backtab".into(),
        KeyCode::Enter => "enter".into(),
        KeyCode::Esc => "esc".into(),
        other => panic!("no config name for {other:?}"),
    });
    s
}

/// The screen as text lines, drawn at the app's size.
fn drawn(a: &App) -> Vec<String> {
    use ratatui::{backend::TestBackend, Terminal};
    let data = crate::console::data::Data::empty(a.pane);
    let mut term = Terminal::new(TestBackend::new(a.width, a.height)).unwrap();
    term.draw(|f| crate::console::ui::draw(f, a, &data, chrono::Utc::now()))
        .unwrap();
    let buf = term.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect()
        })
        .collect()
}
