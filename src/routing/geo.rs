//! Great-circle distance. Geocoding (postal code to coordinates) is the caller's business:
//! routing only sees coordinates or their absence.

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
}
