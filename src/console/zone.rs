//! The operator's time zone (DESIGN invariant 7: times are stored in UTC and shown in the
//! operator's zone). `[console] timezone` names an IANA zone ("America/Chicago", "UTC"); without
//! it the machine's zone is used: `TZ`, else the zone `/etc/localtime` links to, else
//! `/etc/timezone`, else the C library's local time (chrono's `Local`) when no IANA name can be
//! found for it.

use std::path::Path;

use chrono::{DateTime, FixedOffset, Local, Offset, TimeZone, Utc};
use chrono_tz::{OffsetName, Tz};

/// Where times on screen are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// An IANA zone: its offsets and abbreviations over time (daylight saving included).
    Tz(Tz),
    /// The machine's local time when no IANA name was found for it: offsets from the C
    /// library, shown as "+02:00" where a name would be (there is no abbreviation to show).
    Local,
}

impl Default for Zone {
    fn default() -> Zone {
        Zone::UTC
    }
}

impl Zone {
    pub const UTC: Zone = Zone::Tz(Tz::UTC);

    /// The zone an IANA name names ("America/Chicago", "UTC", "Etc/GMT+5"); case matters, as
    /// in the tz database. `None` for anything else.
    pub fn named(name: &str) -> Option<Zone> {
        name.trim().parse::<Tz>().ok().map(Zone::Tz)
    }

    /// `[console] timezone` when given (the config has checked it; a name that does not parse
    /// here is shown in UTC rather than failing), else the machine's zone.
    pub fn configured(name: Option<&str>) -> Zone {
        match name {
            Some(n) => Zone::named(n).unwrap_or(Zone::UTC),
            None => Zone::local(),
        }
    }

    /// The machine's zone, as the C library sees it.
    pub fn local() -> Zone {
        let tz = std::env::var("TZ").ok();
        let link = std::fs::read_link("/etc/localtime").ok();
        let file = std::fs::read_to_string("/etc/timezone").ok();
        local_from(tz.as_deref(), link.as_deref(), file.as_deref())
    }

    /// The zone's name: "America/Chicago", or "local" for [`Zone::Local`].
    pub fn name(&self) -> String {
        match self {
            Zone::Tz(tz) => tz.name().to_owned(),
            Zone::Local => "local".to_owned(),
        }
    }

    /// `at` on the zone's wall clock.
    pub fn at(&self, at: DateTime<Utc>) -> DateTime<FixedOffset> {
        match self {
            Zone::Tz(tz) => {
                let local = at.with_timezone(tz);
                local.with_timezone(&local.offset().fix())
            }
            Zone::Local => at.with_timezone(&Local).fixed_offset(),
        }
    }

    /// The zone's abbreviation at `at` ("CST", "CDT", "UTC"); the offset ("-03", "+02:00")
    /// where the tz database or the C library has no letters for it.
    pub fn abbreviation(&self, at: DateTime<Utc>) -> String {
        match self {
            Zone::Tz(tz) => {
                let offset = tz.offset_from_utc_datetime(&at.naive_utc());
                match offset.abbreviation() {
                    Some(a) => a.to_owned(),
                    None => offset.fix().to_string(),
                }
            }
            Zone::Local => self.at(at).offset().to_string(),
        }
    }

    /// `at` formatted (chrono's `strftime` syntax) on the zone's wall clock.
    pub fn format(&self, at: DateTime<Utc>, fmt: &str) -> String {
        self.at(at).format(fmt).to_string()
    }

    /// Whether two instants fall on the same day of the zone's calendar.
    pub fn same_day(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> bool {
        self.at(a).date_naive() == self.at(b).date_naive()
    }
}

/// The machine's zone from what the C library would read: the `TZ` variable (an IANA name,
/// optionally after `:`, or a path into a zoneinfo folder; set but empty means UTC), else the
/// target of the `/etc/localtime` link, else the name in `/etc/timezone`. A `TZ` that names no
/// IANA zone (a POSIX rule such as "EST+5") or nothing found at all: [`Zone::Local`].
pub fn local_from(
    tz: Option<&str>,
    localtime_link: Option<&Path>,
    etc_timezone: Option<&str>,
) -> Zone {
    if let Some(tz) = tz {
        let tz = tz.strip_prefix(':').unwrap_or(tz).trim();
        if tz.is_empty() {
            return Zone::UTC;
        }
        return Zone::named(tz)
            .or_else(|| from_zoneinfo_path(Path::new(tz)))
            .unwrap_or(Zone::Local);
    }
    localtime_link
        .and_then(from_zoneinfo_path)
        .or_else(|| etc_timezone.and_then(Zone::named))
        .unwrap_or(Zone::Local)
}

/// ".../zoneinfo/America/Chicago" (also "zoneinfo/posix/..." and "zoneinfo/right/...") as a zone.
fn from_zoneinfo_path(path: &Path) -> Option<Zone> {
    let text = path.to_str()?;
    let (_, name) = text.rsplit_once("zoneinfo/")?;
    let name = name
        .strip_prefix("posix/")
        .or_else(|| name.strip_prefix("right/"))
        .unwrap_or(name);
    Zone::named(name)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use chrono::{TimeZone, Utc};

    use super::{local_from, Zone};

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .expect("a valid UTC time")
    }

    fn shown(zone: Zone, at: chrono::DateTime<Utc>) -> String {
        format!(
            "{} {}",
            zone.format(at, "%Y-%m-%d %H:%M"),
            zone.abbreviation(at)
        )
    }

    #[test]
    fn chicago_across_both_dst_changes_of_2026() {
        let z = Zone::named("America/Chicago").expect("a zone");
        // Spring forward, 8 March 2026: 02:00 CST does not exist, the clock goes to 03:00 CDT.
        assert_eq!(shown(z, utc(2026, 3, 8, 7, 59)), "2026-03-08 01:59 CST");
        assert_eq!(shown(z, utc(2026, 3, 8, 8, 0)), "2026-03-08 03:00 CDT");
        // Fall back, 1 November 2026: 01:00-01:59 comes twice, told apart by the abbreviation.
        assert_eq!(shown(z, utc(2026, 11, 1, 6, 30)), "2026-11-01 01:30 CDT");
        assert_eq!(shown(z, utc(2026, 11, 1, 7, 30)), "2026-11-01 01:30 CST");
        assert_eq!(
            z.at(utc(2026, 11, 1, 7, 30)).offset().local_minus_utc(),
            -6 * 3600
        );
        assert_eq!(z.name(), "America/Chicago");
    }

    #[test]
    fn utc_and_zones_without_letters() {
        assert_eq!(
            shown(Zone::UTC, utc(2026, 11, 28, 12, 0)),
            "2026-11-28 12:00 UTC"
        );
        assert_eq!(Zone::default(), Zone::UTC);
        // Kolkata is +05:30 all year; São Paulo's has no letters: its offset is shown.
        let k = Zone::named("Asia/Kolkata").expect("a zone");
        assert_eq!(k.format(utc(2026, 1, 1, 0, 0), "%H:%M"), "05:30");
        let sp = Zone::named("America/Sao_Paulo").expect("a zone");
        assert_eq!(sp.abbreviation(utc(2026, 1, 1, 0, 0)), "-03:00");
        assert_eq!(Zone::named("Chicago"), None);
        assert_eq!(Zone::named(""), None);
    }

    #[test]
    fn the_day_is_the_zones_day() {
        let z = Zone::named("America/Chicago").expect("a zone");
        // 03:00 UTC on the 28th is still the 27th in Chicago, like 23:00 UTC on the 27th.
        let (a, b) = (utc(2026, 11, 28, 3, 0), utc(2026, 11, 27, 23, 0));
        assert!(z.same_day(a, b));
        assert!(!Zone::UTC.same_day(a, b));
        let tokyo = Zone::named("Asia/Tokyo").expect("a zone");
        assert!(!tokyo.same_day(utc(2026, 11, 27, 14, 59), utc(2026, 11, 27, 15, 0)));
    }

    #[test]
    fn the_machines_zone_from_tz_then_localtime_then_etc_timezone() {
        let paris = Zone::named("Europe/Paris");
        assert_eq!(
            local_from(Some(":America/Chicago"), None, None),
            Zone::named("America/Chicago").expect("a zone")
        );
        assert_eq!(
            local_from(Some("Europe/Paris"), None, Some("Asia/Tokyo")),
            paris.expect("z")
        );
        assert_eq!(
            local_from(Some("/usr/share/zoneinfo/Europe/Paris"), None, None),
            Zone::named("Europe/Paris").expect("a zone")
        );
        // Set but empty: UTC, as the C library reads it.
        assert_eq!(local_from(Some(""), None, None), Zone::UTC);
        // A POSIX rule names no IANA zone: the C library's local time.
        assert_eq!(local_from(Some("XYZ-3"), None, None), Zone::Local);
        let link = Path::new("../usr/share/zoneinfo/posix/Asia/Tokyo");
        assert_eq!(
            local_from(None, Some(link), Some("Europe/Paris")),
            Zone::named("Asia/Tokyo").expect("a zone")
        );
        assert_eq!(
            local_from(None, Some(Path::new("/etc/other")), Some("Europe/Paris\n")),
            Zone::named("Europe/Paris").expect("a zone")
        );
        assert_eq!(local_from(None, None, None), Zone::Local);
        // Local shows its offset where a name would be.
        let abbr = Zone::Local.abbreviation(utc(2026, 1, 1, 0, 0));
        assert!(abbr.starts_with('+') || abbr.starts_with('-'), "{abbr}");
        assert_eq!(
            Zone::configured(Some("Europe/Paris")),
            Zone::named("Europe/Paris").expect("z")
        );
    }
}
