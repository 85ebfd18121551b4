//! Aggregate figures about the register for service managers (and anyone else with a role):
//! counts and shares for the organisation of the acting role and every organisation part of it,
//! with small numbers suppressed (`hearth_domain::figures`). No identity leaves this module;
//! reading the figures is audited as a search without a patient.

use hearth_domain::audit::{AccessBasis, AuditAction};
use hearth_domain::figures::{Disclosed, median};
use hearth_domain::register::{ConsentDecision, DiagnosisGroup, PreferredPlaceMet};
use jiff::Span;
use jiff::civil::Date;

use crate::access::{self, Decision};
use crate::admin::scope_of;
use crate::{Actor, App, AppError};

/// One line of a breakdown: a label, its count and its share of the whole (when safe to show).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureLine {
    pub label: &'static str,
    pub count: Disclosed,
    pub percent: Option<i64>,
}

/// The figures page's content: every count already passed through disclosure control.
#[derive(Debug, Clone)]
pub struct Figures {
    /// The organisation of the acting role, and how many organisations the figures cover.
    pub organisation: String,
    pub organisations: usize,
    pub on_register: Disclosed,
    pub cancer: FigureLine,
    pub non_cancer: FigureLine,
    /// Each diagnosis group.
    pub by_group: Vec<FigureLine>,
    /// Share of patients on the register with an active coordinator.
    pub coordinated: Option<i64>,
    pub consent: Vec<FigureLine>,
    /// Deaths on the register since `since`.
    pub since: Date,
    pub deaths: Disclosed,
    /// Whether the preferred place of death was met: yes, no, not known.
    pub preferred_place: Vec<FigureLine>,
    /// Share of deaths with a known preference that happened in the preferred place.
    pub preferred_place_met: Option<i64>,
    /// Median days from identification to death.
    pub median_days_to_death: Option<i64>,
    /// PCOC outcome measure 2 over the same year: unstable phases judged, and the share that
    /// lasted three days or less (benchmark 90%).
    pub unstable_phases: Disclosed,
    pub unstable_within_benchmark: Option<i64>,
}

const RESOURCE: &str = "MeasureReport";

fn lines<T: Copy>(
    items: &[T],
    label: fn(T) -> &'static str,
    counts: &[i64],
    whole: i64,
) -> Vec<FigureLine> {
    items
        .iter()
        .zip(Disclosed::breakdown(counts))
        .zip(counts)
        .map(|((item, count), n)| FigureLine {
            label: label(*item),
            percent: Disclosed::percent(*n, whole).filter(|_| count != Disclosed::Hidden),
            count,
        })
        .collect()
}

impl App {
    /// The register figures for the actor's acting organisation and those part of it.
    pub async fn figures(&self, actor: &Actor) -> Result<Figures, AppError> {
        let role = actor.acting_role().ok_or_else(|| {
            AppError::Forbidden(
                "Figures are shown for the organisation of your role, and you have none. Ask \
                 your administrator."
                    .to_owned(),
            )
        })?;
        let since = self
            .today()
            .checked_sub(Span::new().years(1))
            .map_err(|e| AppError::Internal(format!("a year before today: {e}")))?;
        let mut tx = self.store.begin_read().await?;
        let scope = scope_of(&mut tx, &role.organisation_id).await?;
        let tallies = tx.register_tallies(&scope.ids).await?;
        let deaths = tx.deaths_on_register(&scope.ids, since).await?;
        let year_ago = self
            .now()
            .checked_sub(jiff::SignedDuration::from_hours(24 * 365))
            .unwrap_or_else(|_| self.now());
        let phases = tx.phase_sequences(&scope.ids, year_ago).await?;
        drop(tx);
        let (within, judged) = phases.iter().fold((0, 0), |(w, j), episodes| {
            let (pw, pj) = hearth_domain::assessment::unstable_within_benchmark(
                episodes,
                year_ago,
                self.now(),
            );
            (w + pw, j + pj)
        });

        let total: i64 = tallies.iter().map(|t| t.patients).sum();
        let groups = DiagnosisGroup::ALL;
        let group_counts: Vec<i64> = groups
            .iter()
            .map(|g| {
                tallies
                    .iter()
                    .filter(|t| t.group == *g)
                    .map(|t| t.patients)
                    .sum()
            })
            .collect();
        let cancer: i64 = tallies
            .iter()
            .filter(|t| t.group == DiagnosisGroup::Cancer)
            .map(|t| t.patients)
            .sum();
        let split = lines(
            &["Cancer", "Non-cancer conditions"],
            |l| l,
            &[cancer, total - cancer],
            total,
        );
        let consents = ConsentDecision::ALL;
        let consent_counts: Vec<i64> = consents
            .iter()
            .map(|c| {
                tallies
                    .iter()
                    .filter(|t| t.consent == *c)
                    .map(|t| t.patients)
                    .sum()
            })
            .collect();
        let coordinated: i64 = tallies
            .iter()
            .filter(|t| t.coordinated)
            .map(|t| t.patients)
            .sum();
        let places = PreferredPlaceMet::ALL;
        let place_counts: Vec<i64> = places
            .iter()
            .map(|p| {
                let n = deaths
                    .iter()
                    .filter(|d| d.preferred_place_met == *p)
                    .count();
                i64::try_from(n).unwrap_or(i64::MAX)
            })
            .collect();
        let died = i64::try_from(deaths.len()).unwrap_or(i64::MAX);
        let met = deaths
            .iter()
            .filter(|d| d.preferred_place_met == PreferredPlaceMet::Yes)
            .count();
        let known = deaths
            .iter()
            .filter(|d| d.preferred_place_met != PreferredPlaceMet::NotKnown)
            .count();
        let days = deaths
            .iter()
            .filter_map(|d| d.identified_on.until(d.died_on).ok())
            .map(|span| i64::from(span.get_days()))
            .collect();

        let record = access::audit_record(
            actor,
            self.now(),
            None,
            AuditAction::Search,
            RESOURCE,
            None,
            &Decision::Allowed(AccessBasis::Administration),
        );
        self.audit.append(record).await?;
        let mut split = split.into_iter();
        let (Some(cancer_line), Some(non_cancer_line)) = (split.next(), split.next()) else {
            return Err(AppError::Internal(
                "the cancer split has two lines".to_owned(),
            ));
        };
        Ok(Figures {
            organisation: role.organisation_name.clone(),
            organisations: scope.ids.len(),
            on_register: Disclosed::count(total),
            cancer: cancer_line,
            non_cancer: non_cancer_line,
            by_group: lines(groups, DiagnosisGroup::label, &group_counts, total),
            coordinated: Disclosed::percent(coordinated, total),
            consent: lines(consents, ConsentDecision::label, &consent_counts, total),
            since,
            deaths: Disclosed::count(died),
            preferred_place: lines(places, PreferredPlaceMet::label, &place_counts, died),
            preferred_place_met: Disclosed::percent(
                i64::try_from(met).unwrap_or(i64::MAX),
                i64::try_from(known).unwrap_or(i64::MAX),
            ),
            median_days_to_death: median(days),
            unstable_phases: Disclosed::count(i64::try_from(judged).unwrap_or(i64::MAX)),
            unstable_within_benchmark: Disclosed::percent(
                i64::try_from(within).unwrap_or(i64::MAX),
                i64::try_from(judged).unwrap_or(i64::MAX),
            ),
        })
    }
}
