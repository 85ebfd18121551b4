//! Query strings of the API: decoding, the parameters each address takes, paging, and the
//! filters of a search within a patient's record.

use axum::http::StatusCode;
use hearth_fhir::outcome::IssueType;
use hearth_fhir::{Bundle, OperationOutcome, Resource, search};

use super::{FhirError, MAX_COUNT};

/// The search parameters of a query string, decoded. Repeated parameters are refused: Hearth
/// supports none that combine.
pub(super) fn params(
    query: Option<&str>,
    allowed: &[&str],
) -> Result<Vec<(String, String)>, FhirError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = decode(name)?;
        let value = decode(value)?;
        if name == "_pretty" {
            continue;
        }
        if name == "_format" {
            if !matches!(
                value.as_str(),
                "json" | "application/json" | "application/fhir+json"
            ) {
                return Err(FhirError::new(
                    StatusCode::NOT_ACCEPTABLE,
                    IssueType::NotSupported,
                    format!("Hearth answers in FHIR JSON only, not '{value}'."),
                ));
            }
            continue;
        }
        if !allowed.contains(&name.as_str()) {
            return Err(FhirError::invalid(format!(
                "The search parameter '{name}' is not supported here; supported: {}.",
                if allowed.is_empty() {
                    "none".to_owned()
                } else {
                    allowed.join(", ")
                }
            )));
        }
        // `_include` and `_revinclude` may be given once per include; every other parameter once.
        if name != "_include" && name != "_revinclude" && out.iter().any(|(n, _)| *n == name) {
            return Err(FhirError::invalid(format!(
                "The search parameter '{name}' is given twice; give it once."
            )));
        }
        out.push((name, value));
    }
    Ok(out)
}

pub(super) fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Percent-decodes a query component (`+` is a space).
pub(super) fn decode(text: &str) -> Result<String, FhirError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| FhirError::invalid("The query string has a broken %-escape."))?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| FhirError::invalid("The query string is not UTF-8."))
}

/// `_count`: how many matches a page holds (default and maximum [`MAX_COUNT`]).
pub(super) fn count(params: &[(String, String)]) -> Result<usize, FhirError> {
    match param(params, "_count") {
        None => Ok(MAX_COUNT),
        Some(v) => v
            .parse::<usize>()
            .ok()
            .map(|c| c.min(MAX_COUNT))
            .ok_or_else(|| FhirError::invalid("_count must be a whole number, 0 or more.")),
    }
}

/// Which page of the matches to answer, read from `_count` and `_offset` before any use case
/// runs (so that a bad page request reads and audits nothing).
#[derive(Debug, Clone, Copy)]
pub(super) struct Paging {
    count: usize,
    offset: usize,
}

pub(super) fn paging(params: &[(String, String)]) -> Result<Paging, FhirError> {
    let count = count(params)?;
    let offset = match param(params, "_offset") {
        None => 0,
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| FhirError::invalid("_offset must be a whole number, 0 or more."))?,
    };
    Ok(Paging { count, offset })
}

/// A search result page of `matches`, with self and next links.
pub(super) fn page(
    base: &str,
    type_name: &str,
    params: &[(String, String)],
    Paging { count, offset }: Paging,
    matches: Vec<Resource>,
) -> Bundle {
    let total = matches.len();
    let query = |offset: usize| {
        let mut q: Vec<String> = params
            .iter()
            .filter(|(n, _)| n != "_offset" && n != "_count")
            .map(|(n, v)| format!("{n}={}", crate::session::encode_component(v)))
            .collect();
        q.push(format!("_count={count}"));
        q.push(format!("_offset={offset}"));
        format!("{base}/{type_name}?{}", q.join("&"))
    };
    let shown: Vec<Resource> = matches.into_iter().skip(offset).take(count).collect();
    let mut bundle = Bundle::searchset(base, &query(offset), shown);
    bundle.total = Some(total as u64);
    if offset.saturating_add(count) < total && count > 0 {
        bundle.link.push(hearth_fhir::bundle::BundleLink {
            relation: "next".to_owned(),
            url: query(offset.saturating_add(count)),
        });
    }
    bundle
}

/// The record filters of a search (`status`, `date`, `_lastUpdated`, `_sort`), read before
/// anything is read or audited.
pub(super) struct Filters {
    status: Option<String>,
    date: Option<search::DateFilter>,
    last_updated: Option<search::DateFilter>,
    sort: Option<search::Sort>,
}

impl Filters {
    pub(super) fn read(params: &[(String, String)]) -> Result<Filters, FhirError> {
        let bad = |o: OperationOutcome| FhirError(StatusCode::BAD_REQUEST, o);
        Ok(Filters {
            status: param(params, "status").map(str::to_owned),
            date: param(params, "date")
                .map(|d| search::DateFilter::parse("date", d))
                .transpose()
                .map_err(bad)?,
            last_updated: param(params, "_lastUpdated")
                .map(|d| search::DateFilter::parse("_lastUpdated", d))
                .transpose()
                .map_err(bad)?,
            sort: param(params, "_sort")
                .map(search::Sort::parse)
                .transpose()
                .map_err(bad)?,
        })
    }

    pub(super) fn apply(&self, resources: impl Iterator<Item = Resource>) -> Vec<Resource> {
        let mut kept: Vec<(serde_json::Value, Resource)> = resources
            .filter_map(|r| serde_json::to_value(&r).ok().map(|v| (v, r)))
            .filter(|(v, _)| {
                self.status
                    .as_deref()
                    .is_none_or(|s| search::status_is(v, s))
                    && self
                        .date
                        .as_ref()
                        .is_none_or(|f| search::date_of(v).is_some_and(|d| f.accepts(d)))
                    && self
                        .last_updated
                        .as_ref()
                        .is_none_or(|f| search::last_updated_of(v).is_some_and(|d| f.accepts(d)))
            })
            .collect();
        if let Some(sort) = self.sort {
            sort.apply(&mut kept);
        }
        kept.into_iter().map(|(_, r)| r).collect()
    }
}
