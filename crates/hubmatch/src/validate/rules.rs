//! The rules on single values (amounts, coordinates, counts, windows, ids)
//! and on the district's size, each failing with a message that names the
//! record and field.

use std::collections::HashMap;

use super::{MAX_COORDINATE, MAX_MINUTE, MAX_UNITS};
use crate::error::{RecordKind, ValidationError};
use crate::fixed::to_micro;
use crate::model::TimeWindow;

pub(super) type Check<T> = std::result::Result<T, ValidationError>;

pub(super) fn err(kind: RecordKind, record: &str, field: &str, problem: String) -> ValidationError {
    ValidationError::new(kind, record, field, problem)
}

/// A real number in `[0, max]` with at most six decimals, in millionths.
pub(super) fn amount(kind: RecordKind, record: &str, field: &str, x: f64, max: f64) -> Check<i64> {
    if !x.is_finite() {
        return Err(err(
            kind,
            record,
            field,
            format!("must be a finite number, got {x}"),
        ));
    }
    if x < 0.0 {
        return Err(err(kind, record, field, format!("must be >= 0, got {x}")));
    }
    if x > max {
        return Err(err(
            kind,
            record,
            field,
            format!("must be at most {max} to compute weights exactly, got {x}"),
        ));
    }
    to_micro(x).ok_or_else(|| {
        err(
            kind,
            record,
            field,
            format!("must have at most 6 decimal places, got {x}"),
        )
    })
}

pub(super) fn coordinate(record: &str, field: &str, x: f64) -> Check<i64> {
    if !x.is_finite() || x.abs() > MAX_COORDINATE {
        return Err(err(
            RecordKind::Cell,
            record,
            field,
            format!("must be a finite number within ±{MAX_COORDINATE}, got {x}"),
        ));
    }
    to_micro(x).ok_or_else(|| {
        err(
            RecordKind::Cell,
            record,
            field,
            format!("must have at most 6 decimal places, got {x}"),
        )
    })
}

pub(super) fn count(kind: RecordKind, record: &str, field: &str, v: i64, min: i64) -> Check<i64> {
    if v < min {
        let rel = if min == 1 { "> 0" } else { ">= 0" };
        return Err(err(kind, record, field, format!("must be {rel}, got {v}")));
    }
    if v > MAX_UNITS {
        return Err(err(
            kind,
            record,
            field,
            format!("must be at most {MAX_UNITS}, got {v}"),
        ));
    }
    Ok(v)
}

pub(super) fn window(
    kind: RecordKind,
    record: &str,
    field: &str,
    w: &TimeWindow,
) -> Check<TimeWindow> {
    if w.start < 0 || w.end <= w.start || w.end > MAX_MINUTE {
        return Err(err(
            kind,
            record,
            field,
            format!(
                "must satisfy 0 <= start < end <= {MAX_MINUTE}, got [{}, {})",
                w.start, w.end
            ),
        ));
    }
    Ok(*w)
}

pub(super) fn ids<'a>(
    kind: RecordKind,
    items: impl Iterator<Item = &'a str>,
) -> Check<HashMap<&'a str, usize>> {
    let mut map = HashMap::with_capacity(items.size_hint().0);
    for (i, id) in items.enumerate() {
        if id.is_empty() {
            return Err(err(
                kind,
                &format!("#{i}"),
                "id",
                "must not be empty".into(),
            ));
        }
        if map.insert(id, i).is_some() {
            return Err(err(kind, id, "id", "is a duplicate id".into()));
        }
    }
    Ok(map)
}
