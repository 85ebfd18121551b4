//! API tokens: how a token looks, when it expires, and what its label may say. The secret itself
//! is made and hashed by the app layer; this module holds the rules.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Span, Timestamp};

use crate::ValidationError;

/// Every API token starts with this, so that a token pasted into a chat, a ticket or a public
/// repository is recognised by secret scanners (and by people) for what it is.
pub const API_TOKEN_PREFIX: &str = "hearth_pat_";

/// How long a token lives when no expiry is given.
pub const DEFAULT_TOKEN_LIFETIME_DAYS: i64 = 90;

/// The longest a token may live: a forgotten token should not work for ever.
pub const MAX_TOKEN_LIFETIME: SignedDuration = SignedDuration::from_hours(366 * 24);

/// The longest label, in characters.
pub const LABEL_MAX_CHARS: usize = 100;

/// When a new token stops working: after a span of time, or at the start of a day.
#[derive(Debug, Clone, Copy)]
pub enum TokenExpiry {
    /// After this long, e.g. `90d`, `12 weeks`, `P6M`.
    After(Span),
    /// At the start of this day (00:00 in the deployment's time zone).
    On(Date),
}

impl Default for TokenExpiry {
    fn default() -> Self {
        TokenExpiry::After(Span::new().days(DEFAULT_TOKEN_LIFETIME_DAYS))
    }
}

impl TokenExpiry {
    /// Reads an expiry as a date (`2027-03-01`) or a duration (`90d`, `12 weeks`, `P6M`).
    pub fn parse(value: &str) -> Result<Self, ValidationError> {
        let value = value.trim();
        if let Ok(date) = value.parse::<Date>() {
            return Ok(TokenExpiry::On(date));
        }
        value.parse::<Span>().map(TokenExpiry::After).map_err(|_| {
            ValidationError::new(
                "expires",
                format!(
                    "'{value}' is neither a date nor a duration: give a date like 2027-03-01 or a duration like 90d, 12w or 6 months."
                ),
            )
        })
    }

    /// The instant a token issued at `now` expires, checked to lie in the future and at most
    /// `MAX_TOKEN_LIFETIME` away.
    pub fn expires_at(
        &self,
        now: Timestamp,
        zone: &TimeZone,
    ) -> Result<Timestamp, ValidationError> {
        let invalid = |message: &str| ValidationError::new("expires", message.to_owned());
        let local = now.to_zoned(zone.clone());
        let at = match self {
            TokenExpiry::After(span) => local
                .checked_add(*span)
                .map_err(|_| invalid("The duration is too long: give at most a year, like 365d."))?
                .timestamp(),
            TokenExpiry::On(date) => date
                .to_zoned(zone.clone())
                .map_err(|_| invalid("That day cannot be placed in time: give another date."))?
                .timestamp(),
        };
        if at <= now {
            return Err(invalid(
                "The token would expire before it is issued: give a later date or a positive duration.",
            ));
        }
        if at.duration_since(now) > MAX_TOKEN_LIFETIME {
            return Err(invalid(
                "A token may live at most a year: give a nearer date or a shorter duration, and issue a new token when it expires.",
            ));
        }
        Ok(at)
    }
}

/// Checks a token's label: optional, one line, at most `LABEL_MAX_CHARS` characters.
pub fn check_label(label: &str) -> Result<String, ValidationError> {
    let label = label.trim();
    if label.chars().any(char::is_control) {
        return Err(ValidationError::new(
            "name",
            "The label must be a single line of text, like 'ward dashboard'.",
        ));
    }
    if label.chars().count() > LABEL_MAX_CHARS {
        return Err(ValidationError::new(
            "name",
            format!("The label is too long: use at most {LABEL_MAX_CHARS} characters."),
        ));
    }
    Ok(label.to_owned())
}

/// Whether a presented string has the shape of a Hearth API token (prefix and 64 hex digits).
/// Anything else is refused before the database is asked.
pub fn looks_like_api_token(token: &str) -> bool {
    token
        .strip_prefix(API_TOKEN_PREFIX)
        .is_some_and(|secret| secret.len() == 64 && secret.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-11-20T14:30:00Z".parse().unwrap()
    }

    fn london() -> TimeZone {
        TimeZone::get("Europe/London").unwrap()
    }

    #[test]
    fn expiry_reads_durations_and_dates() {
        let ninety = TokenExpiry::parse("90d").unwrap();
        assert_eq!(
            ninety.expires_at(now(), &london()).unwrap(),
            TokenExpiry::default().expires_at(now(), &london()).unwrap()
        );
        assert_eq!(
            ninety.expires_at(now(), &london()).unwrap(),
            "2027-02-18T14:30:00Z".parse::<Timestamp>().unwrap()
        );
        let day = TokenExpiry::parse("2027-03-01").unwrap();
        assert_eq!(
            day.expires_at(now(), &london()).unwrap(),
            "2027-03-01T00:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert!(TokenExpiry::parse("12 weeks").is_ok());
        assert!(TokenExpiry::parse("P6M").is_ok());
    }

    #[test]
    fn expiry_must_be_in_the_future_and_within_a_year() {
        let refused = |value: &str| {
            TokenExpiry::parse(value)
                .and_then(|e| e.expires_at(now(), &london()))
                .unwrap_err()
                .message
        };
        assert!(refused("soon").contains("neither a date nor a duration"));
        assert!(refused("2026-11-01").contains("before it is issued"));
        assert!(refused("-5d").contains("before it is issued"));
        assert!(refused("2y").contains("at most a year"));
        assert!(refused("2030-01-01").contains("at most a year"));
    }

    #[test]
    fn labels_are_one_short_line() {
        assert_eq!(check_label("  ward dashboard ").unwrap(), "ward dashboard");
        assert!(check_label("two\nlines").is_err());
        assert!(check_label(&"x".repeat(101)).is_err());
    }

    #[test]
    fn only_prefixed_hex_secrets_look_like_tokens() {
        let good = format!("{API_TOKEN_PREFIX}{}", "ab12".repeat(16));
        assert!(looks_like_api_token(&good));
        assert!(!looks_like_api_token(&"ab12".repeat(16)));
        assert!(!looks_like_api_token(&format!("{API_TOKEN_PREFIX}xyz")));
        assert!(!looks_like_api_token(&format!("{good}0")));
    }
}
