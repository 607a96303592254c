//! Great-circle distance, and the static centroid tables that give an order without
//! coordinates a ship-to point from its postal code or country.
//!
//! Routing itself stays pure: [`haversine_km`] and [`distance_km`] only see coordinates or
//! their absence. [`ship_to_coordinates`] (and [`centroid`] under it) is what a caller uses to
//! fill `RouteRequest::lat`/`lon` before routing; it reads nothing but data compiled into the
//! binary, so the same order always gets the same point.
//!
//! The tables are `assets/geo/us_zip_centroids.csv` (`zip,lat,lon`, one row per 5-digit US
//! ZIP) and `assets/geo/country_centroids.csv` (`country,lat,lon`, one row per ISO 3166-1
//! alpha-2 code), made by `assets/geo/build_centroids.py` from package data; sources,
//! licenses and attribution are in `assets/geo/LICENSE.md`. They are embedded with
//! `include_str!` and parsed once, on first use, into sorted arrays of fixed-point
//! coordinates (1e-4 degree, as written), searched by binary search.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// Mean Earth radius used by the spec, in km.
pub const EARTH_RADIUS_KM: f64 = 6371.0;

/// Haversine distance in km between two points given in degrees.
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let s1 = (dp * 0.5).sin();
    let s2 = (dl * 0.5).sin();
    let a = s1 * s1 + p1.cos() * p2.cos() * s2 * s2;
    // atan2 rather than asin: well conditioned near antipodes too. `a` stays within [0, 1] up to
    // rounding; clamping 1 - a keeps the square root real. A NaN input stays NaN.
    2.0 * EARTH_RADIUS_KM * a.sqrt().atan2((1.0 - a).max(0.0).sqrt())
}

/// Distance between two optional points: `f64::INFINITY` when either lacks a coordinate (or
/// a coordinate is not a number), as the spec says for missing coordinates.
pub fn distance_km(a: (Option<f64>, Option<f64>), b: (Option<f64>, Option<f64>)) -> f64 {
    match (a, b) {
        ((Some(lat1), Some(lon1)), (Some(lat2), Some(lon2))) => {
            let d = haversine_km(lat1, lon1, lat2, lon2);
            if d.is_nan() {
                f64::INFINITY
            } else {
                d
            }
        }
        _ => f64::INFINITY,
    }
}

/// Where an order's ship-to coordinates came from, for the explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GeoSource {
    /// The order carried usable coordinates.
    Given,
    /// The centroid of the order's US ZIP code.
    PostalCentroid,
    /// The centroid of the order's country: a country other than the US, or a US order whose
    /// postal code is missing, malformed or not in the table.
    CountryCentroid,
    /// Nothing to go on: no usable coordinates and no known country.
    Unknown,
}

impl GeoSource {
    pub fn as_str(self) -> &'static str {
        match self {
            GeoSource::Given => "given",
            GeoSource::PostalCentroid => "postal_centroid",
            GeoSource::CountryCentroid => "country_centroid",
            GeoSource::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for GeoSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The point for a ship-to address without coordinates.
///
/// `country` is an ISO 3166-1 alpha-2 code, case-insensitive, surrounding whitespace ignored
/// (alpha-3 codes and names are not recognised). For `US`, the first five digits of
/// `postal_code` are looked up in the ZIP table: `"10001"`, `" 10001 "`, `"10001-1234"`,
/// `"10001 1234"` and `"100011234"` all give ZIP 10001; five digits followed by a sixth
/// digit (other than the nine-digit ZIP+4 form) are not a ZIP. A US order whose ZIP is
/// missing, malformed or not in the table (APO/FPO/DPO military ZIPs are not: their source
/// has no coordinates for them) gets the US country centroid. For any other country the
/// postal code is ignored and the country centroid is returned. `None` when the country is
/// not in the table.
pub fn centroid(country: &str, postal_code: &str) -> Option<(f64, f64)> {
    locate(country, postal_code).map(|(lat, lon, _)| (lat, lon))
}

/// The ship-to point routing should use, and where it came from.
///
/// Given coordinates win when both are present, finite and in range (latitude within ±90,
/// longitude within ±180) and are not exactly `(0, 0)`, the usual placeholder for "unknown".
/// Otherwise the point is [`centroid`]`(country, postal)` (a missing postal code is an empty
/// one); with no country, or one not in the table, it is `(None, None, Unknown)`. A US address
/// whose ZIP is not in the table is Unknown too: the middle of Kansas would rank warehouses
/// by distance to nowhere the parcel goes, where an unknown distance lets priority decide.
pub fn ship_to_coordinates(
    lat: Option<f64>,
    lon: Option<f64>,
    country: Option<&str>,
    postal: Option<&str>,
) -> (Option<f64>, Option<f64>, GeoSource) {
    if let (Some(la), Some(lo)) = (lat, lon) {
        let usable = (-90.0..=90.0).contains(&la)
            && (-180.0..=180.0).contains(&lo)
            && !(la == 0.0 && lo == 0.0);
        if usable {
            return (Some(la), Some(lo), GeoSource::Given);
        }
    }
    let country = country.unwrap_or("");
    match locate(country, postal.unwrap_or("")) {
        Some((_, _, GeoSource::CountryCentroid)) if country.trim().eq_ignore_ascii_case("US") => {
            (None, None, GeoSource::Unknown)
        }
        Some((la, lo, source)) => (Some(la), Some(lo), source),
        None => (None, None, GeoSource::Unknown),
    }
}

/// Sizes of the embedded centroid tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CentroidTableStats {
    /// US ZIP codes with a centroid.
    pub us_zips: usize,
    /// Countries with a centroid.
    pub countries: usize,
    /// Rows of either file that were malformed, out of range or repeated, and left out.
    /// Always 0 for the assets as built; anything else means a corrupted asset.
    pub rejected_rows: usize,
}

/// Sizes of the embedded tables. Parses them if nothing has yet: a caller that wants the
/// first order not to pay for that (a few milliseconds) can call this at start-up.
pub fn centroid_table_stats() -> CentroidTableStats {
    let t = tables();
    CentroidTableStats {
        us_zips: t.zips.len(),
        countries: t.countries.len(),
        rejected_rows: t.rejected,
    }
}

const US_ZIP_CSV: &str = include_str!("../../assets/geo/us_zip_centroids.csv");
const COUNTRY_CSV: &str = include_str!("../../assets/geo/country_centroids.csv");

/// A point in units of 1e-4 degree: the precision the tables are written with, so the
/// conversion back to degrees gives the same `f64` as parsing the decimal text would.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Point {
    lat: i32,
    lon: i32,
}

impl Point {
    fn degrees(self) -> (f64, f64) {
        (f64::from(self.lat) / 1e4, f64::from(self.lon) / 1e4)
    }
}

/// Sorted, unique keys with their points in a parallel array: the binary search touches only
/// the dense key array (4 bytes a ZIP).
struct Tables {
    zips: Vec<u32>,
    zip_points: Vec<Point>,
    countries: Vec<[u8; 2]>,
    country_points: Vec<Point>,
    rejected: usize,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let (zips, zip_points, r1) = parse_table(US_ZIP_CSV, "zip,lat,lon", zip_key);
        let (countries, country_points, r2) =
            parse_table(COUNTRY_CSV, "country,lat,lon", country_key);
        Tables {
            zips,
            zip_points,
            countries,
            country_points,
            rejected: r1 + r2,
        }
    })
}

fn locate(country: &str, postal: &str) -> Option<(f64, f64, GeoSource)> {
    let code = country_code(country)?;
    let t = tables();
    if &code == b"US" {
        let zip = us_zip5(postal).and_then(|z| t.zips.binary_search(&z).ok());
        if let Some(i) = zip {
            let (la, lo) = t.zip_points[i].degrees();
            return Some((la, lo, GeoSource::PostalCentroid));
        }
    }
    let i = t.countries.binary_search(&code).ok()?;
    let (la, lo) = t.country_points[i].degrees();
    Some((la, lo, GeoSource::CountryCentroid))
}

/// A country as given by a caller: two ASCII letters, any case, surrounding whitespace.
fn country_code(s: &str) -> Option<[u8; 2]> {
    match s.trim().as_bytes() {
        [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
            Some([a.to_ascii_uppercase(), b.to_ascii_uppercase()])
        }
        _ => None,
    }
}

/// The 5-digit ZIP of a US postal code as a caller gives it (see [`centroid`]).
fn us_zip5(postal: &str) -> Option<u32> {
    let s = postal.trim().as_bytes();
    let (zip, rest) = s.split_at_checked(5)?;
    if !zip.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let run_on_plus4 = rest.len() == 4 && rest.iter().all(u8::is_ascii_digit);
    if rest.first().is_some_and(u8::is_ascii_digit) && !run_on_plus4 {
        return None;
    }
    Some(digits(zip))
}

fn digits(b: &[u8]) -> u32 {
    b.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'))
}

/// A table key as written in the ZIP file: exactly five ASCII digits.
fn zip_key(s: &str) -> Option<u32> {
    let b = s.as_bytes();
    (b.len() == 5 && b.iter().all(u8::is_ascii_digit)).then(|| digits(b))
}

/// A table key as written in the country file: exactly two upper-case ASCII letters.
fn country_key(s: &str) -> Option<[u8; 2]> {
    match s.as_bytes() {
        [a, b] if a.is_ascii_uppercase() && b.is_ascii_uppercase() => Some([*a, *b]),
        _ => None,
    }
}

/// Degrees written as `-?D{1,3}(.D{1,4})?` to units of 1e-4 degree, within `±max` degrees.
fn parse_e4(s: &str, max: i32) -> Option<i32> {
    let (neg, b) = match s.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        b => (false, b),
    };
    let (int, frac) = match b.iter().position(|&c| c == b'.') {
        Some(i) if i + 1 < b.len() => (&b[..i], &b[i + 1..]),
        Some(_) => return None,
        None => (b, &b[..0]),
    };
    let ok = |d: &[u8], most: usize| d.len() <= most && d.iter().all(u8::is_ascii_digit);
    if int.is_empty() || !ok(int, 3) || !ok(frac, 4) {
        return None;
    }
    let mut v = digits(int);
    for i in 0..4 {
        v = v * 10 + frac.get(i).map_or(0, |d| u32::from(d - b'0'));
    }
    let v = i32::try_from(v).ok().filter(|&v| v <= max * 10_000)?;
    Some(if neg { -v } else { v })
}

/// Parses `header` then `key,lat,lon` rows. Returns the keys sorted and unique (the first row
/// of a repeated key wins), their points, and how many rows were left out. A wrong header
/// rejects the whole file.
fn parse_table<K: Ord + Copy>(
    text: &str,
    header: &str,
    key: fn(&str) -> Option<K>,
) -> (Vec<K>, Vec<Point>, usize) {
    let mut lines = text.lines();
    if lines.next() != Some(header) {
        return (Vec::new(), Vec::new(), text.lines().count().max(1));
    }
    let mut rows: Vec<(K, Point)> = Vec::with_capacity(text.len() / 20);
    let mut rejected = 0;
    for line in lines {
        let mut f = line.split(',');
        let row = match (f.next(), f.next(), f.next(), f.next()) {
            (Some(k), Some(la), Some(lo), None) => key(k).zip(
                parse_e4(la, 90)
                    .zip(parse_e4(lo, 180))
                    .map(|(lat, lon)| Point { lat, lon }),
            ),
            _ => None,
        };
        match row {
            Some(r) => rows.push(r),
            None => rejected += 1,
        }
    }
    if !rows.windows(2).all(|w| w[0].0 < w[1].0) {
        rows.sort_by_key(|r| r.0); // stable: the first of equal keys stays first
        let before = rows.len();
        rows.dedup_by_key(|r| r.0);
        rejected += before - rows.len();
    }
    let (mut keys, mut points): (Vec<K>, Vec<Point>) = rows.into_iter().unzip();
    keys.shrink_to_fit();
    points.shrink_to_fit();
    (keys, points, rejected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_distances() {
        assert_eq!(haversine_km(40.0, -74.0, 40.0, -74.0), 0.0);
        // One degree of latitude along a meridian is R * pi / 180.
        let one = haversine_km(0.0, 0.0, 1.0, 0.0);
        assert!((one - EARTH_RADIUS_KM * std::f64::consts::PI / 180.0).abs() < 1e-9);
        // Quarter of the equator.
        let q = haversine_km(0.0, 0.0, 0.0, 90.0);
        assert!((q - EARTH_RADIUS_KM * std::f64::consts::FRAC_PI_2).abs() < 1e-9);
        // Antipodes: half the circumference (haversine is ill-conditioned there: within a metre),
        // no NaN.
        let h = haversine_km(10.0, 20.0, -10.0, -160.0);
        assert!(
            (h - EARTH_RADIUS_KM * std::f64::consts::PI).abs() < 1e-3,
            "{h}"
        );
        assert!(haversine_km(f64::NAN, 0.0, 0.0, 0.0).is_nan());
        assert!(haversine_km(0.0, 0.0, 0.0, 180.0).is_finite(), "{h}");
        // New York to Austin, about 2427 km.
        let d = haversine_km(40.7506, -73.9972, 30.2711, -97.7437);
        assert!((2400.0..2450.0).contains(&d), "{d}");
        // Symmetric.
        assert_eq!(d, haversine_km(30.2711, -97.7437, 40.7506, -73.9972));
    }

    #[test]
    fn missing_coordinates_are_infinitely_far() {
        assert_eq!(
            distance_km((Some(1.0), None), (Some(1.0), Some(1.0))),
            f64::INFINITY
        );
        assert_eq!(
            distance_km((Some(1.0), Some(1.0)), (None, Some(1.0))),
            f64::INFINITY
        );
        assert_eq!(
            distance_km((Some(f64::NAN), Some(1.0)), (Some(1.0), Some(1.0))),
            f64::INFINITY
        );
        assert_eq!(
            distance_km((Some(1.0), Some(2.0)), (Some(1.0), Some(2.0))),
            0.0
        );
    }

    fn near(p: Option<(f64, f64)>, lat: f64, lon: f64) -> bool {
        p.is_some_and(|(la, lo)| (la - lat).abs() < 0.1 && (lo - lon).abs() < 0.1)
    }

    #[test]
    fn us_zip_centroids() {
        let ny = centroid("US", "10001");
        assert!(near(ny, 40.75, -73.99), "{ny:?}");
        let sf = centroid("US", "94105");
        assert!(near(sf, 37.79, -122.39), "{sf:?}");
        let anc = centroid("US", "99501");
        assert!(near(anc, 61.22, -149.87), "{anc:?}");
        // Leading zeros are part of the ZIP (Holtsville, NY; Adjuntas, PR).
        assert!(near(centroid("US", "00501"), 40.82, -73.05));
        assert!(near(centroid("US", "00601"), 18.20, -66.74));
    }

    #[test]
    fn zip_plus_four_spaces_and_case() {
        let ny = centroid("US", "10001");
        for postal in [
            "10001-1234",
            " 10001 ",
            "\t10001\n",
            "10001 1234",
            "100011234",
            "10001-",
        ] {
            assert_eq!(centroid("US", postal), ny, "{postal:?}");
        }
        for country in ["us", "Us", " US "] {
            assert_eq!(centroid(country, "10001"), ny, "{country:?}");
        }
    }

    #[test]
    fn unknown_or_malformed_zip_falls_back_to_us_centroid() {
        let us = centroid("US", "").expect("US centroid");
        // Contiguous US, roughly Kansas.
        assert!(
            (35.0..40.0).contains(&us.0) && (-100.0..-90.0).contains(&us.1),
            "{us:?}"
        );
        assert_ne!(centroid("US", "10001"), Some(us));
        // 00000 is no ZIP; 09001 is an APO ZIP, whose source has no coordinates.
        for postal in ["00000", "09001", "1000", "ABCDE", "123456", "  "] {
            assert_eq!(centroid("US", postal), Some(us), "{postal:?}");
        }
        assert_eq!(us_zip5("123456"), None);
        assert_eq!(us_zip5("1234"), None);
        assert_eq!(us_zip5("0123456789"), None);
        assert_eq!(us_zip5("01234 USA"), Some(1234));
    }

    #[test]
    fn country_centroids() {
        let gb = centroid("GB", "SW1A 1AA").expect("GB");
        assert!(
            (50.0..59.0).contains(&gb.0) && (-6.0..2.0).contains(&gb.1),
            "{gb:?}"
        );
        let de = centroid("DE", "10115").expect("DE");
        assert!(
            (47.0..55.0).contains(&de.0) && (6.0..15.0).contains(&de.1),
            "{de:?}"
        );
        // The postal code plays no part outside the US.
        assert_eq!(centroid("GB", ""), Some(gb));
        assert_eq!(centroid("de", "99999"), Some(de));
        // Codes the first source lacks come from the second.
        let ss = centroid("SS", "").expect("South Sudan");
        assert!(
            (3.0..13.0).contains(&ss.0) && (24.0..36.0).contains(&ss.1),
            "{ss:?}"
        );
    }

    #[test]
    fn unknown_country_is_none() {
        for country in ["ZZ", "", "  ", "USA", "U", "United States", "A1", "AN"] {
            assert_eq!(centroid(country, "10001"), None, "{country:?}");
        }
    }

    #[test]
    fn ship_to_prefers_given_coordinates() {
        assert_eq!(
            ship_to_coordinates(Some(1.5), Some(2.5), Some("US"), Some("10001")),
            (Some(1.5), Some(2.5), GeoSource::Given)
        );
        let (ny_lat, ny_lon) = centroid("US", "10001").unwrap();
        let postal = (Some(ny_lat), Some(ny_lon), GeoSource::PostalCentroid);
        // Half a point, a NaN, out of range, or the (0, 0) placeholder: not usable.
        for (lat, lon) in [
            (Some(1.5), None),
            (None, Some(2.5)),
            (Some(f64::NAN), Some(2.5)),
            (Some(1.5), Some(f64::INFINITY)),
            (Some(91.0), Some(2.5)),
            (Some(1.5), Some(-180.5)),
            (Some(0.0), Some(0.0)),
        ] {
            assert_eq!(
                ship_to_coordinates(lat, lon, Some("us"), Some("10001-0001")),
                postal,
                "{lat:?} {lon:?}"
            );
        }
        // A US address without a known ZIP is not placed at the middle of the country.
        let unknown = (None, None, GeoSource::Unknown);
        assert!(centroid("US", "").is_some());
        assert_eq!(ship_to_coordinates(None, None, Some("US"), None), unknown);
        assert_eq!(
            ship_to_coordinates(None, None, Some("us"), Some("")),
            unknown
        );
        assert_eq!(
            ship_to_coordinates(None, None, Some("US"), Some("00000")),
            unknown
        );
        let ca = centroid("CA", "").unwrap();
        assert_eq!(
            ship_to_coordinates(None, None, Some("CA"), Some("M5V 2T6")),
            (Some(ca.0), Some(ca.1), GeoSource::CountryCentroid)
        );
        assert_eq!(
            ship_to_coordinates(None, None, None, Some("10001")),
            unknown
        );
        assert_eq!(
            ship_to_coordinates(None, None, Some(""), Some("10001")),
            unknown
        );
        assert_eq!(ship_to_coordinates(None, None, Some("ZZ"), None), unknown);
    }

    #[test]
    fn geo_source_names() {
        for (s, name) in [
            (GeoSource::Given, "given"),
            (GeoSource::PostalCentroid, "postal_centroid"),
            (GeoSource::CountryCentroid, "country_centroid"),
            (GeoSource::Unknown, "unknown"),
        ] {
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{name}\""));
            assert_eq!(
                serde_json::from_str::<GeoSource>(&format!("\"{name}\"")).unwrap(),
                s
            );
            assert_eq!(s.to_string(), name);
        }
    }

    #[test]
    fn fixed_point_parsing() {
        assert_eq!(parse_e4("40.7484", 90), Some(407_484));
        assert_eq!(parse_e4("-73.9967", 180), Some(-739_967));
        assert_eq!(parse_e4("-180", 180), Some(-1_800_000));
        assert_eq!(parse_e4("0.5", 90), Some(5_000));
        assert_eq!(parse_e4("7", 90), Some(70_000));
        assert_eq!(
            Point {
                lat: 407_484,
                lon: -739_967
            }
            .degrees(),
            (40.7484, -73.9967)
        );
        for bad in [
            "", "-", ".5", "5.", "1.23456", "90.0001", "1000", "+5", "1e3", "4 0", "--1", "NaN",
        ] {
            assert_eq!(parse_e4(bad, 90), None, "{bad:?}");
        }
    }

    #[test]
    fn table_parsing_rejects_what_it_cannot_trust() {
        let (k, p, r) = parse_table(
            "zip,lat,lon\r\n10001,40.7484,-73.9967\r\n00501,40.8154,-73.0451\r\n",
            "zip,lat,lon",
            zip_key,
        );
        assert_eq!((k, r), (vec![501, 10001], 0));
        assert_eq!(
            p[1],
            Point {
                lat: 407_484,
                lon: -739_967
            }
        );

        let text = "zip,lat,lon\n\
            10001,40.7484,-73.9967\n\
            10001,1,1\n\
            1000,1,1\n\
            10002,91,1\n\
            10003,1\n\
            10004,1,1,1\n\
            \n\
            00501,40.8154,-73.0451\n";
        let (k, p, r) = parse_table(text, "zip,lat,lon", zip_key);
        assert_eq!((k, r), (vec![501, 10001], 6));
        assert_eq!(
            p[1],
            Point {
                lat: 407_484,
                lon: -739_967
            },
            "the first row wins"
        );

        let (k, _, r) = parse_table("zip,latitude,lon\n10001,1,1\n", "zip,lat,lon", zip_key);
        assert_eq!((k.len(), r), (0, 2));
        let (k, _, r) = parse_table("", "zip,lat,lon", zip_key);
        assert_eq!((k.len(), r), (0, 1));

        let (k, _, r) = parse_table(
            "country,lat,lon\nus,1,1\nUSA,1,1\nGB,55.3781,-3.4360\n",
            "country,lat,lon",
            country_key,
        );
        assert_eq!((k, r), (vec![*b"GB"], 2));
    }

    #[test]
    fn embedded_tables_parse_cleanly() {
        let s = centroid_table_stats();
        assert_eq!(s.rejected_rows, 0, "{s:?}");
        assert!(s.us_zips >= 33_000 && s.countries >= 200, "{s:?}");
    }
}
