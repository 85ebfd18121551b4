//! The two migration sets, embedded in the binary. Each backend has its own SQL files under
//! `sqlite/migrations/` and `postgres/migrations/` with the same names; the lists below must name
//! every file (a test checks both the lists and that the resulting schemas match).

use std::borrow::Cow;

use sqlx::migrate::{Migration, MigrationType, Migrator};

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// The migrations of this backend, oldest first.
    pub fn migrations(self) -> &'static [MigrationSource] {
        match self {
            Backend::Sqlite => SQLITE,
            Backend::Postgres => POSTGRES,
        }
    }

    pub(crate) fn migrator(self) -> Migrator {
        let migrations: Vec<Migration> = self
            .migrations()
            .iter()
            .map(|m| {
                Migration::new(
                    m.version,
                    Cow::Borrowed(m.description),
                    MigrationType::Simple,
                    Cow::Borrowed(m.sql),
                    false,
                )
            })
            .collect();
        Migrator {
            migrations: Cow::Owned(migrations),
            ignore_missing: false,
            locking: true,
            no_tx: false,
        }
    }
}

/// One embedded migration file.
#[derive(Debug)]
pub struct MigrationSource {
    pub version: i64,
    pub description: &'static str,
    /// The file name, e.g. `0001_initial.sql`.
    pub file_name: &'static str,
    pub sql: &'static str,
}

macro_rules! migrations {
    ($dir:literal: $( $version:literal $description:literal $file:literal ),+ $(,)?) => {
        &[ $( MigrationSource {
            version: $version,
            description: $description,
            file_name: $file,
            sql: include_str!(concat!($dir, "/migrations/", $file)),
        }, )+ ]
    };
}

const SQLITE: &[MigrationSource] = migrations!("sqlite":
    1 "initial" "0001_initial.sql",
    2 "register" "0002_register.sql",
    3 "care team" "0003_care_team.sql",
    4 "on call" "0004_on_call.sql",
    5 "directory details" "0005_directory_details.sql",
    6 "register list" "0006_register_list.sql",
    7 "audit chain" "0007_audit_chain.sql",
    8 "care team access" "0008_care_team_access.sql",
    9 "administration" "0009_administration.sql",
    10 "api tokens" "0010_api_tokens.sql",
    11 "care plan" "0011_care_plan.sql",
    12 "plan snapshots" "0012_plan_snapshots.sql",
    13 "plan snapshot digest" "0013_plan_snapshot_digest.sql",
    14 "conversations" "0014_conversations.sql",
    15 "tasks" "0015_tasks.sql",
    16 "meetings" "0016_meetings.sql",
    17 "mail outbox" "0017_mail_outbox.sql",
    18 "message task" "0018_message_task.sql",
    19 "transitions" "0019_transitions.sql",
    20 "assessments" "0020_assessments.sql",
    21 "referrals" "0021_referrals.sql",
    22 "patient versions" "0022_patient_versions.sql",
);

const POSTGRES: &[MigrationSource] = migrations!("postgres":
    1 "initial" "0001_initial.sql",
    2 "register" "0002_register.sql",
    3 "care team" "0003_care_team.sql",
    4 "on call" "0004_on_call.sql",
    5 "directory details" "0005_directory_details.sql",
    6 "register list" "0006_register_list.sql",
    7 "audit chain" "0007_audit_chain.sql",
    8 "care team access" "0008_care_team_access.sql",
    9 "administration" "0009_administration.sql",
    10 "api tokens" "0010_api_tokens.sql",
    11 "care plan" "0011_care_plan.sql",
    12 "plan snapshots" "0012_plan_snapshots.sql",
    13 "plan snapshot digest" "0013_plan_snapshot_digest.sql",
    14 "conversations" "0014_conversations.sql",
    15 "tasks" "0015_tasks.sql",
    16 "meetings" "0016_meetings.sql",
    17 "mail outbox" "0017_mail_outbox.sql",
    18 "message task" "0018_message_task.sql",
    19 "transitions" "0019_transitions.sql",
    20 "assessments" "0020_assessments.sql",
    21 "referrals" "0021_referrals.sql",
    22 "patient versions" "0022_patient_versions.sql",
);
