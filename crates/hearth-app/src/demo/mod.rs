//! The demo region: a realistic, synthetic, deterministic region written into an empty database,
//! for newcomers (`hearth serve --demo`) and for benchmarks (`hearth demo --patients N`). Patients
//! are written in large batches, one transaction each, so a million take well under two minutes.

mod conversations;
mod details;
mod meetings;
mod names;
mod needs;
mod people;
mod plan;
mod region;
mod register;
mod rota;
mod team;
mod transitions;

use hearth_domain::audit::{AccessBasis, AuditAction, AuditOutcome, AuditRecord};
use hearth_domain::care_team::CareTeamRole;
use hearth_domain::national_number::NationalNumberScheme;
use hearth_domain::organisation::Organisation;
use hearth_domain::practitioner::{Practitioner, PractitionerRole, Profession};
use hearth_domain::user::{AccountStatus, Email, UserAccount};
use hearth_domain::{OrganisationId, PatientId, PractitionerId, PractitionerRoleId, UserId};

use crate::{App, AppError, passwords};
use people::{Assignments, PatientGenerator};
pub use region::DEMO_PASSWORD;

/// Patients written per transaction.
const BATCH: u64 = 100_000;

/// How big a region to make.
#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    pub patients: u64,
    pub seed: u64,
}

/// A demo account: its role in words, email and password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSignIn {
    pub role: &'static str,
    pub email: String,
    pub password: &'static str,
}

/// What was made.
#[derive(Debug, Clone)]
pub struct DemoReport {
    pub organisations: usize,
    pub practitioners: usize,
    pub patients: u64,
    pub sign_ins: Vec<DemoSignIn>,
}

impl App {
    /// Whether the database holds no organisations yet (a new installation).
    pub async fn is_empty(&self) -> Result<bool, AppError> {
        let mut tx = self.store.begin_read().await?;
        Ok(tx.count_organisations().await? == 0)
    }

    /// The demo accounts, as `create_demo_region` makes them (for printing on later starts).
    pub fn demo_sign_ins(&self) -> Vec<DemoSignIn> {
        region::STAFF
            .iter()
            .filter_map(|s| {
                s.sign_in.map(|role| DemoSignIn {
                    role,
                    email: region::demo_email(s),
                    password: DEMO_PASSWORD,
                })
            })
            .collect()
    }

    /// Writes one batch of demo patients with their register entries and care teams in one
    /// transaction.
    async fn write_demo_patients(
        &self,
        made: &[people::DemoPatient],
        plans: &[hearth_domain::care_plan::SectionVersion],
    ) -> Result<(), AppError> {
        let mut tx = self.store.begin_write().await?;
        // The register list is built once, after the last batch.
        tx.defer_register_list();
        let patients: Vec<_> = made.iter().map(|m| m.patient.clone()).collect();
        tx.insert_patients_bulk(&patients).await?;
        let entries: Vec<_> = made.iter().map(|m| (&m.entry, &m.patient)).collect();
        tx.insert_register_entries(&entries).await?;
        let members: Vec<_> = made.iter().flat_map(|m| m.team.iter().cloned()).collect();
        tx.insert_care_team_members(&members).await?;
        for handover in made.iter().filter_map(|m| m.handover.as_ref()) {
            tx.insert_handover(handover).await?;
        }
        for version in plans {
            tx.insert_section_version(version).await?;
        }
        let mut by_patient: std::collections::BTreeMap<
            &PatientId,
            Vec<&hearth_domain::care_plan::Content>,
        > = std::collections::BTreeMap::new();
        for version in plans {
            by_patient
                .entry(&version.patient_id)
                .or_default()
                .push(&version.content);
        }
        for (patient, sections) in by_patient {
            let missing = hearth_domain::care_plan::readiness(sections, true);
            tx.set_plan_missing(patient, &hearth_domain::care_plan::missing_codes(&missing))
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Writes the demo region into an empty database. `progress` is called after each batch
    /// with (patients written, patients asked for).
    pub async fn create_demo_region(
        &self,
        options: DemoOptions,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<DemoReport, AppError> {
        if self.config.national_number_system.scheme != NationalNumberScheme::NhsNumber {
            return Err(AppError::Internal(
                "the demo region uses NHS numbers; start it with the NHS numbering system"
                    .to_owned(),
            ));
        }
        if !self.is_empty().await? {
            return Err(AppError::Duplicate(
                "The database already holds organisations; the demo region is only written into an empty database."
                    .to_owned(),
            ));
        }
        let now = self.now();
        let mut rng = fastrand::Rng::with_seed(options.seed);
        let mut id = || PatientGenerator::uuid(&mut rng);

        let mut partnership = None;
        let organisations: Vec<(&str, Organisation)> = region::ORGANISATIONS
            .iter()
            .map(|spec| {
                let org = Organisation {
                    id: OrganisationId::new(id()),
                    name: spec.name.to_owned(),
                    kind: spec.kind,
                    area: Some(spec.area.to_owned()),
                    part_of: partnership.clone(),
                    phone: Some(spec.phone.to_owned()),
                    details: details::service(spec.key, spec.area),
                    created_at: now,
                    updated_at: now,
                    version: 1,
                };
                if spec.key == region::PARTNERSHIP {
                    partnership = Some(org.id.clone());
                }
                (spec.key, org)
            })
            .collect();
        let org_id = |key: &str| -> Result<OrganisationId, AppError> {
            organisations
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, o)| o.id.clone())
                .ok_or_else(|| {
                    AppError::Internal(format!("demo organisation {key} is not defined"))
                })
        };

        // Every demo account shares one password, so it is hashed once.
        let password_hash = passwords::hash(DEMO_PASSWORD.to_owned()).await?;
        let mut tx = self.store.begin_write().await?;
        for (_, org) in &organisations {
            tx.insert_organisation(org).await?;
        }
        let mut sign_ins = Vec::new();
        // The people behind the demo sign-ins, so that the demo conversations are theirs.
        let mut signed_in_people: Vec<(&str, PractitionerId)> = Vec::new();
        // Their roles, to invite them to the demo meetings.
        let mut signed_in_roles: Vec<(&str, hearth_domain::meeting::Participant)> = Vec::new();
        let mut gps: Vec<(&str, PractitionerId)> = Vec::new();
        let mut named: Vec<(&str, PractitionerId, CareTeamRole)> = Vec::new();
        let mut everyone: Vec<(&str, PractitionerId)> = Vec::new();
        for (n, spec) in region::STAFF.iter().enumerate() {
            let practitioner = Practitioner {
                id: PractitionerId::new(id()),
                given_name: spec.given.to_owned(),
                family_name: spec.family.to_owned(),
                created_at: now,
                updated_at: now,
                version: 1,
            };
            tx.insert_practitioner(&practitioner).await?;
            everyone.push((spec.family, practitioner.id.clone()));
            if spec.profession == Profession::GeneralPractitioner {
                gps.push((spec.organisation, practitioner.id.clone()));
            }
            // The first clinician of each organisation is named in its patients' care teams.
            if spec.profession.is_clinical()
                && !named.iter().any(|(key, _, _)| *key == spec.organisation)
            {
                named.push((
                    spec.organisation,
                    practitioner.id.clone(),
                    team::role_of(spec.profession),
                ));
            }
            let email = region::demo_email(spec);
            let (competencies, working_pattern) = details::person(spec.profession);
            let role = PractitionerRole {
                id: PractitionerRoleId::new(id()),
                practitioner_id: practitioner.id.clone(),
                organisation_id: org_id(spec.organisation)?,
                profession: spec.profession,
                specialist: spec.profession.is_palliative_specialist(),
                phone: Some(format!("07700 900 {:03}", 100 + n)),
                email: Some(email.clone()),
                competencies,
                working_pattern,
                created_at: now,
                updated_at: now,
                version: 1,
            };
            tx.insert_practitioner_role(&role).await?;
            if let (Some(sign_in), Some((_, org))) = (
                spec.sign_in,
                organisations.iter().find(|(k, _)| *k == spec.organisation),
            ) {
                signed_in_roles.push((
                    sign_in,
                    hearth_domain::meeting::Participant::in_role(&role, org.kind, true),
                ));
            }
            if let Some(role) = spec.sign_in {
                let account = UserAccount {
                    id: UserId::new(id()),
                    email: Email::parse(&email)?,
                    practitioner_id: practitioner.id.clone(),
                    status: AccountStatus::Active,
                    created_at: now,
                    updated_at: now,
                    version: 1,
                };
                tx.insert_user(&account, &password_hash).await?;
                signed_in_people.push((role, practitioner.id.clone()));
                sign_ins.push(DemoSignIn {
                    role,
                    email,
                    password: DEMO_PASSWORD,
                });
            }
        }
        for (n, (family, organisation, profession)) in region::SECOND_ROLES.iter().enumerate() {
            let practitioner = everyone
                .iter()
                .find(|(name, _)| name == family)
                .map(|(_, id)| id.clone())
                .ok_or_else(|| AppError::Internal(format!("demo staff {family} is not defined")))?;
            let (competencies, working_pattern) = details::person(*profession);
            tx.insert_practitioner_role(&PractitionerRole {
                id: PractitionerRoleId::new(id()),
                practitioner_id: practitioner,
                organisation_id: org_id(organisation)?,
                profession: *profession,
                specialist: profession.is_palliative_specialist(),
                phone: Some(format!("07700 900 {:03}", 300 + n)),
                email: None,
                competencies,
                working_pattern,
                created_at: now,
                updated_at: now,
                version: 1,
            })
            .await?;
        }
        // A week of the specialist advice rota.
        let person = |family: &str| -> Result<PractitionerId, AppError> {
            everyone
                .iter()
                .find(|(name, _)| *name == family)
                .map(|(_, id)| id.clone())
                .ok_or_else(|| AppError::Internal(format!("demo staff {family} is not defined")))
        };
        let rota = rota::RotaStaff {
            day: (
                org_id("hospital-pct")?,
                [person("Jameson")?, person("Munro")?],
                "01632 960 401",
            ),
            night: (
                org_id("hospice")?,
                [person("Marsh")?, person("Pike")?],
                "01632 960 403",
            ),
        };
        let shifts = rota::week(&rota, self.today(), &self.config.time_zone, now, || {
            PatientGenerator::uuid(&mut rng)
        });
        tx.insert_on_call_shifts(&shifts).await?;
        tx.append_audit(&AuditRecord {
            at: now,
            user_id: None,
            acting_organisation_id: None,
            patient_id: None,
            action: AuditAction::Create,
            resource_type: "Bundle",
            resource_id: None,
            resource_version: None,
            basis: AccessBasis::Administration,
            outcome: AuditOutcome::Allowed,
            detail: Some(format!(
                "demo region created: {} synthetic patients, seed {}",
                options.patients, options.seed
            )),
        })
        .await?;
        tx.commit().await?;

        // Each practice with its first GP, who identifies the practice's patients.
        let practice = |key: &str| -> Result<(OrganisationId, PractitionerId), AppError> {
            let gp = gps
                .iter()
                .find(|(org, _)| *org == key)
                .map(|(_, id)| id.clone())
                .ok_or_else(|| AppError::Internal(format!("demo practice {key} has no GP")))?;
            Ok((org_id(key)?, gp))
        };
        let assignments = Assignments {
            urban_practices: vec![
                practice("riverside")?,
                practice("market-street")?,
                practice("brookford")?,
            ],
            rural_practices: vec![practice("fellside-gp")?, practice("kirkby-dale")?],
            urban_nursing: org_id("ashby-dn")?,
            rural_nursing: org_id("fellside-cn")?,
            departments: vec![
                ("oncology", org_id("oncology")?),
                ("respiratory", org_id("respiratory")?),
                ("cardiology", org_id("cardiology")?),
                ("acute", org_id("acute")?),
            ],
            hospital_pct: org_id("hospital-pct")?,
            community_spc: org_id("community-spc")?,
            hospice: org_id("hospice")?,
            staff: named
                .iter()
                .map(|(key, person, role)| Ok((org_id(key)?, person.clone(), *role)))
                .collect::<Result<_, AppError>>()?,
            urban_care_home: (org_id("hawthorn")?, "Hawthorn House, 2 Orchard Close"),
            rural_care_home: (org_id("moorview")?, "Moorview Nursing Home, Tarn Road"),
        };
        let system_uri = self.config.national_number_system.system_uri.clone();
        let mut generator =
            PatientGenerator::new(options.seed, &assignments, &system_uri, self.today(), now);
        // A million patients load several times faster when the secondary indexes are built
        // once at the end instead of row by row (the database is new and empty, see above).
        let suspended = self
            .store
            .suspend_indexes(&[
                "patients",
                "patient_organisations",
                "register_entries",
                "care_team_members",
            ])
            .await?;
        let mut written = 0;
        let mut scenario_patients: Vec<people::DemoPatient> = Vec::new();
        let loaded = async {
            while written < options.patients {
                let n = BATCH.min(options.patients - written);
                let made: Vec<_> = (0..n).map(|_| generator.next_patient()).collect();
                let plans: Vec<_> = made
                    .iter()
                    .zip(written..)
                    .take_while(|(_, index)| *index < plan::PLANNED_PATIENTS)
                    .flat_map(|(m, index)| {
                        plan::plan_for(options.seed, index, m, (self.today(), now))
                    })
                    .collect();
                self.write_demo_patients(&made, &plans).await?;
                if written == 0 {
                    // The scenarios use the first batch's patients of the demo sign-ins; they
                    // are written once the indexes are back (their reads would scan).
                    let signed_in: Vec<hearth_domain::care_team::Member> = signed_in_people
                        .iter()
                        .map(|(_, id)| hearth_domain::care_team::Member::Practitioner(id.clone()))
                        .collect();
                    scenario_patients = made
                        .into_iter()
                        .filter(|m| m.team.iter().any(|t| signed_in.contains(&t.member)))
                        .collect();
                }
                written += n;
                progress(written, options.patients);
            }
            Ok::<(), AppError>(())
        }
        .await;
        // The indexes come back even when the load failed half-way.
        self.store.restore_indexes(suspended).await?;
        loaded?;
        // What follows reads the loaded tables patient by patient: without statistics,
        // PostgreSQL plans each of those reads as a parallel scan of the whole table (at a
        // million patients, hours instead of minutes).
        self.store.analyze().await?;
        {
            let made: &[people::DemoPatient] = &scenario_patients;
            let mut tx = self.store.begin_write().await?;
            let person = |role: &str| {
                signed_in_people
                    .iter()
                    .find(|(r, _)| *r == role)
                    .map(|(_, id)| id.clone())
            };
            if let (Some(gp), Some(nurse)) = (person("gp"), person("district-nurse")) {
                conversations::write(
                    &mut tx,
                    self.ids.as_ref(),
                    (made, (&gp, &nurse)),
                    now,
                    |t| self.local_time(t),
                )
                .await?;
            }
            meetings::write(&mut tx, self.ids.as_ref(), &signed_in_roles, now).await?;
            if let (Some(ward), Some(nurse)) =
                (person("discharge-coordinator"), person("district-nurse"))
            {
                let hospital = org_id("acute")?;
                let cast = transitions::Cast {
                    ward: &ward,
                    nurse: &nurse,
                    hospital: &hospital,
                };
                transitions::write(&mut tx, self.ids.as_ref(), made, &cast, now).await?;
            }
            if let (Some(gp), Some(nurse), Some(specialist)) = (
                person("gp"),
                person("district-nurse"),
                person("specialist-nurse"),
            ) {
                let service = org_id("hospital-pct")?;
                let hospice = org_id("hospice")?;
                let night = everyone
                    .iter()
                    .find(|(family, _)| *family == "Marsh")
                    .map_or_else(|| specialist.clone(), |(_, id)| id.clone());
                let cast = needs::Cast {
                    gp: &gp,
                    nurse: &nurse,
                    specialist: &specialist,
                    specialist_service: &service,
                    night: &night,
                    night_service: &hospice,
                    time_zone: &self.config.time_zone,
                    public_holidays: &self.config.public_holidays,
                };
                needs::write(&mut tx, self.ids.as_ref(), made, &cast, now).await?;
            }
            tx.commit().await?;
        }
        let suspended = self.store.suspend_indexes(&["register_list"]).await?;
        let built = self.store.rebuild_register_list().await;
        self.store.restore_indexes(suspended).await?;
        built?;
        self.store.rebuild_plan_snapshots().await?;
        self.store.analyze().await?;
        Ok(DemoReport {
            organisations: organisations.len(),
            practitioners: region::STAFF.len(),
            patients: written,
            sign_ins,
        })
    }
}

impl App {
    /// Appends `records` synthetic audit records (staff opening register pages and patient
    /// records over past weeks) to the audit trail, 50,000 per transaction, chained like any
    /// other. For demonstrations and for benchmarking `hearth audit verify` at scale; ids are
    /// random, so the records name nobody.
    pub async fn write_demo_audit_history(&self, records: u64, seed: u64) -> Result<(), AppError> {
        const PER_TRANSACTION: u64 = 50_000;
        let mut rng = fastrand::Rng::with_seed(seed ^ 0x000A_0D17);
        let users: Vec<UserId> = (0..40)
            .map(|_| UserId::new(PatientGenerator::uuid(&mut rng)))
            .collect();
        let organisations: Vec<OrganisationId> = (0..12)
            .map(|_| OrganisationId::new(PatientGenerator::uuid(&mut rng)))
            .collect();
        let start = self.now().as_millisecond() - 90 * 24 * 3_600_000;
        let mut written = 0;
        while written < records {
            let n = PER_TRANSACTION.min(records - written);
            let mut tx = self.store.begin_write().await?;
            for k in 0..n {
                let step = i64::try_from(written + k).unwrap_or(i64::MAX);
                let at = jiff::Timestamp::from_millisecond(start + step.saturating_mul(50))
                    .unwrap_or_else(|_| self.now());
                let read = rng.u8(0..10) < 7;
                let record = AuditRecord {
                    at,
                    user_id: Some(users[rng.usize(0..users.len())].clone()),
                    acting_organisation_id: Some(
                        organisations[rng.usize(0..organisations.len())].clone(),
                    ),
                    patient_id: read.then(|| PatientId::new(PatientGenerator::uuid(&mut rng))),
                    action: if read {
                        AuditAction::Read
                    } else {
                        AuditAction::Search
                    },
                    resource_type: "Patient",
                    resource_id: None,
                    resource_version: None,
                    basis: AccessBasis::OrganisationInvolved,
                    outcome: AuditOutcome::Allowed,
                    detail: (!read)
                        .then(|| format!("register page {}: 50 patients listed", rng.u8(0..20))),
                };
                tx.append_audit(&record).await?;
            }
            tx.commit().await?;
            written += n;
        }
        Ok(())
    }
}
