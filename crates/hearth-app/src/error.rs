//! The app layer's error type. Each variant says what went wrong in words a user can act on; the
//! web layer maps each to one HTTP status in one place.

use hearth_domain::access::Denial;
use hearth_domain::{PatientId, ValidationError};
use hearth_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input was not valid; nothing was changed.
    #[error("{0}")]
    Invalid(#[from] ValidationError),
    /// The email or password is wrong (deliberately not saying which).
    #[error("The email address or password is not right. Check them and try again.")]
    BadCredentials,
    /// Too many failed sign-ins for this account.
    #[error(
        "Too many failed sign-ins for this account. Wait {retry_after_minutes} minutes and try again, or ask your administrator to reset your password."
    )]
    Throttled { retry_after_minutes: i64 },
    /// Too many failed sign-ins from this client address, whatever the accounts.
    #[error(
        "Too many failed sign-ins from this network address. Wait {retry_after_minutes} minutes and try again, or ask your administrator for help."
    )]
    AddressThrottled { retry_after_minutes: i64 },
    /// The account exists but may not sign in.
    #[error("This account is disabled. Ask your administrator to enable it.")]
    AccountDisabled,
    /// The session is missing, ended or expired.
    #[error("Your session has ended. Sign in again.")]
    SignedOut,
    /// The actor may not do this; the refusal was audited.
    #[error("{0}")]
    Forbidden(String),
    /// The actor may not open this patient's record; the refusal was audited. The denial says
    /// why and whether emergency access could open it.
    #[error("{}", denial.explanation())]
    RecordClosed { patient: PatientId, denial: Denial },
    /// No such record (or none the actor may know of).
    #[error("{0}")]
    NotFound(String),
    /// The record already exists.
    #[error("{0}")]
    Duplicate(String),
    /// The record changed since the user read it; nothing was saved.
    #[error("{0}")]
    Conflict(String),
    /// A storage failure.
    #[error("The database could not complete the request: {0}")]
    Store(StoreError),
    /// A failure inside Hearth that is not the user's fault.
    #[error("Something went wrong inside Hearth: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Duplicate { what } => {
                let mut message = what.to_owned();
                if let Some(first) = message.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                AppError::Duplicate(format!("{message} already exists."))
            }
            StoreError::Conflict { what } => AppError::Conflict(format!(
                "Someone else changed this {what} since you opened it. Reload the page to see their change, then try again."
            )),
            other => AppError::Store(other),
        }
    }
}
