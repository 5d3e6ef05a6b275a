//! Reading a resource's Terraform-style values: required ones fail with a sentence naming the
//! resource and the attribute; nested blocks (`[{...}]` in Terraform's JSON) read as objects.

use serde_json::{Map, Value};

use crate::provider::ProviderError;

#[derive(Clone, Copy)]
pub(crate) struct Values<'a> {
    pub address: &'a str,
    pub map: &'a Map<String, Value>,
}

impl<'a> Values<'a> {
    pub fn new(address: &'a str, map: &'a Map<String, Value>) -> Values<'a> {
        Values { address, map }
    }

    fn missing(&self, key: &str, what: &str) -> ProviderError {
        ProviderError::permanent(format!(
            "{} needs `{key}` ({what}) in the plan; the golden path must set it.",
            self.address
        ))
    }

    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    pub fn str(&self, key: &str) -> Result<&'a str, ProviderError> {
        self.opt_str(key)
            .ok_or_else(|| self.missing(key, "a string"))
    }

    pub fn opt_str(&self, key: &str) -> Option<&'a str> {
        self.get(key).and_then(Value::as_str)
    }

    /// A string, or a number written as one (`"512"` and `512` both read as "512").
    pub fn opt_text(&self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn opt_i64(&self, key: &str) -> Option<i64> {
        match self.get(key)? {
            Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }

    pub fn opt_i32(&self, key: &str) -> Option<i32> {
        self.opt_i64(key).and_then(|n| i32::try_from(n).ok())
    }

    pub fn i32(&self, key: &str) -> Result<i32, ProviderError> {
        self.opt_i32(key)
            .ok_or_else(|| self.missing(key, "a whole number"))
    }

    pub fn opt_f64(&self, key: &str) -> Option<f64> {
        match self.get(key)? {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }

    pub fn opt_bool(&self, key: &str) -> Option<bool> {
        match self.get(key)? {
            Value::Bool(b) => Some(*b),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }

    pub fn bool_or(&self, key: &str, default: bool) -> bool {
        self.opt_bool(key).unwrap_or(default)
    }

    /// A list of strings (a single string reads as a list of one).
    pub fn strs(&self, key: &str) -> Vec<String> {
        match self.get(key) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            Some(Value::String(s)) => vec![s.clone()],
            _ => Vec::new(),
        }
    }

    /// A nested block: Terraform writes `[{...}]`; a bare object reads the same.
    pub fn block(&self, key: &str) -> Option<Values<'a>> {
        match self.get(key)? {
            Value::Object(m) => Some(Values {
                address: self.address,
                map: m,
            }),
            Value::Array(items) => items.first().and_then(Value::as_object).map(|m| Values {
                address: self.address,
                map: m,
            }),
            _ => None,
        }
    }

    /// Every block of a repeated nested block.
    pub fn blocks(&self, key: &str) -> Vec<Values<'a>> {
        match self.get(key) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_object)
                .map(|m| Values {
                    address: self.address,
                    map: m,
                })
                .collect(),
            Some(Value::Object(m)) => vec![Values {
                address: self.address,
                map: m,
            }],
            _ => Vec::new(),
        }
    }

    /// An object of string values (environment variables, dimensions).
    pub fn string_map(&self, key: &str) -> Vec<(String, String)> {
        self.get(key)
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| match v {
                        Value::String(s) => Some((k.clone(), s.clone())),
                        Value::Null => None,
                        other => Some((k.clone(), other.to_string())),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A policy or document: a JSON object in the plan, sent to AWS as its text.
    pub fn json_text(&self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }
}
