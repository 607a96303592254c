//! `[console] timezone`: an IANA zone name from the tz database that chrono-tz carries, with a
//! did-you-mean for a name that is close to one.

use chrono_tz::Tz;

/// `Ok` when `name` is a zone of the tz database ("America/Chicago", "UTC"); else the message
/// for the config error, naming the zone meant when one is close.
pub(super) fn check(name: &str) -> Result<(), String> {
    if name.parse::<Tz>().is_ok() {
        return Ok(());
    }
    let hint = match suggest(name) {
        Some(good) => format!("; did you mean {good:?}?"),
        None => String::new(),
    };
    Err(format!(
        "console.timezone = {name:?} is not a time zone; use an IANA name such as \"America/Chicago\" or \"Europe/Paris\", or \"UTC\"{hint}"
    ))
}

/// The IANA name meant by one that is not: the same name in another case, a city without its
/// region ("Chicago", "new york"), or a name a typo or two away ("America/Chicgo").
pub(super) fn suggest(name: &str) -> Option<&'static str> {
    let wanted = name.trim().replace(' ', "_").to_ascii_lowercase();
    if wanted.is_empty() {
        return None;
    }
    let names: Vec<&'static str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
    let lower: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
    // The whole name in another case first ("utc" is "UTC", not "Etc/UTC"), then a city.
    let city = |n: &String| n.rsplit('/').next() == Some(wanted.as_str());
    if let Some(i) = lower
        .iter()
        .position(|n| *n == wanted)
        .or_else(|| lower.iter().position(city))
    {
        return Some(names[i]);
    }
    let near = super::error::closest(&wanted, &lower)?;
    lower.iter().position(|n| n == near).map(|i| names[i])
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::Config;

    fn err(text: &str) -> String {
        match Config::parse(text, Path::new("/x/ordo.toml")) {
            Ok(c) => panic!("expected an error, got {:?}", c.console),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_zone_of_the_tz_database_is_taken() {
        for name in [
            "America/Chicago",
            "UTC",
            "Europe/Paris",
            "Etc/GMT+5",
            "Asia/Kolkata",
        ] {
            let c = Config::parse(
                &format!("[console]\ntimezone = {name:?}\n"),
                Path::new("/x/ordo.toml"),
            )
            .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(c.console.timezone.as_deref(), Some(name));
        }
    }

    #[test]
    fn an_unknown_zone_names_file_line_key_and_the_zone_meant() {
        assert_eq!(
            err("[console]\ntheme = \"light\"\ntimezone = \"America/Chicgo\"\n"),
            "/x/ordo.toml:3: console.timezone = \"America/Chicgo\" is not a time zone; use an IANA name such as \"America/Chicago\" or \"Europe/Paris\", or \"UTC\"; did you mean \"America/Chicago\"?"
        );
        // Another case, a city alone, a space for the underscore.
        for (written, meant) in [
            ("america/chicago", "America/Chicago"),
            ("Chicago", "America/Chicago"),
            ("new york", "America/New_York"),
            ("utc", "UTC"),
        ] {
            let s = err(&format!("[console]\ntimezone = {written:?}\n"));
            assert!(
                s.starts_with("/x/ordo.toml:2: console.timezone")
                    && s.ends_with(&format!("did you mean {meant:?}?")),
                "{written}: {s}"
            );
        }
        // Nothing close: no guess.
        let s = err("[console]\ntimezone = \"Moon/Tranquility\"\n");
        assert!(!s.contains("did you mean"), "{s}");
        assert!(s.contains("is not a time zone"), "{s}");
    }
}
