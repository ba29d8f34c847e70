//! Fixed-point arithmetic for weights.
//!
//! Real-valued inputs (values, multipliers, costs, coordinates) are read as
//! decimal numbers with at most six decimal places and held as integers in
//! millionths ([`INPUT_SCALE`]). A unit's weight is computed from them exactly
//! in `i128` and rounded once, half away from zero, to thousandths
//! ([`WEIGHT_SCALE`]). The solver then works on exact `i64` integers, so the
//! optimum is exact and identical on every platform.

/// Scale of inputs: `1.25` is held as `1_250_000`.
pub const INPUT_SCALE: i64 = 1_000_000;

/// Scale of weights and costs in the flow network: a weight of `12.5` is `12_500`.
///
/// ```
/// assert_eq!(hubmatch::fixed::to_weight(12.5), 12_500);
/// ```
pub const WEIGHT_SCALE: i64 = 1_000;

/// Converts a decimal input to millionths, or `None` when it is not finite or
/// has more than six decimal places (so nothing is rounded silently).
///
/// ```
/// use hubmatch::fixed::to_micro;
/// assert_eq!(to_micro(0.1), Some(100_000));
/// assert_eq!(to_micro(1.0000001), None);
/// assert_eq!(to_micro(f64::NAN), None);
/// ```
pub fn to_micro(x: f64) -> Option<i64> {
    if !x.is_finite() || x.abs() > 1e12 {
        return None;
    }
    let scaled = x * INPUT_SCALE as f64;
    let rounded = scaled.round();
    // Tolerance covers binary representation error of decimals like 0.1.
    if (scaled - rounded).abs() > 1e-3 {
        return None;
    }
    Some(rounded as i64)
}

/// Rounds a real number to weight units (thousandths).
///
/// ```
/// assert_eq!(hubmatch::fixed::to_weight(-0.0015), -2);
/// ```
pub fn to_weight(x: f64) -> i64 {
    (x * WEIGHT_SCALE as f64).round() as i64
}

/// Converts weight units back to a real number for reports.
///
/// ```
/// assert_eq!(hubmatch::fixed::weight_to_f64(12_500), 12.5);
/// ```
pub fn weight_to_f64(w: i64) -> f64 {
    w as f64 / WEIGHT_SCALE as f64
}

/// Exact division rounding half away from zero.
///
/// ```
/// use hubmatch::fixed::div_round;
/// assert_eq!(div_round(5, 2), 3);
/// assert_eq!(div_round(-5, 2), -3);
/// assert_eq!(div_round(4, 3), 1);
/// ```
pub fn div_round(n: i128, d: i128) -> i128 {
    debug_assert!(d > 0);
    let q = n / d;
    let r = n % d;
    if 2 * r.abs() >= d { q + n.signum() } else { q }
}
