//! Search parameters over mapped resources: `status`, `date`, `_lastUpdated` and `_sort`, the
//! ones clinicians' systems filter a patient's record by. A patient's record is small (tens to
//! hundreds of resources), so the API maps it whole and filters here; no I/O.
//!
//! Dates compare at the precision the client gives: `date=ge2026-11` keeps resources whose date,
//! cut to year and month, is on or after 2026-11. A period compares by its start.

use serde_json::Value;

use crate::outcome::{IssueType, OperationOutcome};

/// A date comparison: `eq` (the default), `ne`, `lt`, `le`, `gt`, `ge`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateFilter {
    prefix: Prefix,
    value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prefix {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl DateFilter {
    /// Reads `[prefix]YYYY[-MM[-DD[Thh:mm[:ss]]]]`.
    pub fn parse(name: &str, text: &str) -> Result<DateFilter, OperationOutcome> {
        let (prefix, value) = match text.get(..2) {
            Some("eq") => (Prefix::Eq, &text[2..]),
            Some("ne") => (Prefix::Ne, &text[2..]),
            Some("lt") => (Prefix::Lt, &text[2..]),
            Some("le") => (Prefix::Le, &text[2..]),
            Some("gt") => (Prefix::Gt, &text[2..]),
            Some("ge") => (Prefix::Ge, &text[2..]),
            _ => (Prefix::Eq, text),
        };
        if !well_formed(value) {
            return Err(OperationOutcome::error(
                IssueType::Invalid,
                format!(
                    "{name} must be a date or time such as ge2026-11-01 or lt2026-12-03T08:00 (prefixes eq, ne, lt, le, gt, ge), not '{text}'."
                ),
            ));
        }
        Ok(DateFilter {
            prefix,
            value: value.to_owned(),
        })
    }

    /// Whether a resource's date (a FHIR date, dateTime or instant) passes.
    pub fn accepts(&self, date: &str) -> bool {
        let cut = date.get(..self.value.len()).unwrap_or(date);
        let order = cut.cmp(self.value.as_str());
        match self.prefix {
            Prefix::Eq => order.is_eq(),
            Prefix::Ne => order.is_ne(),
            Prefix::Lt => order.is_lt(),
            Prefix::Le => order.is_le(),
            Prefix::Gt => order.is_gt(),
            Prefix::Ge => order.is_ge(),
        }
    }
}

/// `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, `YYYY-MM-DDThh:mm` or `YYYY-MM-DDThh:mm:ss`, digits where
/// digits belong (so that comparing as text compares as time).
fn well_formed(value: &str) -> bool {
    const SHAPES: [&str; 5] = [
        "dddd",
        "dddd-dd",
        "dddd-dd-dd",
        "dddd-dd-ddTdd:dd",
        "dddd-dd-ddTdd:dd:dd",
    ];
    SHAPES.iter().any(|shape| {
        shape.len() == value.len()
            && shape.bytes().zip(value.bytes()).all(|(s, v)| match s {
                b'd' => v.is_ascii_digit(),
                other => other == v,
            })
    })
}

/// The date a resource is searched by with `date`: when an observation was made, a stay or
/// episode began, a consent was recorded, a referral, task or call request was made, a message was sent, a discharge letter was
/// dated, an assessment was answered, a meeting
/// starts.
pub fn date_of(resource: &Value) -> Option<&str> {
    let get = |path: &[&str]| {
        path.iter()
            .try_fold(resource, |v, key| v.get(key))
            .and_then(Value::as_str)
    };
    match resource.get("resourceType").and_then(Value::as_str)? {
        "Observation" => get(&["effectiveDateTime"]).or_else(|| get(&["effectivePeriod", "start"])),
        "Encounter" | "EpisodeOfCare" => get(&["period", "start"]),
        "Consent" => get(&["dateTime"]),
        "ServiceRequest" | "Task" | "CommunicationRequest" => get(&["authoredOn"]),
        "Communication" => get(&["sent"]),
        "Composition" => get(&["date"]),
        "QuestionnaireResponse" => get(&["authored"]),
        "Appointment" => get(&["start"]),
        "CarePlan" => get(&["created"]),
        "MedicationRequest" => get(&["authoredOn"]),
        "Condition" => get(&["recordedDate"]),
        "AuditEvent" => get(&["recorded"]),
        _ => None,
    }
}

/// When a resource last changed (`meta.lastUpdated`).
pub fn last_updated_of(resource: &Value) -> Option<&str> {
    resource.get("meta")?.get("lastUpdated")?.as_str()
}

/// Whether a resource's `status` (or a Goal's `lifecycleStatus`) is one of `wanted`
/// (comma-separated, as FHIR token lists are).
pub fn status_is(resource: &Value, wanted: &str) -> bool {
    let status = resource
        .get("status")
        .or_else(|| resource.get("lifecycleStatus"))
        .and_then(Value::as_str);
    status.is_some_and(|s| wanted.split(',').any(|w| w.trim() == s))
}

/// How to order a result: by `date` or `_lastUpdated`, `-` first for newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    by_date: bool,
    descending: bool,
}

impl Sort {
    pub fn parse(text: &str) -> Result<Sort, OperationOutcome> {
        let (descending, key) = match text.strip_prefix('-') {
            Some(key) => (true, key),
            None => (false, text),
        };
        let by_date = match key {
            "date" => true,
            "_lastUpdated" => false,
            _ => {
                return Err(OperationOutcome::error(
                    IssueType::NotSupported,
                    format!(
                        "_sort takes date or _lastUpdated (with - for newest first), not '{text}'."
                    ),
                ));
            }
        };
        Ok(Sort {
            by_date,
            descending,
        })
    }

    /// Orders `resources` (stable: equal keys keep the record's order; resources without the
    /// key go last).
    pub fn apply(self, resources: &mut [(Value, crate::Resource)]) {
        let key = |v: &Value| {
            if self.by_date {
                date_of(v).map(str::to_owned)
            } else {
                last_updated_of(v).map(str::to_owned)
            }
        };
        resources.sort_by(|(a, _), (b, _)| {
            let (ka, kb) = (key(a), key(b));
            match (ka, kb) {
                (Some(x), Some(y)) if self.descending => y.cmp(&x),
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_compare_at_the_precision_given() {
        let ge = DateFilter::parse("date", "ge2026-11").unwrap();
        assert!(ge.accepts("2026-11-01T00:00:00.000Z"));
        assert!(ge.accepts("2026-12-03"));
        assert!(!ge.accepts("2026-10-31T23:59:59.000Z"));
        let eq = DateFilter::parse("date", "2026-12-03").unwrap();
        assert!(eq.accepts("2026-12-03T08:15:00.000Z"));
        assert!(!eq.accepts("2026-12-04T08:15:00.000Z"));
        let lt = DateFilter::parse("date", "lt2026-12-03T08:00").unwrap();
        assert!(lt.accepts("2026-12-03T07:59:00.000Z"));
        assert!(!lt.accepts("2026-12-03T08:00:00.000Z"));
        for bad in [
            "",
            "yesterday",
            "ge",
            "2026-1-3",
            "2026-12-03T8",
            "sa2026",
            "２０２６",
        ] {
            assert!(DateFilter::parse("date", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn status_takes_a_list_and_goals_use_their_lifecycle() {
        let task = serde_json::json!({"resourceType": "Task", "status": "requested"});
        assert!(status_is(&task, "requested,accepted"));
        assert!(!status_is(&task, "completed"));
        let goal = serde_json::json!({"resourceType": "Goal", "lifecycleStatus": "active"});
        assert!(status_is(&goal, "active"));
        assert!(!status_is(&serde_json::json!({}), "active"));
    }

    #[test]
    fn sorting_takes_date_or_last_updated_either_way() {
        assert!(Sort::parse("-date").is_ok());
        assert!(Sort::parse("_lastUpdated").is_ok());
        assert!(Sort::parse("name").is_err());
        let r = |d: &str| {
            (
                serde_json::json!({"resourceType": "Observation", "effectiveDateTime": d}),
                crate::Resource::OperationOutcome(OperationOutcome::information(d)),
            )
        };
        let mut list = vec![r("2026-11-02"), r("2026-12-01"), r("2026-10-05")];
        Sort::parse("-date").unwrap().apply(&mut list);
        let order: Vec<&str> = list.iter().map(|(v, _)| date_of(v).unwrap()).collect();
        assert_eq!(order, ["2026-12-01", "2026-11-02", "2026-10-05"]);
    }
}
