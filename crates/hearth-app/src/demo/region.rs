//! The organisations and staff of the demo region: two areas (the market town of Ashby and the
//! rural dales of Fellside), their GP practices and community nursing teams, a district general
//! hospital with oncology and a palliative care team, a hospice, care homes and an out-of-hours
//! service — every kind of service and every profession Hearth is built for.

use hearth_domain::organisation::OrganisationKind;
use hearth_domain::practitioner::Profession;

/// An organisation of the demo region. `key` names it within this file.
pub struct OrganisationSpec {
    pub key: &'static str,
    pub name: &'static str,
    pub kind: OrganisationKind,
    pub area: &'static str,
    pub phone: &'static str,
}

use OrganisationKind as K;

/// The umbrella organisation every other one is part of: its administrator and service manager
/// look after the whole region. Listed first, so that its id exists before the others name it.
pub const PARTNERSHIP: &str = "partnership";

pub const ORGANISATIONS: &[OrganisationSpec] = &[
    OrganisationSpec {
        key: PARTNERSHIP,
        name: "Ashby and Fellside Palliative Care Partnership",
        kind: K::Partnership,
        area: "Ashby and Fellside",
        phone: "01632 960 001",
    },
    OrganisationSpec {
        key: "riverside",
        name: "Riverside Medical Practice",
        kind: K::GpPractice,
        area: "Ashby",
        phone: "01632 960 101",
    },
    OrganisationSpec {
        key: "market-street",
        name: "Market Street Surgery",
        kind: K::GpPractice,
        area: "Ashby",
        phone: "01632 960 102",
    },
    OrganisationSpec {
        key: "brookford",
        name: "Brookford Health Centre",
        kind: K::GpPractice,
        area: "Ashby",
        phone: "01632 960 103",
    },
    OrganisationSpec {
        key: "fellside-gp",
        name: "Fellside Group Practice",
        kind: K::GpPractice,
        area: "Fellside",
        phone: "01632 960 104",
    },
    OrganisationSpec {
        key: "kirkby-dale",
        name: "Kirkby Dale Surgery",
        kind: K::GpPractice,
        area: "Fellside",
        phone: "01632 960 105",
    },
    OrganisationSpec {
        key: "ashby-dn",
        name: "Ashby District Nursing Team",
        kind: K::HomeCare,
        area: "Ashby",
        phone: "01632 960 201",
    },
    OrganisationSpec {
        key: "fellside-cn",
        name: "Fellside Community Nursing Team",
        kind: K::HomeCare,
        area: "Fellside",
        phone: "01632 960 202",
    },
    OrganisationSpec {
        key: "oncology",
        name: "Westvale General Hospital – Oncology",
        kind: K::HospitalDepartment,
        area: "Ashby",
        phone: "01632 960 301",
    },
    OrganisationSpec {
        key: "respiratory",
        name: "Westvale General Hospital – Respiratory Medicine",
        kind: K::HospitalDepartment,
        area: "Ashby",
        phone: "01632 960 302",
    },
    OrganisationSpec {
        key: "cardiology",
        name: "Westvale General Hospital – Cardiology",
        kind: K::HospitalDepartment,
        area: "Ashby",
        phone: "01632 960 303",
    },
    OrganisationSpec {
        key: "acute",
        name: "Westvale General Hospital – Acute Medical Unit",
        kind: K::HospitalDepartment,
        area: "Ashby",
        phone: "01632 960 304",
    },
    OrganisationSpec {
        key: "hospital-pct",
        name: "Westvale Hospital Palliative Care Team",
        kind: K::SpecialistPalliativeCare,
        area: "Ashby",
        phone: "01632 960 401",
    },
    OrganisationSpec {
        key: "community-spc",
        name: "St Brigid's Community Palliative Care Team",
        kind: K::SpecialistPalliativeCare,
        area: "Fellside",
        phone: "01632 960 402",
    },
    OrganisationSpec {
        key: "hospice",
        name: "St Brigid's Hospice",
        kind: K::Hospice,
        area: "Ashby",
        phone: "01632 960 403",
    },
    OrganisationSpec {
        key: "hawthorn",
        name: "Hawthorn House Care Home",
        kind: K::CareHome,
        area: "Ashby",
        phone: "01632 960 501",
    },
    OrganisationSpec {
        key: "moorview",
        name: "Moorview Nursing Home",
        kind: K::CareHome,
        area: "Fellside",
        phone: "01632 960 502",
    },
    OrganisationSpec {
        key: "ooh",
        name: "Westvale Out-of-Hours Service",
        kind: K::OutOfHours,
        area: "Ashby",
        phone: "01632 960 600",
    },
];

/// A member of staff. Those with a `sign_in` role get a demo user account.
pub struct StaffSpec {
    pub given: &'static str,
    pub family: &'static str,
    pub organisation: &'static str,
    pub profession: Profession,
    pub sign_in: Option<&'static str>,
}

use Profession as P;

const fn staff(
    given: &'static str,
    family: &'static str,
    organisation: &'static str,
    profession: Profession,
    sign_in: Option<&'static str>,
) -> StaffSpec {
    StaffSpec {
        given,
        family,
        organisation,
        profession,
        sign_in,
    }
}

pub const STAFF: &[StaffSpec] = &[
    staff(
        "Amelia",
        "Hughes",
        "riverside",
        P::GeneralPractitioner,
        Some("gp"),
    ),
    staff("Rahul", "Mehta", "riverside", P::GeneralPractitioner, None),
    staff(
        "Fiona",
        "Blake",
        "market-street",
        P::GeneralPractitioner,
        None,
    ),
    staff("Oliver", "Grant", "brookford", P::GeneralPractitioner, None),
    staff(
        "Catriona",
        "Bell",
        "fellside-gp",
        P::GeneralPractitioner,
        Some("gp-rural"),
    ),
    staff(
        "Hamish",
        "Reid",
        "kirkby-dale",
        P::GeneralPractitioner,
        None,
    ),
    staff(
        "Sarah",
        "Okafor",
        "ashby-dn",
        P::DistrictNurse,
        Some("district-nurse"),
    ),
    staff("Tom", "Whitfield", "ashby-dn", P::CommunityNurse, None),
    staff(
        "Kari",
        "Nilsen",
        "fellside-cn",
        P::OncologyNurse,
        Some("oncology-nurse"),
    ),
    staff("Megan", "Lowther", "fellside-cn", P::DistrictNurse, None),
    staff("Daniel", "Price", "oncology", P::Oncologist, None),
    staff("Helen", "Foster", "respiratory", P::HospitalDoctor, None),
    staff("Grace", "Adeyemi", "acute", P::WardNurse, None),
    staff(
        "Paula",
        "Kent",
        "acute",
        P::DischargeCoordinator,
        Some("discharge-coordinator"),
    ),
    staff("Imran", "Siddiqui", "acute", P::Pharmacist, None),
    staff(
        "Ruth",
        "Jameson",
        "hospital-pct",
        P::SpecialistPalliativeNurse,
        Some("specialist-nurse"),
    ),
    staff(
        "Alasdair",
        "Munro",
        "hospital-pct",
        P::PalliativeMedicinePhysician,
        None,
    ),
    staff(
        "Eleanor",
        "Marsh",
        "hospice",
        P::PalliativeMedicinePhysician,
        Some("palliative-physician"),
    ),
    staff(
        "Joanne",
        "Pike",
        "community-spc",
        P::SpecialistPalliativeNurse,
        None,
    ),
    staff(
        "Ben",
        "Carlisle",
        "hospice",
        P::Physiotherapist,
        Some("physiotherapist"),
    ),
    staff("Laura", "Dunn", "hospice", P::OccupationalTherapist, None),
    staff("Moira", "Kerr", "hospice", P::SocialWorker, None),
    staff(
        "Janet",
        "Ellis",
        "hawthorn",
        P::CareHomeNurse,
        Some("care-home-nurse"),
    ),
    staff("Lucy", "Tran", "moorview", P::CareWorker, None),
    staff(
        "Marcus",
        "Webb",
        "ooh",
        P::OutOfHoursDoctor,
        Some("ooh-doctor"),
    ),
    staff("Nadia", "Haddad", "ooh", P::OnCallNurse, None),
    staff("Chris", "Dalton", "ooh", P::Paramedic, None),
    staff(
        "Gillian",
        "Moss",
        PARTNERSHIP,
        P::ServiceManager,
        Some("manager"),
    ),
    staff(
        "Owen",
        "Price",
        PARTNERSHIP,
        P::Administrator,
        Some("admin"),
    ),
];

/// Second roles: (family name, organisation, profession). A rural GP who also works sessions
/// for the out-of-hours service acts for one organisation at a time and switches between them.
pub const SECOND_ROLES: &[(&str, &str, Profession)] =
    &[("Bell", "ooh", Profession::OutOfHoursDoctor)];

/// The password of every demo account. The demo refuses to listen beyond this machine, so the
/// shared, printed password cannot be used from elsewhere.
pub const DEMO_PASSWORD: &str = "hearth-demo-2026";

/// The email of a demo user: given.family@demo.hearth.example (a reserved domain).
pub fn demo_email(spec: &StaffSpec) -> String {
    format!(
        "{}.{}@demo.hearth.example",
        spec.given.to_lowercase(),
        spec.family.to_lowercase()
    )
}
