//! The OData pieces Graph clients use: bound-function path segments, `$expand`, `$select`,
//! `$filter` (conjunctions of `eq`/`ne`), `$top` and paging with `@odata.nextLink`.

use serde_json::{Map, Value};

use super::error::GraphError;

/// One path segment, e.g. `filterByCurrentUser(on='principal')`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub name: String,
    /// Function parameters with quotes removed, e.g. `[("on", "principal")]`.
    pub args: Option<Vec<(String, String)>>,
}

impl Segment {
    /// Parses a decoded segment.
    pub fn parse(text: &str) -> Result<Self, GraphError> {
        let Some(open) = text.find('(') else {
            return Ok(Segment {
                name: text.to_owned(),
                args: None,
            });
        };
        let inner = text[open + 1..].strip_suffix(')').ok_or_else(|| {
            GraphError::bad_request(format!("Bad Request - Error in query syntax: '{text}'."))
        })?;
        let mut args = Vec::new();
        for part in inner.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=').ok_or_else(|| {
                GraphError::bad_request(format!("Bad Request - Error in query syntax: '{text}'."))
            })?;
            let value = value.trim();
            let value = value
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .unwrap_or(value)
                .replace("''", "'");
            args.push((key.trim().to_owned(), value));
        }
        Ok(Segment {
            name: text[..open].to_owned(),
            args: Some(args),
        })
    }

    /// Whether this is the named property/function (case-insensitive, as Graph's URL parser is).
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// A function argument by name.
    pub fn arg(&self, name: &str) -> Option<&str> {
        self.args
            .as_ref()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Splits and percent-decodes a URL path below the version prefix.
pub fn segments(path: &str) -> Result<Vec<Segment>, GraphError> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let decoded = percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map_err(|_| GraphError::bad_request("The request URI is not valid UTF-8."))?;
            Segment::parse(&decoded)
        })
        .collect()
}

/// An `$expand` item, e.g. `group($select=id,displayName)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expand {
    pub property: String,
    pub select: Option<Vec<String>>,
    /// Nested `$expand`, e.g. `policy($expand=rules)`.
    pub expand: Vec<Expand>,
}

/// A comparison in `$filter`: `eq` / `ne` with one value, or `in (…)` with several.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub property: String,
    /// `eq` and `in`; false for `ne`.
    pub equal: bool,
    /// The literal(s) compared against; one for `eq` and `ne`.
    pub values: Vec<String>,
}

impl Comparison {
    /// The first (for `eq`/`ne` the only) literal.
    pub fn value(&self) -> &str {
        self.values.first().map(String::as_str).unwrap_or_default()
    }
}

/// Parsed system query options.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub expand: Vec<Expand>,
    pub select: Option<Vec<String>>,
    pub filter: Vec<Comparison>,
    pub top: Option<usize>,
    pub skip: usize,
    /// The query string without `$skiptoken`, for building the next link.
    pub base_pairs: Vec<(String, String)>,
}

impl Query {
    /// Parses the raw query string; unknown `$` options are refused as Graph does.
    pub fn parse(raw: Option<&str>) -> Result<Self, GraphError> {
        let pairs: Vec<(String, String)> = raw
            .map(|q| serde_urlencoded::from_str(q).unwrap_or_default())
            .unwrap_or_default();
        let mut query = Query::default();
        for (key, value) in pairs {
            let lower = key.to_ascii_lowercase();
            match lower.as_str() {
                "$expand" => query.expand = parse_expand(&value)?,
                "$select" => query.select = Some(split_list(&value)),
                "$filter" => query.filter = parse_filter(&value)?,
                "$top" => {
                    query.top = Some(value.trim().parse().map_err(|_| {
                        GraphError::bad_request(format!("Invalid value '{value}' for $top query option found."))
                    })?)
                }
                "$skiptoken" => {
                    query.skip = value.parse().map_err(|_| {
                        GraphError::bad_request("The $skiptoken is not valid.")
                    })?;
                    continue;
                }
                "$count" | "$orderby" | "$search" | "$skip" => {
                    return Err(GraphError::bad_request(format!(
                        "The query specified in the URI is not valid. Query option '{key}' is not supported by this API."
                    )))
                }
                other if other.starts_with('$') => {
                    return Err(GraphError::bad_request(format!(
                        "The query specified in the URI is not valid. Query option '{key}' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings."
                    )))
                }
                _ => {}
            }
            query.base_pairs.push((key, value));
        }
        Ok(query)
    }

    /// Refuses `$select`/`$expand`/`$filter` names the entity type does not have.
    pub fn validate(&self, entity: &EntityType) -> Result<(), GraphError> {
        let unknown = |name: &str| {
            GraphError::bad_request(format!(
                "Could not find a property named '{name}' on type '{}'.",
                entity.name
            ))
        };
        for name in self.select.iter().flatten() {
            if !entity.has_property(name) && !entity.has_navigation(name) {
                return Err(unknown(name));
            }
        }
        for expand in &self.expand {
            if !entity.has_navigation(&expand.property) {
                return Err(unknown(&expand.property));
            }
        }
        for comparison in &self.filter {
            if !entity.has_property(&comparison.property) {
                return Err(unknown(&comparison.property));
            }
        }
        Ok(())
    }

    /// Whether `$expand` asks for `property`.
    pub fn expands(&self, property: &str) -> Option<&Expand> {
        self.expand
            .iter()
            .find(|e| e.property.eq_ignore_ascii_case(property))
    }

    /// Whether an item passes `$filter`. Enum-like strings compare case-insensitively.
    pub fn matches(&self, item: &Value) -> bool {
        self.filter.iter().all(|c| {
            let actual = lookup(item, &c.property);
            let same = c.values.iter().any(|value| match actual {
                Some(Value::String(s)) => s.eq_ignore_ascii_case(value),
                Some(Value::Null) | None => value == "null",
                Some(other) => serde_json::to_string(other).is_ok_and(|s| s == *value),
            });
            same == c.equal
        })
    }
}

fn lookup<'a>(item: &'a Value, property: &str) -> Option<&'a Value> {
    item.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(property))
        .map(|(_, v)| v)
}

fn split_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

fn parse_expand(value: &str) -> Result<Vec<Expand>, GraphError> {
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for ch in value.chars().chain(std::iter::once(',')) {
        match ch {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                let item = std::mem::take(&mut current);
                let item = item.trim();
                if item.is_empty() {
                    continue;
                }
                let (property, options) = match item.split_once('(') {
                    None => (item, None),
                    Some((name, rest)) => {
                        let inner = rest.strip_suffix(')').ok_or_else(|| {
                            GraphError::bad_request(format!(
                                "Bad Request - Error in query syntax: '{item}'."
                            ))
                        })?;
                        (name.trim(), Some(inner))
                    }
                };
                let mut select = None;
                let mut nested = Vec::new();
                // Nested options are separated by ';' in OData, e.g. `group($select=id,displayName)`.
                for option in options
                    .into_iter()
                    .flat_map(|o| o.split(';'))
                    .map(str::trim)
                {
                    if option.is_empty() {
                        continue;
                    }
                    match option.split_once('=') {
                        Some((key, val)) if key.trim().eq_ignore_ascii_case("$select") => {
                            select = Some(split_list(val));
                        }
                        Some((key, val)) if key.trim().eq_ignore_ascii_case("$expand") => {
                            nested = parse_expand(val)?;
                        }
                        _ => {
                            return Err(GraphError::bad_request(format!(
                                "Parsing OData Select and Expand failed: '{option}' is not supported inside $expand."
                            )))
                        }
                    }
                }
                items.push(Expand {
                    property: property.to_owned(),
                    select,
                    expand: nested,
                });
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    Ok(items)
}

/// A quoted string (with `''` escapes), or `null`, `true`, `false`, a number.
fn parse_literal(literal: &str) -> Option<String> {
    if let Some(inner) = literal
        .strip_prefix('\'')
        .and_then(|l| l.strip_suffix('\''))
    {
        Some(inner.replace("''", "'"))
    } else if literal == "null"
        || literal == "true"
        || literal == "false"
        || literal.parse::<f64>().is_ok()
    {
        Some(literal.to_owned())
    } else {
        None
    }
}

fn parse_filter(value: &str) -> Result<Vec<Comparison>, GraphError> {
    let invalid = || GraphError::bad_request(format!("Invalid filter clause: '{value}'."));
    let mut comparisons = Vec::new();
    for clause in split_and(value.trim()) {
        let clause = clause
            .trim()
            .trim_start_matches('(')
            .trim_end_matches(')')
            .trim();
        let mut parts = clause.splitn(3, ' ');
        let (Some(property), Some(op), Some(literal)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        let literal = literal.trim();
        let (equal, values) = match op.to_ascii_lowercase().as_str() {
            "eq" => (true, vec![parse_literal(literal).ok_or_else(invalid)?]),
            "ne" => (false, vec![parse_literal(literal).ok_or_else(invalid)?]),
            // `id in ('a','b')`: the clause trim above may have taken the list's closing paren.
            "in" => {
                let list = literal.trim_start_matches('(').trim_end_matches(')');
                let values = list
                    .split(',')
                    .map(|item| parse_literal(item.trim()))
                    .collect::<Option<Vec<_>>>()
                    .filter(|v| !v.is_empty())
                    .ok_or_else(invalid)?;
                (true, values)
            }
            _ => return Err(invalid()),
        };
        comparisons.push(Comparison {
            property: property.to_owned(),
            equal,
            values,
        });
    }
    Ok(comparisons)
}

/// Splits on ` and ` outside quotes.
fn split_and(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut in_quote = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            in_quote = !in_quote;
        } else if !in_quote && text[i..].len() >= 5 && text[i..i + 5].eq_ignore_ascii_case(" and ")
        {
            parts.push(&text[start..i]);
            start = i + 5;
            i += 5;
            continue;
        }
        i += 1;
    }
    parts.push(&text[start..]);
    parts
}

/// The properties and navigation properties of one entity type.
#[derive(Debug)]
pub struct EntityType {
    pub name: &'static str,
    pub properties: &'static [&'static str],
    pub navigations: &'static [&'static str],
}

impl EntityType {
    fn has_property(&self, name: &str) -> bool {
        self.properties.iter().any(|p| p.eq_ignore_ascii_case(name))
    }

    fn has_navigation(&self, name: &str) -> bool {
        self.navigations
            .iter()
            .any(|p| p.eq_ignore_ascii_case(name))
    }
}

/// Keeps only the `$select`ed properties (plus `@odata.*` annotations and expanded navigations).
pub fn project(item: Value, select: Option<&[String]>, keep: &[&str]) -> Value {
    let (Some(select), Value::Object(map)) = (select, &item) else {
        return item;
    };
    let kept: Map<String, Value> = map
        .iter()
        .filter(|(k, _)| {
            k.starts_with("@odata.")
                || keep.iter().any(|n| n.eq_ignore_ascii_case(k))
                || select.iter().any(|s| s.eq_ignore_ascii_case(k))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Value::Object(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bound_function_segments_parse_with_quotes() {
        let s = Segment::parse("filterByCurrentUser(on='principal')").unwrap();
        assert!(s.is("FILTERBYCURRENTUSER"));
        assert_eq!(s.arg("on"), Some("principal"));
        let decoded = segments("a/filterByCurrentUser(on=%27approver%27)").unwrap();
        assert_eq!(decoded[1].arg("ON"), Some("approver"));
        assert!(Segment::parse("f(on='x'").is_err());
    }

    #[test]
    fn query_options_parse_and_unknown_ones_are_refused() {
        let q = Query::parse(Some(
            "$expand=group($select=id,displayName),principal&$select=id,groupId&$filter=status%20eq%20'PendingApproval'%20and%20groupId%20eq%20'a%20and%20b'&$top=5",
        ))
        .unwrap();
        assert_eq!(q.expand.len(), 2);
        assert_eq!(
            q.expand[0].select.as_deref(),
            Some(&["id".to_owned(), "displayName".to_owned()][..])
        );
        assert_eq!(q.select.as_ref().unwrap().len(), 2);
        assert_eq!(q.filter.len(), 2);
        assert_eq!(q.filter[1].value(), "a and b");
        assert_eq!(q.top, Some(5));
        let q = Query::parse(Some("$expand=policy($expand=rules($select=id))")).unwrap();
        assert_eq!(q.expand[0].expand[0].property, "rules");
        assert_eq!(
            q.expand[0].expand[0].select.as_deref(),
            Some(&["id".to_owned()][..])
        );
        assert!(Query::parse(Some("$frobnicate=1")).is_err());
        assert!(Query::parse(Some("$filter=status gt 'x'")).is_err());
        assert!(Query::parse(Some("$top=many")).is_err());
        assert!(Query::parse(Some("custom=1")).is_ok());
    }

    #[test]
    fn filter_matches_enums_case_insensitively() {
        let q = Query::parse(Some("$filter=accessId eq 'Member'")).unwrap();
        assert!(q.matches(&serde_json::json!({"accessId": "member"})));
        assert!(!q.matches(&serde_json::json!({"accessId": "owner"})));
        let q = Query::parse(Some("$filter=endDateTime eq null")).unwrap();
        assert!(q.matches(&serde_json::json!({"endDateTime": null})));
    }
}
