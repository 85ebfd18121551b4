//! The specialist palliative care advice rota: who to call for specialist advice now, and next —
//! day and night. Generalists who know whom to call use specialist advice; those who do not,
//! don't.

use jiff::{SignedDuration, Timestamp};

use crate::{OrganisationId, PractitionerId, ValidationError};

/// One shift on the rota.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnCallShift {
    pub id: String,
    /// The specialist service giving advice.
    pub organisation_id: OrganisationId,
    pub practitioner_id: PractitionerId,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    /// The number to ring during the shift.
    pub phone: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// No shift is longer than a day: longer "shifts" are rota errors.
const LONGEST_SHIFT: SignedDuration = SignedDuration::from_hours(24);

impl OnCallShift {
    /// Checks the shift's times and telephone number.
    pub fn validate(self) -> Result<OnCallShift, ValidationError> {
        if self.ends_at <= self.starts_at {
            return Err(ValidationError::new(
                "ends_at",
                "A shift must end after it starts.",
            ));
        }
        if self.ends_at.duration_since(self.starts_at) > LONGEST_SHIFT {
            return Err(ValidationError::new(
                "ends_at",
                "A shift may last at most 24 hours.",
            ));
        }
        let phone =
            crate::practitioner::optional_phone("phone", &self.phone)?.ok_or_else(|| {
                ValidationError::new("phone", "Give the number to ring during the shift.")
            })?;
        Ok(OnCallShift { phone, ..self })
    }

    pub fn covers(&self, at: Timestamp) -> bool {
        self.starts_at <= at && at < self.ends_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shift(starts: &str, ends: &str, phone: &str) -> OnCallShift {
        OnCallShift {
            id: "s".into(),
            organisation_id: OrganisationId::new("spc"),
            practitioner_id: PractitionerId::new("dr"),
            starts_at: starts.parse().unwrap(),
            ends_at: ends.parse().unwrap(),
            phone: phone.into(),
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
            version: 1,
        }
    }

    #[test]
    fn shifts_are_checked_and_cover_their_hours() {
        let day = shift(
            "2026-11-20T09:00:00Z",
            "2026-11-20T17:00:00Z",
            "01632 960 401",
        )
        .validate()
        .unwrap();
        assert!(day.covers("2026-11-20T09:00:00Z".parse().unwrap()));
        assert!(
            !day.covers("2026-11-20T17:00:00Z".parse().unwrap()),
            "the end is exclusive"
        );
        assert_eq!(
            shift("2026-11-20T17:00:00Z", "2026-11-20T09:00:00Z", "01632")
                .validate()
                .unwrap_err()
                .field,
            "ends_at"
        );
        assert_eq!(
            shift("2026-11-20T09:00:00Z", "2026-11-22T09:00:00Z", "01632")
                .validate()
                .unwrap_err()
                .field,
            "ends_at"
        );
        assert_eq!(
            shift("2026-11-20T09:00:00Z", "2026-11-20T17:00:00Z", "")
                .validate()
                .unwrap_err()
                .field,
            "phone"
        );
    }
}
