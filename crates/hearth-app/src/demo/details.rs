//! What the directory says about each demo service and person: address, secure messaging,
//! opening hours, competencies, how to refer, and working patterns — so that "can the district
//! nurses set up a syringe driver tonight?" has an answer in the demo too.

use hearth_domain::organisation::{Competency, ServiceDetails};
use hearth_domain::practitioner::Profession;

use Competency as C;

/// The directory details of the demo service with this key.
pub fn service(key: &str, town: &str) -> ServiceDetails {
    let (hours, competencies, refer): (&str, Vec<Competency>, &str) = match key {
        "ashby-dn" | "fellside-cn" => (
            "Every day 08:00–22:00; overnight through the out-of-hours service",
            vec![
                C::SyringeDrivers,
                C::SubcutaneousFluids,
                C::VerificationOfDeath,
                C::AdvanceCarePlanning,
            ],
            "Send a referral by secure message or ring the team; same-day visits for urgent needs.",
        ),
        "hospital-pct" => (
            "Mon–Fri 09:00–17:00; advice line day and night",
            vec![
                C::SpecialistAdvice,
                C::PalliativePrescribing,
                C::SyringeDrivers,
                C::AdvanceCarePlanning,
            ],
            "Refer inpatients through the hospital record; community advice by ringing the advice line.",
        ),
        "community-spc" | "hospice" => (
            "Advice line 24 hours a day; inpatient unit admits every day",
            vec![
                C::SpecialistAdvice,
                C::PalliativePrescribing,
                C::SyringeDrivers,
                C::Visits24x7,
                C::BereavementSupport,
                C::AdvanceCarePlanning,
            ],
            "Refer by secure message with the reason and the current plan; urgent cases by phone first.",
        ),
        "ooh" => (
            "Weekdays 18:30–08:00, weekends and bank holidays",
            vec![
                C::Visits24x7,
                C::PalliativePrescribing,
                C::VerificationOfDeath,
            ],
            "Patients and carers ring 111; professionals ring the professional line.",
        ),
        "hawthorn" | "moorview" => (
            "Staffed 24 hours a day",
            vec![C::SyringeDrivers, C::VerificationOfDeath],
            "Contact the manager about admissions and respite.",
        ),
        "partnership" => (
            "Office Mon–Fri 09:00–17:00",
            vec![],
            "The partnership does not see patients: refer to one of its services.",
        ),
        "oncology" | "respiratory" | "cardiology" | "acute" => (
            "Wards staffed 24 hours; clinics Mon–Fri 09:00–17:00",
            vec![],
            "Refer through the hospital's electronic referral service.",
        ),
        _ => (
            "Mon–Fri 08:00–18:30",
            vec![
                C::PalliativePrescribing,
                C::AdvanceCarePlanning,
                C::VerificationOfDeath,
            ],
            "Ring reception; the duty doctor returns urgent calls the same day.",
        ),
    };
    ServiceDetails {
        address: Some(format!(
            "{town}, QX{} 1AA",
            if town == "Fellside" { 7 } else { 3 }
        )),
        email: Some(format!("{key}@demo.hearth.example")),
        secure_messaging: Some(format!("{key}.secure@demo.hearth.example")),
        opening_hours: Some(hours.to_owned()),
        competencies,
        how_to_refer: Some(refer.to_owned()),
    }
}

/// What a demo practitioner can do, and when they usually work.
pub fn person(profession: Profession) -> (Vec<Competency>, Option<String>) {
    let (competencies, pattern) = match profession {
        Profession::GeneralPractitioner => (
            vec![
                C::PalliativePrescribing,
                C::AdvanceCarePlanning,
                C::VerificationOfDeath,
            ],
            "Mon–Thu 08:00–18:30",
        ),
        Profession::DistrictNurse | Profession::CommunityNurse => (
            vec![
                C::SyringeDrivers,
                C::SubcutaneousFluids,
                C::VerificationOfDeath,
            ],
            "Mon–Fri 08:00–16:30",
        ),
        Profession::OncologyNurse => (
            vec![C::SyringeDrivers, C::AdvanceCarePlanning],
            "Tue–Fri 08:00–16:00",
        ),
        Profession::SpecialistPalliativeNurse => (
            vec![
                C::SpecialistAdvice,
                C::SyringeDrivers,
                C::AdvanceCarePlanning,
            ],
            "Mon–Fri 09:00–17:00, on the rota",
        ),
        Profession::PalliativeMedicinePhysician => (
            vec![C::SpecialistAdvice, C::PalliativePrescribing],
            "Mon–Fri 09:00–17:00, on the rota",
        ),
        Profession::OutOfHoursDoctor => (
            vec![C::PalliativePrescribing, C::VerificationOfDeath],
            "Evening and night shifts",
        ),
        Profession::SocialWorker => (vec![C::BereavementSupport], "Mon–Fri 09:00–17:00"),
        _ => (vec![], "Mon–Fri 09:00–17:00"),
    };
    (competencies, Some(pattern.to_owned()))
}
