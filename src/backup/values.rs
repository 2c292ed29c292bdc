//! One column value between the database and a backup's JSON, through the Rust type the
//! application's entities use for that kind of column: a uuid is read as a `Uuid` and
//! bound back as one, so each backend stores it its own way (16 bytes on SQLite, `uuid`
//! on PostgreSQL) and a SQLite backup restores into PostgreSQL as well.

use crate::backup::catalog::Kind;
use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use sea_orm::{QueryResult, Value};
use serde_json::Value as Json;
use uuid::Uuid;

/// Reads the column at `index` of a row as a backup value (`null` for SQL NULL).
pub fn read(row: &QueryResult, index: usize, kind: Kind) -> anyhow::Result<Json> {
    Ok(match kind {
        Kind::Uuid => match row.try_get_by_index::<Option<Uuid>>(index) {
            Ok(value) => value.map_or(Json::Null, |u| Json::String(u.hyphenated().to_string())),
            // A uuid written as text by hand still reads as the uuid it names.
            Err(_) => match row.try_get_by_index::<Option<String>>(index)? {
                Some(text) => Json::String(Uuid::parse_str(&text).context("a uuid column holds no uuid")?.to_string()),
                None => Json::Null,
            },
        },
        Kind::Timestamp => row
            .try_get_by_index::<Option<DateTime<Utc>>>(index)?
            .map_or(Json::Null, |t| Json::String(t.to_rfc3339_opts(SecondsFormat::AutoSi, true))),
        Kind::Date => {
            row.try_get_by_index::<Option<NaiveDate>>(index)?.map_or(Json::Null, |d| Json::String(d.to_string()))
        }
        Kind::Json => row.try_get_by_index::<Option<Json>>(index)?.map_or(Json::Null, wrap_json),
        Kind::Bool => row.try_get_by_index::<Option<bool>>(index)?.map_or(Json::Null, Json::Bool),
        Kind::SmallInt => row.try_get_by_index::<Option<i16>>(index)?.map_or(Json::Null, Json::from),
        Kind::Int => row.try_get_by_index::<Option<i32>>(index)?.map_or(Json::Null, Json::from),
        Kind::BigInt => row.try_get_by_index::<Option<i64>>(index)?.map_or(Json::Null, Json::from),
        Kind::Float => row.try_get_by_index::<Option<f64>>(index)?.map_or(Json::Null, Json::from),
        Kind::Text => row.try_get_by_index::<Option<String>>(index)?.map_or(Json::Null, Json::String),
        Kind::Bytes => {
            row.try_get_by_index::<Option<Vec<u8>>>(index)?.map_or(Json::Null, |b| Json::String(hex::encode(b)))
        }
    })
}

/// A JSON column's value is carried inside a one-key object, so that a stored JSON
/// `null` and SQL NULL stay apart.
fn wrap_json(value: Json) -> Json {
    let mut wrapper = serde_json::Map::new();
    wrapper.insert("json".into(), value);
    Json::Object(wrapper)
}

/// The value to bind for a backup value in a column of this kind.
pub fn bind(value: &Json, kind: Kind) -> anyhow::Result<Value> {
    if value.is_null() {
        return Ok(null_of(kind));
    }
    Ok(match kind {
        Kind::Uuid => Value::Uuid(Some(Uuid::parse_str(text(value)?).context("not a uuid")?)),
        Kind::Timestamp => Value::ChronoDateTimeUtc(Some(
            DateTime::parse_from_rfc3339(text(value)?).context("not an RFC 3339 time")?.with_timezone(&Utc),
        )),
        Kind::Date => Value::ChronoDate(Some(text(value)?.parse::<NaiveDate>().context("not a date")?)),
        Kind::Json => match value.get("json") {
            Some(inner) if value.as_object().is_some_and(|o| o.len() == 1) => {
                Value::Json(Some(Box::new(inner.clone())))
            }
            _ => bail!("a JSON column's value must be {{\"json\": …}}"),
        },
        Kind::Bool => Value::Bool(Some(value.as_bool().context("not a boolean")?)),
        Kind::SmallInt => Value::SmallInt(Some(i16::try_from(integer(value)?).context("out of range for smallint")?)),
        Kind::Int => Value::Int(Some(i32::try_from(integer(value)?).context("out of range for integer")?)),
        Kind::BigInt => Value::BigInt(Some(integer(value)?)),
        Kind::Float => Value::Double(Some(value.as_f64().context("not a number")?)),
        Kind::Text => Value::String(Some(text(value)?.to_string())),
        Kind::Bytes => Value::Bytes(Some(hex::decode(text(value)?).context("not hex")?)),
    })
}

/// A typed NULL (PostgreSQL wants a parameter's type even when it is NULL).
fn null_of(kind: Kind) -> Value {
    match kind {
        Kind::Uuid => Value::Uuid(None),
        Kind::Timestamp => Value::ChronoDateTimeUtc(None),
        Kind::Date => Value::ChronoDate(None),
        Kind::Json => Value::Json(None),
        Kind::Bool => Value::Bool(None),
        Kind::SmallInt => Value::SmallInt(None),
        Kind::Int => Value::Int(None),
        Kind::BigInt => Value::BigInt(None),
        Kind::Float => Value::Double(None),
        Kind::Text => Value::String(None),
        Kind::Bytes => Value::Bytes(None),
    }
}

fn text(value: &Json) -> anyhow::Result<&str> {
    value.as_str().context("not a string")
}

fn integer(value: &Json) -> anyhow::Result<i64> {
    value.as_i64().context("not an integer")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_binds_its_own_representation() {
        let uuid = "0193a6f0-7c1e-7c3a-9d6e-1f2a3b4c5d6e";
        assert_eq!(bind(&Json::from(uuid), Kind::Uuid).ok(), Some(Value::Uuid(Uuid::parse_str(uuid).ok())));
        assert!(matches!(
            bind(&Json::from("2026-11-30T20:37:37.123456Z"), Kind::Timestamp),
            Ok(Value::ChronoDateTimeUtc(Some(_)))
        ));
        assert_eq!(
            bind(&Json::from("2027-01-31"), Kind::Date).ok(),
            Some(Value::ChronoDate(NaiveDate::from_ymd_opt(2027, 1, 31)))
        );
        assert_eq!(bind(&Json::from(i64::MAX), Kind::BigInt).ok(), Some(Value::BigInt(Some(i64::MAX))));
        assert!(bind(&Json::from(i64::MAX), Kind::Int).is_err(), "too large for integer");
        assert_eq!(bind(&Json::Null, Kind::Bool).ok(), Some(Value::Bool(None)));
        assert_eq!(
            bind(&serde_json::json!({"json": null}), Kind::Json).ok(),
            Some(Value::Json(Some(Box::new(Json::Null)))),
            "a stored JSON null is not SQL NULL"
        );
        assert!(bind(&serde_json::json!([1]), Kind::Json).is_err());
        assert_eq!(bind(&Json::from("00ff"), Kind::Bytes).ok(), Some(Value::Bytes(Some(vec![0, 255]))));
    }
}
