//! A week of the specialist palliative care advice rota for the demo region: the hospital
//! palliative care team by day (09:00–17:00), the hospice and the community specialist team by
//! night, alternating between two people each — from yesterday to a week ahead, in local time.

use hearth_domain::on_call::OnCallShift;
use hearth_domain::{OrganisationId, PractitionerId};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

/// Who covers the rota: (day service, day people, night service, night people), each with the
/// service's advice line.
pub struct RotaStaff {
    pub day: (OrganisationId, [PractitionerId; 2], &'static str),
    pub night: (OrganisationId, [PractitionerId; 2], &'static str),
}

fn at(day: Date, hour: i8, tz: &TimeZone) -> Option<Timestamp> {
    day.at(hour, 0, 0, 0)
        .to_zoned(tz.clone())
        .ok()
        .map(|z| z.timestamp())
}

/// Shifts from yesterday 09:00 to eight days later, local time.
pub fn week(
    staff: &RotaStaff,
    today: Date,
    tz: &TimeZone,
    now: Timestamp,
    mut id: impl FnMut() -> String,
) -> Vec<OnCallShift> {
    let mut shifts = Vec::new();
    for offset in -1..8_i64 {
        let Ok(day) = today.checked_add(Span::new().days(offset)) else {
            continue;
        };
        let Ok(next) = day.checked_add(Span::new().days(1)) else {
            continue;
        };
        let who = usize::from(offset.rem_euclid(2) == 1);
        let times = [
            (&staff.day, at(day, 9, tz), at(day, 17, tz)),
            (&staff.night, at(day, 17, tz), at(next, 9, tz)),
        ];
        for ((service, people, phone), starts, ends) in times {
            let (Some(starts_at), Some(ends_at)) = (starts, ends) else {
                continue;
            };
            shifts.push(OnCallShift {
                id: id(),
                organisation_id: service.clone(),
                practitioner_id: people[who].clone(),
                starts_at,
                ends_at,
                phone: (*phone).to_owned(),
                created_at: now,
                updated_at: now,
                version: 1,
            });
        }
    }
    shifts
}
