//! What each eligibility's policy requires, remembered for a while: policies change rarely, and
//! reading them is most of a listing's round trips. Keyed by target (`Target::key`); what could
//! not be read is never cached, so it is asked again next time.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

use crate::clock::Clock;
use crate::model::Requirements;

/// How long a policy read is trusted. PIM applies a policy change to the next request anyway,
/// and a refused request is explained, so a stale entry costs one clear error at worst.
pub const POLICY_TTL: Duration = Duration::minutes(10);

/// Requirements by target key, each with when it was read.
pub struct PolicyCache {
    clock: Arc<dyn Clock>,
    ttl: Duration,
    entries: Mutex<HashMap<String, (Requirements, DateTime<Utc>)>>,
    /// Lower-case group ids of the last group listing (or of the last known state on disk):
    /// with a cold cache their policies are read alongside the list, not after it. Kept past
    /// the TTL: they say which policies to read, never what a policy requires.
    known_groups: Mutex<BTreeSet<String>>,
}

impl PolicyCache {
    /// An empty cache trusting entries for `ttl`.
    pub fn new(clock: Arc<dyn Clock>, ttl: Duration) -> Self {
        Self {
            clock,
            ttl,
            entries: Mutex::default(),
            known_groups: Mutex::default(),
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Requirements, DateTime<Utc>)>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The requirements read for `key` less than the TTL ago.
    pub fn get(&self, key: &str) -> Option<Requirements> {
        let now = self.clock.now();
        let mut entries = self.entries();
        match entries.get(key) {
            Some((requirements, at)) if now - *at < self.ttl => Some(requirements.clone()),
            Some(_) => {
                entries.remove(key);
                None
            }
            None => None,
        }
    }

    /// Remembers what was just read for `key`; requirements that are not `known` are skipped.
    pub fn put(&self, key: String, requirements: &Requirements) {
        if requirements.known {
            let now = self.clock.now();
            self.entries().insert(key, (requirements.clone(), now));
        }
    }

    /// Whether any entry whose key starts with `prefix` (`role|`, `group|`) is still fresh: a
    /// plane with none is read cold, so its policies are worth fetching before the list says
    /// which are needed.
    pub fn holds_any(&self, prefix: &str) -> bool {
        let now = self.clock.now();
        self.entries()
            .iter()
            .any(|(key, (_, at))| key.starts_with(prefix) && now - *at < self.ttl)
    }

    /// Forgets everything (another account signed in).
    pub fn clear(&self) {
        self.entries().clear();
        self.known_groups().clear();
    }

    fn known_groups(&self) -> std::sync::MutexGuard<'_, BTreeSet<String>> {
        self.known_groups.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Remembers which groups the user was last eligible through (replacing the previous set).
    pub fn remember_groups<I: IntoIterator<Item = String>>(&self, ids: I) {
        *self.known_groups() = ids.into_iter().map(|id| id.to_ascii_lowercase()).collect();
    }

    /// The remembered groups with no fresh policy entry (neither member nor owner): the ones
    /// worth reading before the group list has arrived.
    pub fn groups_to_prefetch(&self) -> Vec<String> {
        let known: Vec<String> = self.known_groups().iter().cloned().collect();
        let now = self.clock.now();
        let entries = self.entries();
        let fresh = |id: &str| {
            ["member", "owner"].iter().any(|access| {
                entries
                    .get(&format!("group|{id}|{access}"))
                    .is_some_and(|(_, at)| now - *at < self.ttl)
            })
        };
        known.into_iter().filter(|id| !fresh(id)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(Mutex<DateTime<Utc>>);

    impl Clock for Fixed {
        fn now(&self) -> DateTime<Utc> {
            *self.0.lock().unwrap()
        }
    }

    #[test]
    fn entries_last_the_ttl_and_unknown_requirements_are_never_kept() {
        let clock = Arc::new(Fixed(Mutex::new(Utc::now())));
        let cache = PolicyCache::new(clock.clone(), POLICY_TTL);
        let mut known = Requirements::unknown();
        known.known = true;
        known.max_duration_minutes = Some(60);
        cache.put("group|g|member".into(), &known);
        cache.put("role|r|/".into(), &Requirements::unknown());
        assert_eq!(cache.get("group|g|member"), Some(known.clone()));
        assert_eq!(cache.get("role|r|/"), None, "a 403'd policy is asked again");
        *clock.0.lock().unwrap() += POLICY_TTL - Duration::seconds(1);
        assert!(cache.get("group|g|member").is_some());
        *clock.0.lock().unwrap() += Duration::seconds(1);
        assert_eq!(cache.get("group|g|member"), None, "expired at the TTL");
        cache.put("group|g|member".into(), &known);
        cache.clear();
        assert_eq!(cache.get("group|g|member"), None);
    }

    #[test]
    fn remembered_groups_are_prefetched_only_while_their_policies_are_not_fresh() {
        let clock = Arc::new(Fixed(Mutex::new(Utc::now())));
        let cache = PolicyCache::new(clock.clone(), POLICY_TTL);
        assert!(cache.groups_to_prefetch().is_empty(), "nothing known yet");
        cache.remember_groups(["G1".to_owned(), "g2".to_owned()]);
        assert_eq!(cache.groups_to_prefetch(), ["g1", "g2"]);
        let mut known = Requirements::unknown();
        known.known = true;
        cache.put("group|g1|owner".into(), &known);
        assert_eq!(
            cache.groups_to_prefetch(),
            ["g2"],
            "g1's owner policy is fresh"
        );
        *clock.0.lock().unwrap() += POLICY_TTL;
        assert_eq!(
            cache.groups_to_prefetch(),
            ["g1", "g2"],
            "the ids outlive the TTL, the policies do not"
        );
        cache.remember_groups(["g3".to_owned()]);
        assert_eq!(cache.groups_to_prefetch(), ["g3"], "replaced, not merged");
        cache.clear();
        assert!(cache.groups_to_prefetch().is_empty());
    }
}
