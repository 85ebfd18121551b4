//! Bundles: search results (`searchset`), `$everything` and exports (`collection`), with paging
//! links.

use serde::{Deserialize, Serialize};

use crate::datatypes::is_empty;
use crate::resources::Resource;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub type_: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub link: Vec<BundleLink>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub entry: Vec<BundleEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleLink {
    pub relation: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleEntry {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<Resource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search: Option<EntrySearch>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<EntryRequest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<EntryResponse>,
}

/// The interaction that made a version, in a history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryRequest {
    pub method: String,
    pub url: String,
}

/// The outcome of one entry of a transaction or batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryResponse {
    /// The HTTP status, with its reason: `201 Created`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Box<Resource>>,
}

/// Why an entry is in a search result: it matched, or it was included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntrySearch {
    pub mode: String,
}

impl Bundle {
    /// The answer to a transaction or batch (`kind`): one response per entry, in order.
    pub fn responses(kind: &str, responses: Vec<EntryResponse>, at: jiff::Timestamp) -> Bundle {
        Bundle {
            id: None,
            type_: format!("{kind}-response"),
            timestamp: Some(crate::datatypes::instant(at)),
            total: None,
            link: Vec::new(),
            entry: responses
                .into_iter()
                .map(|r| BundleEntry {
                    full_url: None,
                    resource: None,
                    search: None,
                    request: None,
                    response: Some(r),
                })
                .collect(),
        }
    }

    /// A search result of `resources` (all matches), with a self link. `base` is the absolute
    /// URL of the FHIR endpoint, which full URLs need.
    pub fn searchset(base: &str, self_url: &str, resources: Vec<Resource>) -> Bundle {
        let total = resources.len() as u64;
        Bundle {
            id: None,
            type_: "searchset".to_owned(),
            timestamp: None,
            total: Some(total),
            link: vec![BundleLink {
                relation: "self".to_owned(),
                url: self_url.to_owned(),
            }],
            entry: resources
                .into_iter()
                .map(|r| entry(base, r, Some("match")))
                .collect(),
        }
    }

    /// The versions of one resource, newest first (`versions`: each with its version and when
    /// it was made); version 1 was a create, later ones updates.
    pub fn history(
        base: &str,
        self_url: &str,
        versions: Vec<(Resource, i64, jiff::Timestamp)>,
    ) -> Bundle {
        Bundle {
            id: None,
            type_: "history".to_owned(),
            timestamp: None,
            total: Some(versions.len() as u64),
            link: vec![BundleLink {
                relation: "self".to_owned(),
                url: self_url.to_owned(),
            }],
            entry: versions
                .into_iter()
                .map(|(resource, version, at)| {
                    let kind = resource.type_name();
                    let id = resource.id().unwrap_or_default().to_owned();
                    let mut e = entry(base, resource, None);
                    e.request = Some(EntryRequest {
                        method: if version == 1 { "POST" } else { "PUT" }.to_owned(),
                        url: if version == 1 {
                            kind.to_owned()
                        } else {
                            format!("{kind}/{id}")
                        },
                    });
                    e.response = Some(EntryResponse {
                        status: if version == 1 {
                            "201 Created"
                        } else {
                            "200 OK"
                        }
                        .to_owned(),
                        location: Some(format!("{kind}/{id}/_history/{version}")),
                        etag: Some(format!("W/\"{version}\"")),
                        last_modified: Some(crate::datatypes::instant(at)),
                        outcome: None,
                    });
                    e
                })
                .collect(),
        }
    }

    /// Adds `resources` to a search result as included (`_include`), after the matches.
    pub fn include(&mut self, base: &str, resources: Vec<Resource>) {
        self.entry.extend(
            resources
                .into_iter()
                .map(|r| entry(base, r, Some("include"))),
        );
    }

    /// A collection of resources (a patient's record, an export).
    pub fn collection(base: &str, resources: Vec<Resource>, at: jiff::Timestamp) -> Bundle {
        Bundle {
            id: None,
            type_: "collection".to_owned(),
            timestamp: Some(crate::datatypes::instant(at)),
            total: None,
            link: Vec::new(),
            entry: resources
                .into_iter()
                .map(|r| entry(base, r, None))
                .collect(),
        }
    }
}

fn entry(base: &str, resource: Resource, mode: Option<&str>) -> BundleEntry {
    // Without a base (an export read outside any server) entries carry no full URL.
    let full_url = resource
        .id()
        .filter(|_| !base.is_empty())
        .map(|id| format!("{base}/{}/{id}", resource.type_name()));
    BundleEntry {
        full_url,
        resource: Some(resource),
        search: mode.map(|m| EntrySearch { mode: m.to_owned() }),
        request: None,
        response: None,
    }
}
