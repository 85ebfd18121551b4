//! Hearth's domain model: the entities of integrated palliative care and the rules that keep them
//! valid. This crate does no I/O and reads no clock — time and ids are always parameters — so every
//! rule here can be tested exhaustively and reused by every adapter.

pub mod access;
pub mod advice;
pub mod api_token;
pub mod assessment;
pub mod audit;
pub mod care_plan;
pub mod care_team;
pub mod codes;
pub mod conversation;
pub mod error;
pub mod figures;
pub mod ids;
pub mod meeting;
pub mod national_number;
pub mod notification;
pub mod on_call;
pub mod organisation;
pub mod patient;
pub mod practitioner;
pub mod referral;
pub mod register;
pub mod task;
pub mod transfer;
pub mod transition;
pub mod trigger;
pub mod user;

pub use error::ValidationError;
pub use ids::{OrganisationId, PatientId, PractitionerId, PractitionerRoleId, UserId};
