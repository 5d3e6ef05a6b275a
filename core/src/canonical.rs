//! Canonical JSON and the hashes built on it.
//!
//! A plan or verdict is hashed and signed as its canonical JSON: objects with keys in byte order,
//! no insignificant whitespace, numbers as serde_json prints them. serde_json's map is a BTreeMap
//! in this workspace (the `preserve_order` feature is never enabled), so serialising through
//! `serde_json::Value` sorts every object's keys.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::plan::Plan;

/// The canonical JSON bytes of any serialisable value.
pub fn to_vec<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising our own types to a Value cannot fail: they have string keys and no
    // non-finite floats reach them (plans are validated, costs rounded).
    let v = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
    serde_json::to_vec(&v).unwrap_or_default()
}

/// Lower-case hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The hash that binds a verdict to a plan: SHA-256 of the plan's canonical JSON.
pub fn plan_hash(plan: &Plan) -> String {
    sha256_hex(&to_vec(plan))
}

/// SHA-256 of a request's text, as the audit read it.
pub fn request_hash(request: &str) -> String {
    sha256_hex(request.as_bytes())
}
