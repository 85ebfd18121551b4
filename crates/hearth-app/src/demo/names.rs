//! Synthetic names and places for the demo region. Every place is fictional; every postcode uses
//! the letter Q first, which no real UK postcode does; telephone numbers are from the ranges
//! Ofcom reserves for drama (01632 960xxx, 07700 900xxx); NHS numbers start with 999, a range
//! the NHS reserves for testing. No real person or place is described.

use hearth_domain::register::{DiagnosisGroup, DiseaseIndicator};

/// Given names, `|`-separated (split once when the generator starts).
pub const FEMALE_GIVEN: &str = "Margaret|Jean|Patricia|Barbara|Joan|Sheila|Maureen|Dorothy|Elizabeth|Mary|Brenda|\
    Kathleen|Christine|Irene|Pauline|Valerie|Sandra|Janet|Eileen|Doreen|Audrey|Sylvia|\
    Pamela|Susan|Linda|Carol|Ann|Edith|Joyce|Marjorie|Gwen|Rita|Hilda|Beryl|Evelyn|Ruth|\
    Helen|Julie|Agnieszka|Nasreen|Priya|Grace|Aoife|Ingrid";

pub const MALE_GIVEN: &str = "John|David|Michael|Peter|Robert|William|Brian|Kenneth|James|Anthony|Alan|Roy|Geoffrey|\
    Dennis|Raymond|Derek|Keith|Colin|Terence|Ronald|Frank|Harold|Barry|Graham|Malcolm|\
    Stanley|Trevor|Gordon|Stephen|Richard|Leslie|Arthur|Albert|Thomas|Ian|Neil|Tariq|Rajesh|\
    Tomasz|Desmond|Eamon|Lars";

pub const FAMILY: &str = "Smith|Jones|Taylor|Brown|Williams|Wilson|Johnson|Davies|Robinson|Wright|Thompson|Evans|\
    Walker|White|Roberts|Green|Hall|Wood|Jackson|Clarke|Patel|Khan|Lewis|Harris|Martin|\
    Cooper|Hill|Ward|Morris|Moore|Clark|Lee|King|Baker|Harrison|Morgan|Allen|James|Scott|\
    Phillips|Watson|Davis|Parker|Price|Bennett|Young|Griffiths|Mitchell|Kelly|Cook|Carter|\
    Richardson|Bailey|Collins|Bell|Shaw|Murphy|Miller|Cox|Richards|Marshall|Gray|Hughes|Ali|\
    Hussain|Kaur|Singh|Nowak|Kowalski|O'Brien|Fletcher|Atkinson|Dixon|Pearson|Holmes|Lawson|\
    Barker|Hudson|Mason|Knowles|Ramsbottom|Heslop|Threlkeld|Armstrong|Nicholson|Dodd|Irving|\
    Pattinson|Tweddle|Gill|Hodgson|Metcalfe|Wilkinson|Lund|Haugen|Fairbairn|Stobart|\
    Bainbridge|Thwaite";

pub const URBAN_STREETS: &str = "Mill Lane|Station Road|Victoria Street|Church Walk|Queens Avenue|Park Terrace|\
    Albert Road|Canal Side|Orchard Close|Beech Grove|Willow Court|Market Street|\
    Riverside Drive|Chapel Row|Hawthorn Way|Greenbank Road";

pub const RURAL_STREETS: &str = "Fell View|Beck Side|Moor Lane|High Street|Low Green|Back Lane|Raise Farm|Ghyll Cottages|\
    Tarn Road|Kirk Brow|Dale End|Pike Row";

/// (town, area, rural) — the towns of the two demo areas.
pub const TOWNS: &[(&str, &str, bool)] = &[
    ("Ashby", "Ashby", false),
    ("Ashby East", "Ashby", false),
    ("Brookford", "Ashby", false),
    ("Fellside", "Fellside", true),
    ("Kirkby Dale", "Fellside", true),
    ("Thornwick", "Fellside", true),
    ("High Moor", "Fellside", true),
];

/// Who a diagnosis can apply to: sex-specific cancers are only given to people of that sex.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Applies {
    Anyone,
    Female,
    Male,
}

/// A main diagnosis, how common it is on the register (relative weight), the hospital
/// department that usually follows it, who it can apply to, its diagnosis group and its SPICT
/// clinical indicator group.
pub struct Diagnosis {
    pub name: &'static str,
    pub weight: u32,
    pub department: &'static str,
    pub applies: Applies,
    pub group: DiagnosisGroup,
    pub indicator: DiseaseIndicator,
}

const fn dx(
    name: &'static str,
    weight: u32,
    department: &'static str,
    applies: Applies,
    (group, indicator): (DiagnosisGroup, DiseaseIndicator),
) -> Diagnosis {
    Diagnosis {
        name,
        weight,
        department,
        applies,
        group,
        indicator,
    }
}

use Applies::{Anyone, Female, Male};

const CANCER: (DiagnosisGroup, DiseaseIndicator) =
    (DiagnosisGroup::Cancer, DiseaseIndicator::Cancer);
const LUNGS: (DiagnosisGroup, DiseaseIndicator) =
    (DiagnosisGroup::OrganFailure, DiseaseIndicator::Respiratory);
const HEART: (DiagnosisGroup, DiseaseIndicator) = (
    DiagnosisGroup::OrganFailure,
    DiseaseIndicator::HeartVascular,
);
const KIDNEY: (DiagnosisGroup, DiseaseIndicator) =
    (DiagnosisGroup::OrganFailure, DiseaseIndicator::Kidney);
const LIVER: (DiagnosisGroup, DiseaseIndicator) =
    (DiagnosisGroup::OrganFailure, DiseaseIndicator::Liver);
const FRAILTY: (DiagnosisGroup, DiseaseIndicator) = (
    DiagnosisGroup::FrailtyDementia,
    DiseaseIndicator::DementiaFrailty,
);
const NEURO: (DiagnosisGroup, DiseaseIndicator) =
    (DiagnosisGroup::Neurological, DiseaseIndicator::Neurological);

/// Main diagnoses, cancer and non-cancer, with roughly the mix seen on English palliative care
/// registers.
pub const DIAGNOSES: &[Diagnosis] = &[
    dx(
        "Lung cancer (non-small cell), metastatic",
        9,
        "oncology",
        Anyone,
        CANCER,
    ),
    dx(
        "Bowel cancer with liver metastases",
        6,
        "oncology",
        Anyone,
        CANCER,
    ),
    dx(
        "Breast cancer with bone metastases",
        5,
        "oncology",
        Female,
        CANCER,
    ),
    dx(
        "Prostate cancer, hormone-resistant",
        5,
        "oncology",
        Male,
        CANCER,
    ),
    dx("Pancreatic cancer", 4, "oncology", Anyone, CANCER),
    dx("Oesophageal cancer", 2, "oncology", Anyone, CANCER),
    dx("Ovarian cancer", 2, "oncology", Female, CANCER),
    dx("Glioblastoma", 1, "oncology", Anyone, CANCER),
    dx("Head and neck cancer", 1, "oncology", Anyone, CANCER),
    dx("Multiple myeloma", 2, "oncology", Anyone, CANCER),
    dx("COPD, severe (GOLD 4)", 10, "respiratory", Anyone, LUNGS),
    dx(
        "Idiopathic pulmonary fibrosis",
        3,
        "respiratory",
        Anyone,
        LUNGS,
    ),
    dx(
        "Heart failure (NYHA class IV)",
        10,
        "cardiology",
        Anyone,
        HEART,
    ),
    dx(
        "Chronic kidney disease stage 5, conservative care",
        4,
        "acute",
        Anyone,
        KIDNEY,
    ),
    dx("Liver cirrhosis, decompensated", 3, "acute", Anyone, LIVER),
    dx(
        "Alzheimer's dementia, advanced",
        9,
        "acute",
        Anyone,
        FRAILTY,
    ),
    dx("Vascular dementia", 4, "acute", Anyone, FRAILTY),
    dx(
        "Frailty (Clinical Frailty Scale 7)",
        8,
        "acute",
        Anyone,
        FRAILTY,
    ),
    dx("Motor neurone disease", 2, "acute", Anyone, NEURO),
    dx("Parkinson's disease, advanced", 3, "acute", Anyone, NEURO),
    dx("Multiple sclerosis, advanced", 1, "acute", Anyone, NEURO),
    dx("Stroke with severe disability", 3, "acute", Anyone, NEURO),
];
