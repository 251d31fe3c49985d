//! Group names when `$expand=group` comes back `null` (a quirk several clients report, see the
//! reference's group section): the missing groups are read with
//! `/groups?$filter=id in (…)`, at most 15 ids per filter (Graph's default limit on an `in`
//! clause), one GET when one filter does, else one `$batch` of filters.

use std::collections::{BTreeSet, HashMap};

use serde_json::{json, Value};

use super::{check_id, GraphClient};

/// Graph's default limit on the values of one `in` operator.
const IN_LIMIT: usize = 15;

/// The lowercase ids of the groups whose expansion has no display name.
fn unnamed_groups(values: &[Value]) -> Vec<String> {
    values
        .iter()
        .filter(|v| {
            v.pointer("/group/displayName")
                .and_then(Value::as_str)
                .is_none()
        })
        .filter_map(|v| v["groupId"].as_str())
        .filter(|id| check_id(id, "a group id").is_ok())
        .map(str::to_ascii_lowercase)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The `/groups` reads for `ids`, 15 per filter.
pub(crate) fn filter_paths(ids: &[String]) -> Vec<String> {
    ids.chunks(IN_LIMIT)
        .map(|chunk| {
            let list = chunk
                .iter()
                .map(|id| format!("'{id}'"))
                .collect::<Vec<_>>()
                .join(",");
            format!("groups?$filter=id in ({list})&$select=id,displayName,description")
        })
        .collect()
}

impl GraphClient {
    /// Puts a `group` with the name and description into every group instance or request whose
    /// expansion came back without one. A refused or failed read leaves them unnamed (the UI
    /// then shows the group id): names are a nicety, not worth failing a listing for.
    pub(crate) async fn fill_group_names(&self, values: &mut [Value]) {
        let ids = unnamed_groups(values);
        if ids.is_empty() {
            return;
        }
        let paths = filter_paths(&ids);
        let results = if let [only] = paths.as_slice() {
            vec![self.get_all::<Value>(only).await]
        } else {
            self.get_many(&paths).await
        };
        let mut groups: HashMap<String, Value> = HashMap::new();
        for result in results {
            match result {
                Ok(found) => {
                    for group in found {
                        if let Some(id) = group["id"].as_str() {
                            groups.insert(id.to_ascii_lowercase(), group.clone());
                        }
                    }
                }
                Err(e) => tracing::info!(code = ?e.code, "group names not read"),
            }
        }
        for v in values.iter_mut() {
            let Some(id) = v["groupId"].as_str().map(str::to_ascii_lowercase) else {
                continue;
            };
            let named = v
                .pointer("/group/displayName")
                .is_some_and(Value::is_string);
            if let (false, Some(group)) = (named, groups.get(&id)) {
                v["group"] = json!({
                    "id": group["id"],
                    "displayName": group["displayName"],
                    "description": group["description"],
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unnamed_well_formed_ids_are_looked_up_fifteen_per_filter() {
        let mut values: Vec<Value> = (0..17)
            .map(|i| json!({ "groupId": format!("G{i:02}"), "group": null }))
            .collect();
        values.push(json!({ "groupId": "named", "group": { "displayName": "Named" } }));
        values.push(json!({ "groupId": "g00" }));
        values.push(json!({ "groupId": "x') or true or ('" }));
        let ids = unnamed_groups(&values);
        assert_eq!(ids.len(), 17, "{ids:?}");
        assert!(!ids.contains(&"named".to_owned()));
        let paths = filter_paths(&ids);
        assert_eq!(paths.len(), 2);
        assert_eq!(paths[0].matches(',').count() - 2, 14, "{}", paths[0]);
        assert_eq!(
            paths[1],
            "groups?$filter=id in ('g15','g16')&$select=id,displayName,description"
        );
    }
}
