//! A small region for tests: two GP practices, a clinician in each, an administrator and a
//! service manager, and a patient of the first practice — made through the app's own use cases.

use hearth_app::{Actor, App, NewUser, NewUserRole};
use hearth_domain::organisation::{NewOrganisation, Organisation};
use hearth_domain::patient::{NewPatient, Patient};

/// Email and password of a test user.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

pub struct Fixture {
    pub practice: Organisation,
    pub other_practice: Organisation,
    /// A GP at `practice`.
    pub gp: Credentials,
    pub gp_actor: Actor,
    /// A district nurse whose only organisation is `other_practice`.
    pub outsider: Credentials,
    /// An administrator at `practice` (not a clinician).
    pub admin: Credentials,
    /// A service manager at `practice` (not a clinician).
    pub manager: Credentials,
    /// A patient whose care involves `practice` only.
    pub patient: Patient,
}

pub const PASSWORD: &str = "correct horse battery";

async fn organisation(app: &App, name: &str) -> Organisation {
    app.create_organisation(NewOrganisation {
        name: name.into(),
        kind: "gp-practice".into(),
        area: "Ashby".into(),
        phone: "01632 960 111".into(),
        part_of: None,
    })
    .await
    .unwrap()
}

async fn user(app: &App, email: &str, org: &Organisation, profession: &str) -> Credentials {
    app.create_user(NewUser {
        email: email.into(),
        password: PASSWORD.into(),
        given_name: "Test".into(),
        family_name: profession.into(),
        roles: vec![NewUserRole {
            organisation_id: org.id.clone(),
            profession: profession.into(),
            phone: String::new(),
        }],
    })
    .await
    .unwrap();
    Credentials {
        email: email.into(),
        password: PASSWORD.into(),
    }
}

/// A valid new patient with the given names and NHS number.
pub fn new_patient(given: &str, family: &str, nhs_number: &str) -> NewPatient {
    NewPatient {
        national_number: nhs_number.into(),
        given_name: given.into(),
        family_name: family.into(),
        date_of_birth: "1941-03-09".into(),
        sex: "female".into(),
        main_diagnosis: "Heart failure (NYHA class IV)".into(),
        address_line: "4 Mill Lane".into(),
        town: "Ashby".into(),
        postcode: "QX3 4AB".into(),
        area: "Ashby".into(),
        ..Default::default()
    }
}

impl Fixture {
    /// The GP joins the patient's care team in person (and, as its first person, coordinates).
    pub async fn gp_joins_the_team(&self, app: &App) -> hearth_domain::care_team::CareTeamMember {
        app.add_care_team_member(
            &self.gp_actor,
            &self.patient.id,
            hearth_domain::care_team::NewMember {
                member: format!("practitioner:{}", self.gp_actor.practitioner_id),
                role: "gp".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("the GP could not join the care team: {e}"))
    }

    pub async fn create(app: &App) -> Fixture {
        let practice = organisation(app, "Riverside Medical Practice").await;
        let other_practice = organisation(app, "Market Street Surgery").await;
        let gp = user(app, "gp@test.example", &practice, "gp").await;
        let outsider = user(app, "nurse@test.example", &other_practice, "district-nurse").await;
        let admin = user(app, "admin@test.example", &practice, "administrator").await;
        let manager = user(app, "manager@test.example", &practice, "service-manager").await;
        let gp_actor = app.sign_in(&gp.email, &gp.password).await.unwrap().actor;
        let patient = app
            .create_patient(&gp_actor, new_patient("Edith", "Carter", "943 476 5919"))
            .await
            .unwrap();
        Fixture {
            practice,
            other_practice,
            gp,
            gp_actor,
            outsider,
            admin,
            manager,
            patient,
        }
    }
}
