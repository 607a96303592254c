//! The centroid tables under assets/geo/ are whole and sane, and the embedded copies say what
//! the files say. Each check reads the CSV itself, independently of the parser in
//! `routing::geo`, so a corrupted or truncated asset fails here even where the parser would
//! quietly leave the bad rows out.

use std::path::Path;

use ordo::routing::geo::{centroid, centroid_table_stats, ship_to_coordinates, GeoSource};

fn asset(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/geo")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `header` then `key,lat,lon` rows: every row well formed, in range, keys strictly
/// ascending (so sorted and unique).
fn rows(name: &str, header: &str, key_ok: fn(&str) -> bool) -> Vec<(String, f64, f64)> {
    let text = asset(name);
    assert!(!text.contains('\r'), "{name}: CR line ends");
    assert!(text.ends_with('\n'), "{name}: last line unterminated");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(header), "{name}: header");
    let mut out: Vec<(String, f64, f64)> = Vec::new();
    for (i, line) in lines.enumerate() {
        let at = format!("{name} row {}: {line:?}", i + 1);
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 3, "{at}");
        assert!(key_ok(f[0]), "{at}: key");
        for v in &f[1..] {
            let (_, decimals) = v.split_once('.').unwrap_or((v, ""));
            assert!(decimals.len() <= 4, "{at}: more than 4 decimals");
        }
        let lat: f64 = f[1].parse().unwrap_or_else(|e| panic!("{at}: lat {e}"));
        let lon: f64 = f[2].parse().unwrap_or_else(|e| panic!("{at}: lon {e}"));
        assert!((-90.0..=90.0).contains(&lat), "{at}: lat out of range");
        assert!((-180.0..=180.0).contains(&lon), "{at}: lon out of range");
        assert!(!(lat == 0.0 && lon == 0.0), "{at}: 0,0 placeholder");
        if let Some(prev) = out.last() {
            assert!(prev.0.as_str() < f[0], "{at}: not after {:?}", prev.0);
        }
        out.push((f[0].to_string(), lat, lon));
    }
    out
}

fn zip_rows() -> Vec<(String, f64, f64)> {
    rows("us_zip_centroids.csv", "zip,lat,lon", |k| {
        k.len() == 5 && k.bytes().all(|b| b.is_ascii_digit())
    })
}

fn country_rows() -> Vec<(String, f64, f64)> {
    rows("country_centroids.csv", "country,lat,lon", |k| {
        k.len() == 2 && k.bytes().all(|b| b.is_ascii_uppercase())
    })
}

#[test]
fn tables_are_whole() {
    let (zips, countries) = (zip_rows(), country_rows());
    assert!(zips.len() >= 33_000, "{} US ZIPs", zips.len());
    assert!(countries.len() >= 200, "{} countries", countries.len());
    let stats = centroid_table_stats();
    assert_eq!(stats.rejected_rows, 0, "{stats:?}");
    assert_eq!(stats.us_zips, zips.len(), "{stats:?}");
    assert_eq!(stats.countries, countries.len(), "{stats:?}");
    for code in [
        "US", "CA", "MX", "GB", "DE", "FR", "JP", "CN", "IN", "BR", "AU", "ZA",
    ] {
        assert!(countries.iter().any(|r| r.0 == code), "{code} missing");
    }
}

#[test]
fn us_zip_rows_are_in_the_us() {
    // Every US ZIP lies within the box spanned by the states and territories that use USPS
    // ZIPs: American Samoa (14.3 S) to Alaska's north coast (71.4 N), and across the
    // antimeridian from Guam, Palau and the Aleutians (east longitudes above 130) to the US
    // Virgin Islands (64.6 W).
    for (zip, lat, lon) in zip_rows() {
        assert!((-15.0..=72.0).contains(&lat), "{zip}: lat {lat}");
        assert!(
            lon >= 130.0 || (-180.0..=-64.0).contains(&lon),
            "{zip}: lon {lon}"
        );
    }
}

#[test]
fn embedded_tables_match_the_files() {
    let same = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9;
    for (zip, lat, lon) in zip_rows() {
        let got = centroid("US", &zip);
        assert!(got.is_some_and(|p| same(p, (lat, lon))), "{zip}: {got:?}");
        let (la, lo, src) =
            ship_to_coordinates(None, None, Some("us"), Some(&format!("{zip}-0001")));
        assert_eq!(src, GeoSource::PostalCentroid, "{zip}");
        assert!(same((la.unwrap(), lo.unwrap()), (lat, lon)), "{zip}");
    }
    for (code, lat, lon) in country_rows() {
        for c in [code.clone(), code.to_ascii_lowercase()] {
            let got = centroid(&c, "");
            assert!(got.is_some_and(|p| same(p, (lat, lon))), "{c}: {got:?}");
            let (_, _, src) = ship_to_coordinates(None, None, Some(&c), None);
            // A US address needs its ZIP; every other country is placed at its centroid.
            let want = if code == "US" {
                GeoSource::Unknown
            } else {
                GeoSource::CountryCentroid
            };
            assert_eq!(src, want, "{c}");
        }
    }
}
