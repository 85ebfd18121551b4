//! User accounts: who can sign in. Each account belongs to one practitioner, whose roles in
//! organisations decide what the account may do.

use jiff::Timestamp;

use crate::{PractitionerId, UserId, ValidationError};

/// A syntactically plausible email address, trimmed and lower-cased so that sign-in does not
/// depend on how someone capitalised it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        let email = value.trim().to_lowercase();
        let invalid =
            || ValidationError::new("email", "Enter an email address like name@example.org.");
        if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        if local.is_empty() || domain.len() < 3 || !domain.contains('.') || domain.contains('@') {
            return Err(invalid());
        }
        if domain.starts_with('.') || domain.ends_with('.') {
            return Err(invalid());
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

crate::coded_enum! {
    /// Whether an account may sign in. Accounts are disabled, never deleted, so the audit trail
    /// always names a real account.
    pub enum AccountStatus {
        Active => ("active", "Active"),
        Disabled => ("disabled", "Disabled"),
    }
}

/// A user account as stored (without its password hash, which never leaves the app layer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAccount {
    pub id: UserId,
    pub email: Email,
    pub practitioner_id: PractitionerId,
    pub status: AccountStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// The shortest and longest passwords accepted. Length matters more than composition rules
/// (NCSC and NIST SP 800-63B guidance), and the upper bound keeps hashing cost bounded.
pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// Checks a new password against the length policy.
pub fn check_new_password(password: &str) -> Result<(), ValidationError> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(ValidationError::new(
            "password",
            format!("The password is too short: use at least {PASSWORD_MIN_CHARS} characters."),
        ));
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(ValidationError::new(
            "password",
            format!("The password is too long: use at most {PASSWORD_MAX_CHARS} characters."),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Ann.Smith@Example.ORG ").unwrap().as_str(),
            "ann.smith@example.org"
        );
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.org",
            "ann@example",
            "a b@example.org",
            "ann@.org.",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn password_length_policy() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("long enough pass").is_ok());
        assert!(check_new_password(&"x".repeat(129)).is_err());
    }
}
