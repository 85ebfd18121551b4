//! Conversions between stored columns and domain values, shared by every table module. Times are
//! stored as milliseconds since the Unix epoch and dates as ISO 8601 text, identically on both
//! backends, so the same SQL reads the same values everywhere.

use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::StoreError;

pub(crate) fn millis(at: Timestamp) -> i64 {
    at.as_millisecond()
}

pub(crate) fn text(row: &AnyRow, column: &str) -> Result<String, StoreError> {
    Ok(row.try_get::<String, _>(column)?)
}

pub(crate) fn optional_text(row: &AnyRow, column: &str) -> Result<Option<String>, StoreError> {
    Ok(row.try_get::<Option<String>, _>(column)?)
}

pub(crate) fn integer(row: &AnyRow, column: &str) -> Result<i64, StoreError> {
    Ok(row.try_get::<i64, _>(column)?)
}

pub(crate) fn optional_integer(row: &AnyRow, column: &str) -> Result<Option<i64>, StoreError> {
    Ok(row.try_get::<Option<i64>, _>(column)?)
}

/// A yes/no column: BOOLEAN on PostgreSQL, INTEGER 0/1 on SQLite.
pub(crate) fn flag(row: &AnyRow, column: &str) -> Result<bool, StoreError> {
    match row.try_get::<bool, _>(column) {
        Ok(value) => Ok(value),
        Err(_) => Ok(row.try_get::<i64, _>(column)? != 0),
    }
}

pub(crate) fn timestamp(row: &AnyRow, column: &str) -> Result<Timestamp, StoreError> {
    let value = integer(row, column)?;
    Timestamp::from_millisecond(value)
        .map_err(|e| StoreError::Corrupt(format!("{column} holds an impossible time {value}: {e}")))
}

pub(crate) fn optional_timestamp(
    row: &AnyRow,
    column: &str,
) -> Result<Option<Timestamp>, StoreError> {
    match optional_integer(row, column)? {
        None => Ok(None),
        Some(value) => Timestamp::from_millisecond(value).map(Some).map_err(|e| {
            StoreError::Corrupt(format!("{column} holds an impossible time {value}: {e}"))
        }),
    }
}

pub(crate) fn date(row: &AnyRow, column: &str) -> Result<Date, StoreError> {
    let value = text(row, column)?;
    value.parse().map_err(|e| {
        StoreError::Corrupt(format!("{column} holds an impossible date '{value}': {e}"))
    })
}

/// Parses a stored code into its enum, reporting an unknown code as corrupt data.
pub(crate) fn code<T>(
    row: &AnyRow,
    column: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<T, StoreError> {
    let value = text(row, column)?;
    parse(&value)
        .ok_or_else(|| StoreError::Corrupt(format!("{column} holds an unknown code '{value}'")))
}

/// `$start, $start+1, …` for `count` parameters, for `IN (…)` lists and multi-row inserts.
pub(crate) fn placeholders(start: usize, count: usize) -> String {
    (start..start + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
