//! The last known state (eligibilities and activations, cached on disk per account) and the
//! policy reads it lets a cold refresh start early, over real HTTP against the sandbox tenant.

mod common;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use common::*;
use latchkey_core::clock::{Clock, SystemClock};
use latchkey_core::last_known::LastKnown;

/// The system clock, moved forward on demand (to step past the policy TTL).
#[derive(Default)]
struct Skipping(AtomicI64);

impl Skipping {
    fn skip(&self, by: chrono::Duration) {
        self.0.fetch_add(by.num_seconds(), Ordering::Relaxed);
    }
}

impl Clock for Skipping {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        SystemClock.now() + chrono::Duration::seconds(self.0.load(Ordering::Relaxed))
    }
}

fn cache_dir(harness: &Harness) -> std::path::PathBuf {
    harness.accounts_path.parent().unwrap().join("last-known")
}

fn cache_files(harness: &Harness) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(cache_dir(harness))
        .map(|dir| dir.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default()
}

/// Waits (the write runs on a blocking thread) until the file on disk holds both lists.
async fn saved(harness: &Harness, account: &str) -> LastKnown {
    let store = latchkey_core::last_known::LastKnownStore::new(cache_dir(harness));
    for _ in 0..600 {
        if let Some(known) = store.load(account) {
            if known.eligibilities_at.is_some() && known.activations_at.is_some() {
                return known;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "the last known state was never written; files: {:?}",
        cache_files(harness)
    );
}

#[tokio::test]
async fn the_next_start_has_the_last_listing_at_once_without_a_secret_and_sign_out_clears_it() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = harness.latchkey();
    sign_in(&latchkey, ADA).await;
    assert_eq!(
        latchkey.last_known(),
        None,
        "nothing known before the first listing"
    );
    let eligible = latchkey.list_eligibilities().await.unwrap();
    let active = latchkey.list_activations().await.unwrap();
    let account = latchkey.list_accounts()[0].account.id.clone();
    let on_disk = saved(&harness, &account).await;
    assert_eq!(on_disk.eligibilities, eligible.items);
    assert_eq!(on_disk.activations, active.items);

    // Nothing on disk is a token: not the refresh token in the store, no token field.
    let refresh = latchkey_core::secrets::get(&harness.store, &account)
        .await
        .unwrap()
        .expect("a refresh token in the store");
    for file in cache_files(&harness) {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            !text.contains(refresh.expose().as_str()),
            "{file:?} holds the stored secret"
        );
        for word in [
            "refresh_token",
            "access_token",
            "refreshToken",
            "accessToken",
            "eyJ",
        ] {
            assert!(!text.contains(word), "{file:?} contains {word}");
        }
    }

    // The next start knows it once the session is resumed, before listing anything.
    let again = harness.latchkey();
    again.restore().await;
    let before = again.round_trips();
    let known = again.last_known().expect("the last known state");
    assert_eq!(
        again.round_trips(),
        before,
        "read from disk, not the network"
    );
    assert_eq!(known.eligibilities, eligible.items);
    let names: Vec<_> = known
        .eligibilities
        .iter()
        .filter_map(|e| e.name.as_deref())
        .collect();
    assert!(names.contains(&"On-call Responders"), "{names:?}");

    // Signing out forgets it, on disk too.
    again.sign_out().await.unwrap();
    assert_eq!(again.last_known(), None);
    assert!(
        cache_files(&harness).is_empty(),
        "{:?}",
        cache_files(&harness)
    );
}

#[tokio::test]
async fn a_damaged_cache_is_ignored_and_replaced_by_the_next_listing() {
    let harness = Harness::start(fast_options()).await;
    let latchkey = harness.latchkey();
    sign_in(&latchkey, ADA).await;
    latchkey.list_eligibilities().await.unwrap();
    latchkey.list_activations().await.unwrap();
    let account = latchkey.list_accounts()[0].account.id.clone();
    saved(&harness, &account).await;
    for file in cache_files(&harness) {
        std::fs::write(file, b"{\"version\":1,\"account\":").unwrap();
    }
    let again = harness.latchkey();
    again.restore().await;
    assert!(
        is_signed_in(&again.snapshot().session),
        "a damaged cache costs nothing else"
    );
    assert_eq!(again.last_known(), None);
    let listing = again.list_eligibilities().await.unwrap();
    again.list_activations().await.unwrap();
    assert_eq!(saved(&harness, &account).await.eligibilities, listing.items);
}

#[tokio::test]
async fn with_cold_policies_the_last_groups_policies_are_read_without_waiting_for_their_list() {
    let harness = Harness::start(fast_options()).await;
    let clock = Arc::new(Skipping::default());
    let latchkey = harness.latchkey_with_clock(clock.clone());
    sign_in(&latchkey, ADA).await;
    assert_eq!(
        latchkey.list_eligibilities().await.unwrap().items.len(),
        5 + 6 + 6
    );
    // From now on every eligibility list fails (500, not retried): whatever policy read still
    // goes out cannot have waited for a list.
    control(
        &harness,
        "/_sandbox/faults",
        serde_json::json!({ "method": "GET", "pathContains": "ligibilityScheduleInstances",
                            "kind": "serverError", "count": 1000 }),
    )
    .await;
    let round_trips = || async {
        let before = latchkey.round_trips();
        assert!(
            latchkey.list_eligibilities().await.is_err(),
            "no plane could be read"
        );
        latchkey.round_trips() - before
    };
    let warm = round_trips().await;
    clock.skip(latchkey_core::policy_cache::POLICY_TTL + chrono::Duration::minutes(1));
    let cold = round_trips().await;
    // Cold: the directory roles' policies in one list (no ids needed) and the five groups'
    // policies in one $batch (their ids from the last listing), both alongside the lists.
    assert_eq!(cold - warm, 1 + 1, "warm {warm}, cold {cold}");
}

#[tokio::test]
async fn the_first_listing_after_a_start_reads_the_cached_groups_policies_alongside_the_list() {
    // Group lists fail from the start: a new app start still sends the $batch of the groups
    // it knew last time, since their ids came from disk.
    let harness = Harness::start(fast_options()).await;
    let latchkey = harness.latchkey();
    sign_in(&latchkey, ADA).await;
    latchkey.list_eligibilities().await.unwrap();
    latchkey.list_activations().await.unwrap();
    let account = latchkey.list_accounts()[0].account.id.clone();
    saved(&harness, &account).await;

    let count = |with_cache: bool| {
        let harness = &harness;
        async move {
            if !with_cache {
                let _ = std::fs::remove_dir_all(cache_dir(harness));
            }
            let again = harness.latchkey();
            again.restore().await;
            control(
                harness,
                "/_sandbox/faults",
                serde_json::json!({ "method": "GET", "pathContains": "ligibilityScheduleInstances",
                                    "kind": "serverError", "count": 1000 }),
            )
            .await;
            let before = again.round_trips();
            assert!(again.list_eligibilities().await.is_err());
            let spent = again.round_trips() - before;
            harness.sandbox.state().faults().clear();
            spent
        }
    };
    let cached = count(true).await;
    let uncached = count(false).await;
    assert_eq!(
        cached - uncached,
        1,
        "one $batch of the cached groups' policies"
    );
}
