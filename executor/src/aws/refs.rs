//! References between resources. A golden path writes `aws_vpc.main.id` (or
//! `aws_cloudwatch_log_group.app.arn:*`) inside a value; the provider replaces each reference with
//! the attribute the referenced resource reported when it was applied.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

/// One reference found in a string: where it is, and what it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub start: usize,
    pub end: usize,
    /// `aws_vpc.main`
    pub address: String,
    /// `id`
    pub attribute: String,
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Finds the references in a string: `aws_TYPE.NAME.ATTRIBUTE` where TYPE is one the provider
/// supports, not preceded by a word character.
pub fn references(s: &str) -> Vec<Reference> {
    let bytes = s.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(off) = s[i..].find("aws_") {
        let start = i + off;
        i = start + 4;
        if start > 0 && (is_word(bytes[start - 1]) || bytes[start - 1] == b'.') {
            continue;
        }
        // TYPE: word characters up to the first dot.
        let mut j = start;
        while j < bytes.len() && is_word(bytes[j]) {
            j += 1;
        }
        let kind = &s[start..j];
        if !super::SUPPORTED.contains(&kind) || j >= bytes.len() || bytes[j] != b'.' {
            continue;
        }
        let name_start = j + 1;
        let mut k = name_start;
        while k < bytes.len() && (is_word(bytes[k]) || bytes[k] == b'-') {
            k += 1;
        }
        if k == name_start || k >= bytes.len() || bytes[k] != b'.' {
            continue;
        }
        let attr_start = k + 1;
        let mut m = attr_start;
        while m < bytes.len() && (bytes[m].is_ascii_lowercase() || bytes[m] == b'_') {
            m += 1;
        }
        if m == attr_start {
            continue;
        }
        found.push(Reference {
            start,
            end: m,
            address: s[start..k].to_string(),
            attribute: s[attr_start..m].to_string(),
        });
        i = m;
    }
    found
}

/// The addresses a value refers to, anywhere inside it.
pub(crate) fn addresses(value: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    walk(value, &mut |s| {
        for r in references(s) {
            out.insert(r.address);
        }
    });
    out
}

fn walk(value: &Value, f: &mut impl FnMut(&str)) {
    match value {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter().for_each(|v| walk(v, f)),
        Value::Object(m) => m.values().for_each(|v| walk(v, f)),
        _ => {}
    }
}

/// Replaces every reference with the attribute recorded for its address. Fails with the first
/// reference whose attribute was not recorded.
pub(crate) fn resolve_map(
    values: &Map<String, Value>,
    known: &BTreeMap<String, Map<String, Value>>,
) -> Result<Map<String, Value>, Reference> {
    values
        .iter()
        .map(|(k, v)| Ok((k.clone(), resolve(v, known)?)))
        .collect()
}

fn resolve(
    value: &Value,
    known: &BTreeMap<String, Map<String, Value>>,
) -> Result<Value, Reference> {
    Ok(match value {
        Value::String(s) => {
            let refs = references(s);
            if refs.is_empty() {
                return Ok(value.clone());
            }
            let mut out = String::with_capacity(s.len());
            let mut at = 0;
            for r in refs {
                let attr = known.get(&r.address).and_then(|m| m.get(&r.attribute));
                let text = match attr {
                    Some(Value::String(t)) => t.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    _ => return Err(r),
                };
                out.push_str(&s[at..r.start]);
                out.push_str(&text);
                at = r.end;
            }
            out.push_str(&s[at..]);
            Value::String(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| resolve(v, known))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(m) => Value::Object(resolve_map(m, known)?),
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_references_with_prefixes_and_suffixes() {
        let r = references("aws_cloudwatch_log_group.handler.arn:*");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].address, "aws_cloudwatch_log_group.handler");
        assert_eq!(r[0].attribute, "arn");
        assert_eq!(r[0].end, "aws_cloudwatch_log_group.handler.arn".len());
        let r = references("aws_ecr_repository.job.repository_url:1.2");
        assert_eq!(
            (r[0].address.as_str(), r[0].attribute.as_str()),
            ("aws_ecr_repository.job", "repository_url")
        );
        // Namespaces, aliases and unsupported types are not references.
        assert!(references("AWS/ApiGateway").is_empty());
        assert!(references("alias/aws/sns").is_empty());
        assert!(references("aws_unknown_thing.main.id").is_empty());
        assert!(references("my_aws_vpc.main.id").is_empty());
        assert!(references("aws_vpc.main").is_empty());
    }

    #[test]
    fn resolves_nested_values_and_reports_unknown_attributes() {
        let values = json!({
            "vpc_id": "aws_vpc.main.id",
            "subnets": ["aws_subnet.a.id", "aws_subnet.b.id"],
            "policy": {"Resource": "aws_cloudwatch_log_group.app.arn:*"},
            "port": 443
        });
        let mut known = BTreeMap::new();
        known.insert(
            "aws_vpc.main".to_string(),
            json!({"id": "vpc-1"}).as_object().unwrap().clone(),
        );
        known.insert(
            "aws_subnet.a".to_string(),
            json!({"id": "subnet-a"}).as_object().unwrap().clone(),
        );
        known.insert(
            "aws_subnet.b".to_string(),
            json!({"id": "subnet-b"}).as_object().unwrap().clone(),
        );
        known.insert(
            "aws_cloudwatch_log_group.app".to_string(),
            json!({"arn": "arn:aws:logs:us-east-1:1:log-group:/app"})
                .as_object()
                .unwrap()
                .clone(),
        );
        let out = resolve_map(values.as_object().unwrap(), &known).unwrap();
        assert_eq!(
            Value::Object(out),
            json!({
                "vpc_id": "vpc-1",
                "subnets": ["subnet-a", "subnet-b"],
                "policy": {"Resource": "arn:aws:logs:us-east-1:1:log-group:/app:*"},
                "port": 443
            })
        );
        let bad = json!({"x": "aws_vpc.main.owner_id"});
        let err = resolve_map(bad.as_object().unwrap(), &known).unwrap_err();
        assert_eq!(err.attribute, "owner_id");
        assert_eq!(addresses(&values).len(), 4);
    }
}
