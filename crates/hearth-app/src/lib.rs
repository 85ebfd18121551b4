//! Hearth's use cases. Every read or write of patient data passes through here: the actor is
//! authenticated, the access rule is decided, the input validated, the change persisted and the
//! audit record written — in one transaction, so there is never a change without its audit
//! record nor an audit record of a change that did not happen. Time and ids are injected.

mod access;
mod access_report;
mod actor;
mod admin;
mod api_tokens;
mod app;
mod audit_log;
mod auth;
mod care_plan;
mod care_team;
mod clock;
mod conversations;
pub mod demo;
mod directory;
mod emergency;
mod error;
mod figures;
mod follow_up;
mod import;
mod inbox;
mod live;
mod mail;
mod meetings;
mod needs;
mod passwords;
mod patients;
mod records;
mod register;
mod rota_cache;
mod session_cache;
mod tasks;
mod transitions;

pub use access_report::{ACCESS_REPORT_PAGE, AccessReport};
pub use actor::{Actor, ActorRole};
pub use admin::{
    AdminOrganisations, AdminPeople, AdminPerson, AdminRota, NewAccount, NewShift, NewUser,
    NewUserRole, RotaEntry,
};
pub use api_tokens::{ApiTokenLine, IssuedApiToken};
pub use app::{App, AppConfig};
pub use auth::{SessionLine, SessionView, SignedIn, random_token};
pub use care_plan::{
    OutOfHoursSummary, PlanView, SaveOutcome, SummaryKey, SummaryRecord, WhoToCall,
};
pub use care_team::CareTeamView;
pub use clock::{Clock, IdGenerator, RandomIds, SystemClock};
pub use conversations::{ConversationList, ConversationView, MessageLine, NewConversation};
pub use directory::{Directory, DirectoryPerson, OnCallView};
pub use emergency::{EmergencyForm, NoticeView, reason_text};
pub use error::AppError;
pub use figures::{FigureLine, Figures};
pub use hearth_store::RecordKind;
pub use import::TransferReport;
pub use inbox::Inbox;
pub use live::LiveUpdates;
pub use mail::{MailConfig, MailError};
pub use meetings::{AgendaView, MeetingList, MeetingRecords, MeetingView, PlanMeeting};
pub use needs::{
    AdviceLine, AdviceLog, AssessmentForm, Latest, LatestNeeds, NeedsView, ReferralList,
    ReferralView, RuleHistory, TriggerAdmin, answers_advice_line,
};
pub use patients::{PatientOverview, RegisterPage, RegisterQuery};
pub use records::{DirectoryRecords, PatientCreation, PatientRecord};
pub use register::LeaveRegister;
pub use tasks::{MyTasks, NewTask, PatientTasks, TaskChange};
pub use transitions::{DischargeView, TransitionsView, notice_words};

pub use hearth_store::{
    AgendaItem, Arrival, Backend, ChecklistLine, DirectoryEntry, OpenSuggestion, ReferralLine,
    RoleRecord, SnapshotCache, Store, StoreError, StoredApiToken, StoredDischarge, TaskLine,
};
