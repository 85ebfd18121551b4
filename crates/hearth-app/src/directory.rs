//! The directory: the services and people of the region, and who gives specialist palliative
//! care advice now and next. It holds no patient data, so every signed-in user may read it and
//! reading it is not audited.

use hearth_domain::PractitionerId;
use hearth_domain::on_call::OnCallShift;
use hearth_domain::organisation::Organisation;
use hearth_store::Tx;
use jiff::Timestamp;

use crate::{Actor, App, AppError};

/// A shift of the advice rota, with names for display.
#[derive(Debug, Clone)]
pub struct OnCallView {
    pub shift: OnCallShift,
    pub name: String,
    pub service: String,
    /// Whether the shift covers the moment the view was made.
    pub now: bool,
}

/// A person in the directory, in one of their roles.
#[derive(Debug, Clone)]
pub struct DirectoryPerson {
    pub id: PractitionerId,
    pub name: String,
    pub profession: String,
    pub organisation: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub competencies: Vec<&'static str>,
    pub working_pattern: Option<String>,
}

/// The directory page's content.
#[derive(Debug, Clone)]
pub struct Directory {
    pub on_call: Vec<OnCallView>,
    pub organisations: Vec<Organisation>,
    pub people: Vec<DirectoryPerson>,
}

/// Shifts shown: the current one(s) and the next few.
const ROTA_AHEAD: u32 = 4;

impl App {
    /// The directory, filtered by a typed name (of a person or service), and the advice rota.
    pub async fn directory(&self, _actor: &Actor, search: &str) -> Result<Directory, AppError> {
        let needle = search.trim().to_lowercase();
        let mut tx = self.store.begin_read().await?;
        let on_call = on_call(&mut tx, self.now()).await?;
        let organisations: Vec<Organisation> = tx
            .all_organisations()
            .await?
            .into_iter()
            .filter(|o| needle.is_empty() || o.name.to_lowercase().contains(&needle))
            .collect();
        let people = tx
            .practitioner_directory()
            .await?
            .into_iter()
            .filter(|entry| {
                needle.is_empty()
                    || entry.name.to_lowercase().contains(&needle)
                    || entry.organisation_name.to_lowercase().contains(&needle)
            })
            .map(|entry| DirectoryPerson {
                id: entry.role.practitioner_id,
                name: entry.name,
                profession: entry.role.profession.label().to_owned(),
                organisation: entry.organisation_name,
                phone: entry.role.phone,
                email: entry.role.email,
                competencies: entry.role.competencies.iter().map(|c| c.label()).collect(),
                working_pattern: entry.role.working_pattern,
            })
            .collect();
        Ok(Directory {
            on_call,
            organisations,
            people,
        })
    }
}

/// The advice rota from `now`: shifts covering it first, then the next ones.
pub(crate) async fn on_call(tx: &mut Tx, now: Timestamp) -> Result<Vec<OnCallView>, AppError> {
    let shifts = tx.on_call_from(now, ROTA_AHEAD).await?;
    let people: Vec<PractitionerId> = shifts.iter().map(|s| s.practitioner_id.clone()).collect();
    let services: Vec<_> = shifts.iter().map(|s| s.organisation_id.clone()).collect();
    let names = tx.practitioner_names(&people).await?;
    let organisations = tx.organisations_by_ids(&services).await?;
    Ok(shifts
        .into_iter()
        .map(|shift| OnCallView {
            name: names
                .get(&shift.practitioner_id)
                .cloned()
                .unwrap_or_else(|| "Unknown".to_owned()),
            service: organisations
                .iter()
                .find(|o| o.id == shift.organisation_id)
                .map_or_else(String::new, |o| o.name.clone()),
            now: shift.covers(now),
            shift,
        })
        .collect())
}
