//! Hearth's storage contract and its two backends. SQLite (embedded, the default) and PostgreSQL
//! (larger deployments) run the same SQL through sqlx's `Any` driver; what differs between them —
//! connection set-up and the migrations — lives in `sqlite/` and `postgres/`. Only this crate
//! knows SQL. See `docs/design/storage.md` for why it is shaped this way.

mod access;
mod api_tokens;
mod assessments;
mod audit;
mod audit_chain;
mod bulk;
mod care_plan;
mod care_team;
mod conversations;
mod error;
mod figures;
mod inbox;
mod live;
mod mail_outbox;
mod meetings;
mod migrations;
mod on_call;
mod organisations;
mod patients;
mod plan_snapshot;
mod practitioners;
mod referrals;
mod register;
mod register_list;
mod rows;
mod sessions;
mod snapshot_cache;
mod sqlite_audit;
mod sqlite_reader;
mod store;
mod tasks;
mod transitions;
mod users;

pub use access::{EmergencyAccess, Notice, Reader};

pub use api_tokens::StoredApiToken;
pub use assessments::OpenSuggestion;
pub use audit::{AccessEntry, NonPatientAudit};
pub use audit_chain::{ChainBreak, ChainCheck, GENESIS};
pub use care_plan::{PlanRead, PlanState};
pub use conversations::{Conversation, InboxMessage, Receipt, Recipient};
pub use error::StoreError;
pub use figures::{DeathOnRegister, RegisterTally};
pub use inbox::Waiting;
pub use live::LiveListener;
pub use mail_outbox::{MAX_ATTEMPTS as MAIL_MAX_ATTEMPTS, PendingMail};
pub use meetings::AgendaItem;
pub use migrations::{Backend, MigrationSource};
pub use on_call::RotaShift;
pub use patients::{CoordinatorFilter, PatientQuery, PatientSort, RecordKind};
pub use plan_snapshot::{FoundSnapshot, PlanSnapshot};
pub use practitioners::{ActorRoleRow, DirectoryEntry, PersonRecord, RoleRecord, StoredActor};
pub use referrals::ReferralLine;
pub use sessions::StoredSession;
pub use snapshot_cache::SnapshotCache;
pub use store::{PoolState, Store, SuspendedIndexes, Tx, create_database, drop_database};
pub use tasks::TaskLine;
pub use transitions::{Arrival, ChecklistLine, StoredDischarge};
pub use users::StoredUser;
