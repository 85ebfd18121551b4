//! The specialist advice rota as the patient page, the out-of-hours summary and the leaflet
//! show it ("who to call now"), remembered for a few seconds. Every one of those pages needs it
//! and it changes a few times a week; reading it costs three statements per page. A rota change
//! made on this node is seen at once (the change forgets the cache); on other nodes within
//! `FRESH`. The "now" flags are recomputed for each request, and shifts that have ended are
//! dropped.

use std::sync::Mutex;

use hearth_store::Tx;
use jiff::{SignedDuration, Timestamp};

use crate::{AppError, OnCallView};

/// How long a read of the rota is reused.
const FRESH: SignedDuration = SignedDuration::from_secs(5);

#[derive(Debug, Default)]
pub(crate) struct RotaCache {
    read: Mutex<Option<(Timestamp, Vec<OnCallView>)>>,
}

impl RotaCache {
    /// The rota from `now`, from the cache when it was read less than `FRESH` ago, otherwise
    /// from `tx` (and remembered).
    pub(crate) async fn on_call(
        &self,
        tx: &mut Tx,
        now: Timestamp,
    ) -> Result<Vec<OnCallView>, AppError> {
        if let Some(views) = self.fresh(now) {
            return Ok(views);
        }
        let views = crate::directory::on_call(tx, now).await?;
        if let Ok(mut read) = self.read.lock() {
            *read = Some((now, views.clone()));
        }
        Ok(views)
    }

    /// The rota from `now` when it was read less than `FRESH` ago.
    pub(crate) fn fresh(&self, now: Timestamp) -> Option<Vec<OnCallView>> {
        let cached = self.read.lock().ok().and_then(|read| {
            read.as_ref()
                .filter(|(at, _)| *at <= now && now < *at + FRESH)
                .map(|(_, views)| views.clone())
        })?;
        Some(
            cached
                .into_iter()
                .filter(|v| v.shift.ends_at > now)
                .map(|mut v| {
                    v.now = v.shift.covers(now);
                    v
                })
                .collect(),
        )
    }

    /// Forgets the remembered rota, after a change to it.
    pub(crate) fn forget(&self) {
        if let Ok(mut read) = self.read.lock() {
            *read = None;
        }
    }
}

impl crate::App {
    /// Who gives specialist advice from `now`: the remembered rota, or a fresh read of it.
    pub(crate) async fn on_call_now(&self, now: Timestamp) -> Result<Vec<OnCallView>, AppError> {
        if let Some(views) = self.rota.fresh(now) {
            return Ok(views);
        }
        let mut tx = self.store.begin_read().await?;
        self.rota.on_call(&mut tx, now).await
    }
}
