//! Synthetic patients: deterministic for a seed, with plausible names, ages (mostly over 65),
//! cancer and non-cancer diagnoses, urban and rural addresses, and the organisations involved.

use hearth_domain::care_team::{CareTeamMember, Handover};
use hearth_domain::national_number::nhs_check_digit;
use hearth_domain::patient::{Address, Identifier, Patient, Sex};
use hearth_domain::register::{DiagnosisGroup, RegisterEntry};
use hearth_domain::{OrganisationId, PatientId, PractitionerId};
use jiff::Timestamp;
use jiff::civil::Date;

use super::names::{
    Applies, DIAGNOSES, Diagnosis, FAMILY, FEMALE_GIVEN, MALE_GIVEN, RURAL_STREETS, TOWNS,
    URBAN_STREETS,
};

/// The organisation ids the generator assigns patients to, looked up once.
pub struct Assignments {
    /// GP practices, each with the GP who identifies its patients for the register.
    pub urban_practices: Vec<(OrganisationId, PractitionerId)>,
    pub rural_practices: Vec<(OrganisationId, PractitionerId)>,
    pub urban_nursing: OrganisationId,
    pub rural_nursing: OrganisationId,
    /// Hospital departments by key: oncology, respiratory, cardiology, acute.
    pub departments: Vec<(&'static str, OrganisationId)>,
    pub hospital_pct: OrganisationId,
    pub community_spc: OrganisationId,
    pub hospice: OrganisationId,
    pub urban_care_home: (OrganisationId, &'static str),
    pub rural_care_home: (OrganisationId, &'static str),
    /// The person each organisation names in its patients' care teams.
    pub staff: super::team::TeamStaff,
}

/// A demo patient with everything recorded about them.
pub struct DemoPatient {
    pub patient: Patient,
    pub entry: RegisterEntry,
    pub team: Vec<CareTeamMember>,
    pub handover: Option<Handover>,
}

/// Makes patients one at a time from a seeded random source.
pub struct PatientGenerator<'a> {
    rng: fastrand::Rng,
    assignments: &'a Assignments,
    system_uri: String,
    today: Date,
    now: Timestamp,
    next_number: u64,
    diagnosis_total: u32,
    female_given: Vec<&'static str>,
    male_given: Vec<&'static str>,
    family: Vec<&'static str>,
    urban_streets: Vec<&'static str>,
    rural_streets: Vec<&'static str>,
}

/// The first nine digits of the first NHS number handed out: 999 000 000 is the start of the
/// range reserved for test data.
const FIRST_NHS_STEM: u64 = 999_000_000;

/// The time part of the first demo patient's id (1 January 2026, UTC).
const DEMO_ID_EPOCH_MILLIS: u64 = 1_767_225_600_000;

impl<'a> PatientGenerator<'a> {
    pub fn new(
        seed: u64,
        assignments: &'a Assignments,
        system_uri: &str,
        today: Date,
        now: Timestamp,
    ) -> Self {
        Self {
            rng: fastrand::Rng::with_seed(seed),
            assignments,
            system_uri: system_uri.to_owned(),
            today,
            now,
            next_number: FIRST_NHS_STEM,
            diagnosis_total: DIAGNOSES.iter().map(|d| d.weight).sum(),
            female_given: FEMALE_GIVEN.split('|').collect(),
            male_given: MALE_GIVEN.split('|').collect(),
            family: FAMILY.split('|').collect(),
            urban_streets: URBAN_STREETS.split('|').collect(),
            rural_streets: RURAL_STREETS.split('|').collect(),
        }
    }

    /// A random UUID from the seeded source, so that ids are deterministic too.
    pub fn uuid(rng: &mut fastrand::Rng) -> String {
        let bytes: [u8; 16] = std::array::from_fn(|_| rng.u8(..));
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }

    /// The id of the next patient: a version 7 UUID whose time part counts up patient by patient,
    /// so that a million patients are appended to the primary-key indexes in order instead of at
    /// random places (which dirties far more pages per transaction). The rest is random from the
    /// seed.
    fn patient_uuid(&mut self) -> String {
        let random: [u8; 10] = std::array::from_fn(|_| self.rng.u8(..));
        let millis = DEMO_ID_EPOCH_MILLIS + self.next_number - FIRST_NHS_STEM;
        uuid::Builder::from_unix_timestamp_millis(millis, &random)
            .into_uuid()
            .to_string()
    }

    /// The next valid NHS number in the test range.
    fn nhs_number(&mut self) -> String {
        loop {
            let stem = self.next_number;
            self.next_number += 1;
            let digits: Vec<u32> = stem
                .to_string()
                .bytes()
                .map(|b| u32::from(b - b'0'))
                .collect();
            if let Some(check) = nhs_check_digit(&digits) {
                return format!("{stem}{check}");
            }
        }
    }

    fn percent(&mut self, p: u32) -> bool {
        self.rng.u32(..100) < p
    }

    /// A main diagnosis fitting the person's sex (drawn again when it does not fit).
    fn diagnosis(&mut self, sex: Sex) -> &'static Diagnosis {
        loop {
            let mut roll = self.rng.u32(..self.diagnosis_total);
            for diagnosis in DIAGNOSES {
                if roll < diagnosis.weight {
                    let fits = match diagnosis.applies {
                        Applies::Anyone => true,
                        Applies::Female => sex == Sex::Female,
                        Applies::Male => sex == Sex::Male,
                    };
                    if fits {
                        return diagnosis;
                    }
                    break;
                }
                roll -= diagnosis.weight;
            }
        }
    }

    fn date_of_birth(&mut self) -> Date {
        // Most people on a palliative care register are old; a fifth are younger adults.
        let age = if self.percent(80) {
            self.rng.i16(65..=98)
        } else {
            self.rng.i16(32..=64)
        };
        let year = self.today.year() - age;
        let day_of_year = self.rng.i16(1..=365);
        Date::new(year, 1, 1)
            .ok()
            .and_then(|d| {
                d.checked_add(jiff::Span::new().days(i64::from(day_of_year - 1)))
                    .ok()
            })
            .filter(|d| *d <= self.today)
            .unwrap_or(self.today)
    }

    /// One new patient.
    /// One new patient, their register entry and care team.
    pub fn next_patient(&mut self) -> DemoPatient {
        let a = self.assignments;
        let sex = if self.percent(52) {
            Sex::Female
        } else {
            Sex::Male
        };
        let given = match sex {
            Sex::Female => pick(&mut self.rng, &self.female_given),
            _ => pick(&mut self.rng, &self.male_given),
        };
        let family = pick(&mut self.rng, &self.family);
        let (town, area, rural_town) = if self.percent(60) {
            pick(&mut self.rng, &TOWNS[..3])
        } else {
            pick(&mut self.rng, &TOWNS[3..])
        };
        let rural = rural_town && self.percent(85);
        let diagnosis = self.diagnosis(sex);
        let department = diagnosis.department;
        let is_cancer = diagnosis.group == DiagnosisGroup::Cancer;
        let frail = diagnosis.group == DiagnosisGroup::FrailtyDementia;

        let mut organisations = Vec::with_capacity(5);
        let (practices, nursing, care_home) = if rural_town {
            (&a.rural_practices, &a.rural_nursing, &a.rural_care_home)
        } else {
            (&a.urban_practices, &a.urban_nursing, &a.urban_care_home)
        };
        let (practice, gp) = practices[self.rng.usize(..practices.len())].clone();
        organisations.push(practice.clone());
        let in_care_home = self.percent(if frail { 35 } else { 5 });
        if in_care_home {
            organisations.push(care_home.0.clone());
        } else if self.percent(75) {
            organisations.push(nursing.clone());
        }
        if self.percent(if is_cancer { 80 } else { 40 })
            && let Some((_, id)) = a.departments.iter().find(|(key, _)| *key == department)
        {
            organisations.push(id.clone());
        }
        if self.percent(if is_cancer { 55 } else { 20 }) {
            organisations.push(if rural_town {
                a.community_spc.clone()
            } else {
                a.hospital_pct.clone()
            });
        }
        if self.percent(if is_cancer { 20 } else { 5 }) {
            organisations.push(a.hospice.clone());
        }
        organisations.sort();
        organisations.dedup();

        let address_line = if in_care_home {
            care_home.1.to_owned()
        } else {
            let street = if rural {
                pick(&mut self.rng, &self.rural_streets)
            } else {
                pick(&mut self.rng, &self.urban_streets)
            };
            format!("{} {street}", self.rng.u16(1..=180))
        };
        let district = if rural_town { 7 } else { 3 };
        let postcode = format!(
            "QX{district} {}{}{}",
            self.rng.u8(1..=9),
            char::from(b'A' + self.rng.u8(..26)),
            char::from(b'A' + self.rng.u8(..26))
        );
        let travel = if rural {
            self.rng.u16(30..=95)
        } else {
            self.rng.u16(8..=25)
        };

        let patient = Patient {
            id: PatientId::new(self.patient_uuid()),
            national_number: Identifier {
                system: self.system_uri.clone(),
                value: self.nhs_number(),
            },
            given_name: given.to_owned(),
            family_name: family.to_owned(),
            date_of_birth: self.date_of_birth(),
            sex,
            main_diagnosis: Some(diagnosis.name.to_owned()),
            address: Address {
                line: address_line,
                town: town.to_owned(),
                postcode: Some(postcode),
            },
            area: Some(area.to_owned()),
            rural,
            travel_minutes_to_hospital: Some(travel),
            organisations,
            created_at: self.now,
            updated_at: self.now,
            version: 1,
        };
        let entry = super::register::entry_for(
            &mut self.rng,
            &patient,
            diagnosis,
            (practice.clone(), gp.clone()),
            self.today,
            self.now,
        );
        // Member and handover ids sort with the patient's, for the same reason as patient ids.
        let millis = DEMO_ID_EPOCH_MILLIS + self.next_number - FIRST_NHS_STEM;
        let id = |rng: &mut fastrand::Rng| {
            let random: [u8; 10] = std::array::from_fn(|_| rng.u8(..));
            uuid::Builder::from_unix_timestamp_millis(millis, &random)
                .into_uuid()
                .to_string()
        };
        let (team, handover) = super::team::team_for(
            &mut self.rng,
            &patient,
            (&practice, &gp),
            &a.staff,
            id,
            (entry.identified_on, self.today, self.now),
        );
        DemoPatient {
            patient,
            entry,
            team,
            handover,
        }
    }
}

/// One of `items`, chosen at random (the lists are never empty).
fn pick<T: Copy>(rng: &mut fastrand::Rng, items: &[T]) -> T {
    items[rng.usize(..items.len())]
}
