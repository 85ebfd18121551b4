//! The specialist palliative care advice rota, as administrators keep it: the next two weeks of
//! shifts of the organisations they look after, adding a shift (no overlaps for one person) and
//! cancelling one (kept on record, gone from "who to call now").

use hearth_domain::audit::AuditAction;
use hearth_domain::on_call::OnCallShift;
use hearth_domain::organisation::Organisation;
use hearth_domain::{PractitionerRoleId, ValidationError};
use jiff::civil::DateTime;
use jiff::{SignedDuration, Timestamp};

use super::scope_of;
use crate::{Actor, App, AppError};

const RESOURCE: &str = "OnCallShift";

/// How far ahead the rota page looks.
pub const ROTA_DAYS: i64 = 14;

/// A shift with names for display.
#[derive(Debug, Clone)]
pub struct RotaEntry {
    pub shift: OnCallShift,
    pub cancelled_at: Option<Timestamp>,
    pub name: String,
    pub service: String,
}

/// The rota page's content.
#[derive(Debug, Clone)]
pub struct AdminRota {
    /// Shifts not yet ended that start within `ROTA_DAYS`, cancelled ones included.
    pub shifts: Vec<RotaEntry>,
    /// Current roles in scope, for the form: (role id, "Name — Profession, Organisation").
    pub roles: Vec<(PractitionerRoleId, String)>,
    pub organisations: Vec<Organisation>,
}

/// A new shift as typed: the role (which names the person and the organisation), local start and
/// end (`2026-11-21T09:00`, as a browser's date-and-time field sends it), and the number to ring
/// (the role's own number when left blank).
#[derive(Debug, Clone, Default)]
pub struct NewShift {
    pub role: String,
    pub starts_at: String,
    pub ends_at: String,
    pub phone: String,
}

impl App {
    /// The rota of the organisations the administrator looks after, from now for two weeks.
    pub async fn admin_rota(&self, actor: &Actor) -> Result<AdminRota, AppError> {
        let root = self
            .require_administrator(actor, AuditAction::Read, RESOURCE)
            .await?;
        let now = self.now();
        let mut tx = self.store.begin_read().await?;
        let scope = scope_of(&mut tx, &root).await?;
        let until = now + SignedDuration::from_hours(24 * ROTA_DAYS);
        let shifts = tx.rota_between(&scope.ids, now, until).await?;
        let people: Vec<_> = shifts
            .iter()
            .map(|s| s.shift.practitioner_id.clone())
            .collect();
        let names = tx.practitioner_names(&people).await?;
        let roles = tx.roles_in(&scope.ids).await?;
        let role_people: Vec<_> = roles
            .iter()
            .map(|r| r.role.practitioner_id.clone())
            .collect();
        let role_names = tx.practitioner_names(&role_people).await?;
        Ok(AdminRota {
            shifts: shifts
                .into_iter()
                .map(|s| RotaEntry {
                    name: names
                        .get(&s.shift.practitioner_id)
                        .cloned()
                        .unwrap_or_else(|| "Unknown".to_owned()),
                    service: scope.name_of(&s.shift.organisation_id),
                    cancelled_at: s.cancelled_at,
                    shift: s.shift,
                })
                .collect(),
            roles: roles
                .iter()
                .filter(|r| r.ended_at.is_none())
                .map(|r| {
                    let name = role_names
                        .get(&r.role.practitioner_id)
                        .cloned()
                        .unwrap_or_default();
                    (
                        r.role.id.clone(),
                        format!(
                            "{name} — {}, {}",
                            r.role.profession.label(),
                            r.organisation_name
                        ),
                    )
                })
                .collect(),
            organisations: scope.organisations(),
        })
    }

    /// Adds a shift for a current role in scope; refuses an end before the start, a shift that
    /// has already ended, and one overlapping another standing shift of the same person.
    pub async fn admin_add_shift(
        &self,
        actor: &Actor,
        input: NewShift,
    ) -> Result<OnCallShift, AppError> {
        let root = self
            .require_administrator(actor, AuditAction::Create, RESOURCE)
            .await?;
        let now = self.now();
        let starts_at = self.local_instant("starts_at", "start", &input.starts_at)?;
        let ends_at = self.local_instant("ends_at", "end", &input.ends_at)?;
        if ends_at <= now {
            return Err(ValidationError::new(
                "ends_at",
                "This shift would already be over; the rota is for shifts still to come.",
            )
            .into());
        }
        let mut tx = self.store.begin_write().await?;
        let scope = scope_of(&mut tx, &root).await?;
        let role = tx
            .roles_in(&scope.ids)
            .await?
            .into_iter()
            .find(|r| r.role.id.as_str() == input.role.trim() && r.ended_at.is_none())
            .ok_or_else(|| {
                ValidationError::new(
                    "role",
                    "Choose who is on call, from the people of the organisations you look after.",
                )
            })?;
        let phone = if input.phone.trim().is_empty() {
            role.role.phone.clone().unwrap_or_default()
        } else {
            input.phone
        };
        let shift = OnCallShift {
            id: self.ids.new_id(),
            organisation_id: role.role.organisation_id.clone(),
            practitioner_id: role.role.practitioner_id.clone(),
            starts_at,
            ends_at,
            phone,
            created_at: now,
            updated_at: now,
            version: 1,
        }
        .validate()?;
        if let Some(other) = tx
            .overlapping_shift(&shift.practitioner_id, shift.starts_at, shift.ends_at)
            .await?
        {
            return Err(ValidationError::new(
                "starts_at",
                format!(
                    "This person is already on call from {} to {}; a person can be on only one \
                     shift at a time.",
                    self.local_time(other.starts_at),
                    self.local_time(other.ends_at)
                ),
            )
            .into());
        }
        tx.insert_on_call_shifts(std::slice::from_ref(&shift))
            .await?;
        self.audit_administration(
            &mut tx,
            actor,
            AuditAction::Create,
            (RESOURCE, &shift.id, shift.version),
        )
        .await?;
        tx.commit().await?;
        self.rota.forget();
        Ok(shift)
    }

    /// Cancels a standing shift in scope: it stays on record, marked cancelled, and no longer
    /// shows as someone to call.
    pub async fn admin_cancel_shift(
        &self,
        actor: &Actor,
        id: &str,
        version: i64,
    ) -> Result<(), AppError> {
        let root = self
            .require_administrator(actor, AuditAction::Update, RESOURCE)
            .await?;
        let mut tx = self.store.begin_write().await?;
        let scope = scope_of(&mut tx, &root).await?;
        let Some(found) = tx.rota_shift(id).await? else {
            return Err(AppError::NotFound(
                "There is no such shift. Go back to the rota.".to_owned(),
            ));
        };
        if !scope.contains(&found.shift.organisation_id) {
            let message = format!(
                "You cannot cancel a shift of {}: it is not one of the organisations you look after.",
                scope.name_of(&found.shift.organisation_id)
            );
            return Err(self
                .refuse(
                    Some(tx),
                    actor,
                    AuditAction::Update,
                    RESOURCE,
                    Some(id),
                    message,
                )
                .await);
        }
        if found.cancelled_at.is_some() {
            return Err(AppError::Duplicate(
                "This shift is already cancelled.".to_owned(),
            ));
        }
        tx.cancel_shift(id, version, self.now()).await?;
        self.audit_administration(
            &mut tx,
            actor,
            AuditAction::Update,
            (RESOURCE, id, version + 1),
        )
        .await?;
        tx.commit().await?;
        self.rota.forget();
        Ok(())
    }

    /// A local date and time as typed (`2026-11-21T09:00` or `2026-11-21 09:00`) as an instant
    /// in the deployment's time zone.
    fn local_instant(
        &self,
        field: &'static str,
        what: &str,
        value: &str,
    ) -> Result<Timestamp, AppError> {
        let invalid = || {
            ValidationError::new(
                field,
                format!("Enter the {what} as a date and time, for example 2026-11-21 09:00."),
            )
        };
        let civil: DateTime = value
            .trim()
            .replacen(' ', "T", 1)
            .parse()
            .map_err(|_| invalid())?;
        Ok(civil
            .to_zoned(self.config.time_zone.clone())
            .map_err(|_| invalid())?
            .timestamp())
    }
}
