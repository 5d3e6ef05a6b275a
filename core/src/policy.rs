//! Strict parsing of the platform team's policy files (golden paths, guardrails, prices).
//!
//! Every policy type is parsed with `deny_unknown_fields`; an error names the file, the line and
//! the field so that whoever edited the file can fix it without reading Rust.

use serde::de::DeserializeOwned;
use std::fmt;

/// A defect in a policy file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PolicyError {
    /// The file, as the user would name it (`policies/guardrails.yaml`).
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The field concerned, when known (`rules.security[2].level`).
    pub field: Option<String>,
    /// What is wrong, in plain English.
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl PolicyError {
    pub fn new(file: &str, line: Option<usize>, field: Option<&str>, message: impl Into<String>) -> Self {
        PolicyError {
            file: file.to_string(),
            line,
            field: field.map(str::to_string),
            message: message.into(),
        }
    }
}

/// Parses one YAML policy document strictly.
pub fn parse_yaml<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, PolicyError> {
    serde_saphyr::from_str::<T>(text).map_err(|e| from_saphyr(file, &e))
}

fn from_saphyr(file: &str, e: &serde_saphyr::Error) -> PolicyError {
    let line = e.location().map(|l| l.line() as usize).filter(|&l| l > 0);
    let raw = e.to_string();
    // serde's own messages name the field in backticks ("unknown field `foo`, expected ...").
    let field = raw.split('`').nth(1).map(str::to_string);
    let message = raw.lines().next().unwrap_or("the file is not valid YAML").trim().to_string();
    PolicyError { file: file.to_string(), line, field, message }
}

/// Finds the 1-based line of the first occurrence of `key:` in a YAML text, for errors found
/// after parsing (an impossible combination of fields, an unknown resource type).
pub fn line_of(text: &str, key: &str, after_line: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(after_line.saturating_sub(1))
        .find(|(_, l)| {
            let t = l.trim_start().trim_start_matches("- ");
            t.starts_with(key) && t[key.len()..].trim_start().starts_with(':')
        })
        .map(|(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Rule {
        name: String,
        level: Lvl,
    }
    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Lvl {
        Soft,
        Hard,
    }
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        rules: Vec<Rule>,
    }

    #[test]
    fn unknown_field_names_file_line_and_field() {
        let text = "rules:\n  - name: a\n    level: soft\n  - name: b\n    levle: hard\n";
        let e = parse_yaml::<Doc>("guardrails.yaml", text).unwrap_err();
        assert_eq!(e.file, "guardrails.yaml");
        assert_eq!(e.line, Some(5), "{e}");
        assert_eq!(e.field.as_deref(), Some("levle"), "{e}");
    }

    #[test]
    fn wrong_enum_value_names_line() {
        let text = "rules:\n  - name: a\n    level: extreme\n";
        let e = parse_yaml::<Doc>("g.yaml", text).unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.to_string().contains("extreme"), "{e}");
    }

    #[test]
    fn line_of_finds_keys() {
        let text = "a: 1\nrules:\n  - name: x\n    level: soft\n";
        assert_eq!(line_of(text, "level", 1), Some(4));
        assert_eq!(line_of(text, "name", 1), Some(3));
        assert_eq!(line_of(text, "nope", 1), None);
    }
}
