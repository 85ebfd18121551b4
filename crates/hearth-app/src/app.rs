//! The application: the store plus injected clock, id generator and configuration. Use cases are
//! methods on `App`, grouped by subject in their own modules.

use std::sync::Arc;

use hearth_domain::national_number::NationalNumberSystem;
use hearth_store::Store;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::audit_log::AuditLog;
use crate::session_cache::SessionCache;
use crate::{Clock, IdGenerator, RandomIds, SystemClock};

/// Settings that shape the use cases.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// The national patient numbering system of this deployment.
    pub national_number_system: NationalNumberSystem,
    /// The deployment's local time zone: "today", and the times people read, are local.
    pub time_zone: TimeZone,
    /// A session ends after this long without a request.
    pub session_idle_timeout: SignedDuration,
    /// A session ends this long after sign-in, however active.
    pub session_lifetime: SignedDuration,
    /// Failed sign-ins allowed for one account within `sign_in_window` before it is throttled.
    pub sign_in_max_failures: i64,
    /// Failed sign-ins allowed from one client address (for any accounts) within
    /// `sign_in_window` before that address is throttled.
    pub sign_in_address_max_failures: i64,
    pub sign_in_window: SignedDuration,
    /// How long emergency access to a record outside one's care team lasts.
    pub emergency_access_duration: SignedDuration,
    /// E-mail notification of urgent items, when configured.
    pub mail: Option<crate::MailConfig>,
    /// The notice and timing rules of discharge (risk flags).
    pub discharge_rules: hearth_domain::transition::DischargeRules,
    /// What makes a discharge complex enough for a planning meeting.
    pub complexity_rule: hearth_domain::transition::ComplexityRule,
    /// Public holidays, for the discharge risk flags.
    pub public_holidays: Vec<jiff::civil::Date>,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            national_number_system: NationalNumberSystem::nhs_number(),
            time_zone: TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC),
            session_idle_timeout: SignedDuration::from_mins(30),
            session_lifetime: SignedDuration::from_hours(12),
            sign_in_max_failures: 5,
            sign_in_address_max_failures: 20,
            sign_in_window: SignedDuration::from_mins(15),
            emergency_access_duration: SignedDuration::from_hours(12),
            mail: None,
            discharge_rules: hearth_domain::transition::DischargeRules::default(),
            complexity_rule: hearth_domain::transition::ComplexityRule::default(),
            public_holidays: hearth_domain::transition::england_and_wales_bank_holidays(),
        }
    }
}

/// The application. Cheap to clone; every clone shares the same store and configuration.
#[derive(Clone, Debug)]
pub struct App {
    pub(crate) store: Store,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) ids: Arc<dyn IdGenerator>,
    pub(crate) config: Arc<AppConfig>,
    pub(crate) audit: AuditLog,
    pub(crate) sessions: Arc<SessionCache>,
    pub(crate) rota: Arc<crate::rota_cache::RotaCache>,
    /// Out-of-hours summaries made from stored snapshots, by what they were made from
    /// (`care_plan.rs`).
    pub(crate) summaries: Arc<crate::care_plan::SummaryCache>,
    pub(crate) live: Arc<crate::live::Live>,
}

impl App {
    pub fn new(store: Store, config: AppConfig) -> Self {
        Self::with(store, config, Arc::new(SystemClock), Arc::new(RandomIds))
    }

    /// An app with a chosen clock and id generator (tests use a fake clock). Must be called
    /// within a Tokio runtime: it starts the audit log's writer task.
    pub fn with(
        store: Store,
        config: AppConfig,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdGenerator>,
    ) -> Self {
        let audit = AuditLog::start(store.clone());
        let live = crate::live::Live::start(&store);
        Self {
            store,
            clock,
            ids,
            config: Arc::new(config),
            audit,
            sessions: Arc::default(),
            rota: Arc::default(),
            summaries: Arc::default(),
            live,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn config(&self) -> &AppConfig {
        &self.config
    }

    /// Now, by the app's clock (a fake one in tests): pages that show "overdue" ask here.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Today's date in the deployment's time zone.
    pub fn today(&self) -> Date {
        self.clock
            .now()
            .to_zoned(self.config.time_zone.clone())
            .date()
    }

    /// Formats an instant as local date and time, e.g. `22 Nov 2026 14:05`.
    pub fn local_time(&self, at: Timestamp) -> String {
        at.to_zoned(self.config.time_zone.clone())
            .strftime("%-d %b %Y %H:%M")
            .to_string()
    }
}
