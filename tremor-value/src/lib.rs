//! `tremor-value`: the value type events carry through the runtime.
//!
//! A [`Value<'v>`] borrows its strings from the buffer it was parsed from: JSON is parsed in place
//! with simd-json, so a string without escapes costs no allocation. Objects are `halfbrown` maps
//! (a vector for small maps, a hash map for large ones), strings are `beef::Cow`s (one word smaller
//! than `std::borrow::Cow`).
//!
//! ```
//! let mut raw = br#"{"b":1,"a":[true,null,"x"]}"#.to_vec();
//! let v = tremor_value::parse_json(&mut raw).expect("valid json");
//! assert_eq!(tremor_value::to_json_sorted(&v), r#"{"a":[true,null,"x"],"b":1}"#);
//! ```
//!
//! * Parsing: [`parse_json`], or a reusable [`JsonParser`] for streams of documents.
//! * Encoding: [`write_json`] / [`to_json`] (compact, identical to `serde_json::to_string`),
//!   [`write_json_sorted`] / [`to_json_sorted`] (record keys sorted, for the `json-sorted`
//!   codec); `Display` prints compact JSON too.
//! * Building: [`literal!`], `Value::from(...)`, [`Value::object`], [`Value::array`],
//!   [`Value::insert`], [`Value::push`].
//! * Reading: [`Value::get`], [`Value::get_idx`], [`Value::as_str`], [`Value::as_i64`], ...
//! * Comparing: `==` compares numbers by value across integer and float variants;
//!   [`Value::cmp_numbers`] and `PartialOrd` order numbers and strings.

#![warn(missing_docs)]

mod access;
mod cmp;
mod encode;
mod from;
mod macros;
mod parse;
mod value;

pub use access::{NotAnArray, NotAnObject};
pub use encode::{to_json, to_json_sorted, write_json, write_json_codec, write_json_sorted};
pub use parse::{parse_json, Error, JsonParser};
pub use value::*;
