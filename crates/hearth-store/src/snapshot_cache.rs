//! Decoded plan snapshots, remembered by the digest of the row they were decoded from.
//!
//! Decoding a snapshot's JSON was a fifth of the out-of-hours summary's CPU time (perf, 100,000
//! patients). At night the same few patients' summaries are opened again and again, so each node
//! keeps the snapshots it decoded last, each with the digest of its stored body. The summary's
//! one statement reads the digest every time and returns the body only when the digest differs
//! from the remembered one: a change made through any node (they may share one PostgreSQL)
//! changes the stored body and so its digest, and the next read decodes the new body. The
//! digest is of the content, so a row rewritten with the same content stays valid. Nothing is
//! trusted from memory that the database has not just confirmed. See
//! `docs/design/plan-snapshots.md`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

/// Snapshots remembered per node. A decoded snapshot takes about ten kilobytes, so this bounds
/// the cache near ten megabytes.
const CAPACITY: usize = 1024;

/// The digest stored beside a snapshot's body: the first eight bytes of its SHA-256.
pub(crate) fn digest(body: &str) -> i64 {
    let hash = Sha256::digest(body.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash[..8]);
    i64::from_be_bytes(first)
}

/// Values by patient id, each with the key it was made from: for the store, the digest of the
/// stored body a snapshot was decoded from; for the layers above, whatever else the value was
/// made from (the snapshot's digest with the date, say). A value is returned only for its own
/// key, so nothing stale is served once anything it was made from changes. Bounded to
/// `CAPACITY` patients.
#[derive(Debug)]
pub struct SnapshotCache<T: ?Sized, K = i64> {
    entries: Mutex<HashMap<String, (K, Arc<T>)>>,
}

impl<T: ?Sized, K> Default for SnapshotCache<T, K> {
    fn default() -> Self {
        SnapshotCache {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<T: ?Sized, K: PartialEq + Clone> SnapshotCache<T, K> {
    /// The key of the value remembered for `patient`, if any.
    pub fn key_of(&self, patient: &str) -> Option<K> {
        let entries = self.entries.lock().ok()?;
        entries.get(patient).map(|(key, _)| key.clone())
    }

    /// The value remembered for `patient` when it was made from `key`.
    pub fn get(&self, patient: &str, key: &K) -> Option<Arc<T>> {
        let entries = self.entries.lock().ok()?;
        match entries.get(patient) {
            Some((remembered, value)) if remembered == key => Some(Arc::clone(value)),
            _ => None,
        }
    }

    /// Remembers `value`, made from `key`. When full, an arbitrary entry makes room (the map's
    /// order is randomised per process, so no patient is always evicted).
    pub fn put(&self, patient: &str, key: K, value: Arc<T>) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= CAPACITY
            && !entries.contains_key(patient)
            && let Some(victim) = entries.keys().next().cloned()
        {
            entries.remove(&victim);
        }
        entries.insert(patient.to_owned(), (key, value));
    }

    /// Forgets everything remembered for `patient`.
    pub fn forget(&self, patient: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(patient);
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }
}

/// What the summary's statement returned for the snapshot, resolved against the cache.
pub(crate) fn resolve<T>(
    cache: &SnapshotCache<T>,
    patient: &str,
    digest: Option<i64>,
    body: Option<String>,
    decode: impl FnOnce(&str) -> Option<T>,
) -> Option<Arc<T>> {
    match (digest, body) {
        // The body is returned only when the digest differs from the one remembered.
        (Some(digest), Some(body)) => {
            let decoded = decode(&body).map(Arc::new);
            match &decoded {
                Some(snapshot) => cache.put(patient, digest, Arc::clone(snapshot)),
                None => cache.forget(patient),
            }
            decoded
        }
        (Some(digest), None) => cache.get(patient, &digest),
        // A row written before digests were stored: decode it, remember nothing.
        (None, Some(body)) => decode(&body).map(Arc::new),
        (None, None) => {
            cache.forget(patient);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_changes_with_the_content() {
        assert_eq!(digest("a"), digest("a"));
        assert_ne!(digest("a"), digest("b"));
    }

    #[test]
    fn a_remembered_snapshot_is_used_only_for_its_own_digest() {
        let cache = SnapshotCache::<String>::default();
        let decoded = std::cell::Cell::new(0);
        let decode = |body: &str| {
            decoded.set(decoded.get() + 1);
            Some(body.to_owned())
        };
        let first = resolve(&cache, "p-1", Some(7), Some("plan".to_owned()), decode);
        assert_eq!(first.as_deref().map(String::as_str), Some("plan"));
        assert_eq!(cache.key_of("p-1"), Some(7));
        let again = resolve(&cache, "p-1", Some(7), None, decode);
        assert_eq!(again.as_deref().map(String::as_str), Some("plan"));
        assert_eq!(
            decoded.get(),
            1,
            "the second read used the remembered snapshot"
        );
        assert!(
            resolve(&cache, "p-1", Some(8), None, decode).is_none(),
            "another digest never returns the remembered snapshot"
        );
        let unreadable = resolve(&cache, "p-1", Some(9), Some("x".to_owned()), |_| None);
        assert!(unreadable.is_none());
        assert_eq!(
            cache.key_of("p-1"),
            None,
            "an unreadable body forgets the patient"
        );
        resolve(&cache, "p-1", Some(7), Some("plan".to_owned()), decode);
        assert!(resolve(&cache, "p-1", None, None, decode).is_none());
        assert_eq!(
            cache.key_of("p-1"),
            None,
            "a missing row forgets the patient"
        );
    }

    #[test]
    fn the_cache_stays_within_its_capacity() {
        let cache = SnapshotCache::<String>::default();
        let one = Arc::new("plan".to_owned());
        for i in 0..(CAPACITY + 10) {
            cache.put(&format!("p-{i}"), 1, Arc::clone(&one));
        }
        assert_eq!(cache.len(), CAPACITY);
    }
}
