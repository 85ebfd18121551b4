//! The JSON input path under fuzzing: a million mutated resources (from the official HL7
//! examples, Hearth's own Patient and one resource of every kind Hearth exports) go through
//! what the API and `hearth import` run on a body — `parse::json`, `parse::patient`, typed
//! deserialisation and the whole-record import (`import::read`, beside the unmutated Patient
//! the resource belongs to) — and none may panic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use hearth_fhir::{Resource, import, parse};

const INPUTS: usize = 1_000_000;
const NHS: &str = "https://fhir.nhs.uk/Id/nhs-number";

/// Each seed with the Patient its record belongs to, for the whole-record import.
fn seeds() -> Vec<(Vec<u8>, Option<serde_json::Value>)> {
    let mut seeds: Vec<Vec<u8>> = vec![
        br#"{"resourceType":"Patient","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],"name":[{"family":"Carter","given":["Edith"]}],"gender":"female","birthDate":"1941-03-09","address":[{"line":["4 Mill Lane"],"city":"Ashby"}],"generalPractitioner":[{"reference":"Organization/o1"}],"extension":[{"url":"https://fhir.hearth.example/StructureDefinition/rural","valueBoolean":true}]}"#.to_vec(),
        br#"{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient"}}]}"#.to_vec(),
    ];
    let examples =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fhir-r4-examples");
    if let Ok(dir) = std::fs::read_dir(&examples) {
        for entry in dir.flatten() {
            if entry.path().extension().is_some_and(|e| e == "json") {
                seeds.push(std::fs::read(entry.path()).unwrap());
            }
        }
    }
    let mut seeds: Vec<(Vec<u8>, Option<serde_json::Value>)> =
        seeds.into_iter().map(|s| (s, None)).collect();
    // One resource of every kind Hearth exports, from a synthetic demo region.
    let exported = include_str!("fixtures/demo-records.ndjson");
    let values: Vec<serde_json::Value> = exported
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for v in &values {
        let patient = ["subject", "patient", "for"]
            .iter()
            .find_map(|k| v[k]["reference"].as_str())
            .and_then(|r| r.strip_prefix("Patient/"))
            .and_then(|id| {
                values
                    .iter()
                    .find(|p| p["resourceType"] == "Patient" && p["id"] == id)
            });
        seeds.push((v.to_string().into_bytes(), patient.cloned()));
    }
    seeds
}

/// Pieces of JSON that mutations splice in: wrong types, odd numbers, deep nesting, escapes.
const SPLICES: &[&str] = &[
    "null",
    "true",
    "[]",
    "{}",
    "\"\"",
    "0",
    "-1",
    "1e309",
    "18446744073709551616",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]",
    "{\"resourceType\":\"Patient\"}",
    "\"Patient\"",
    "\"2026-02-30\"",
    "\"9999-99-99\"",
    "\"é-goal-1\"",
    "\",\"",
    "\"\\\"\"",
];

fn mutate(rng: &mut fastrand::Rng, seed: &[u8]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for _ in 0..rng.usize(1..4) {
        if bytes.is_empty() {
            bytes.extend_from_slice(SPLICES[rng.usize(..SPLICES.len())].as_bytes());
            continue;
        }
        let at = rng.usize(..bytes.len());
        match rng.u8(..6) {
            0 => bytes[at] = rng.u8(..),
            1 => bytes.truncate(at),
            2 => {
                bytes.remove(at);
            }
            3 => {
                let splice = SPLICES[rng.usize(..SPLICES.len())].as_bytes();
                bytes.splice(at..at, splice.iter().copied());
            }
            4 => {
                // Replace a value after a colon with a splice: keeps most of the structure.
                if let Some(colon) = bytes[at..].iter().position(|b| *b == b':') {
                    let start = at + colon + 1;
                    let end = bytes[start..]
                        .iter()
                        .position(|b| matches!(b, b',' | b'}' | b']'))
                        .map_or(bytes.len(), |e| start + e);
                    let splice = SPLICES[rng.usize(..SPLICES.len())].as_bytes();
                    bytes.splice(start..end, splice.iter().copied());
                }
            }
            _ => {
                let from = rng.usize(..bytes.len());
                let len = rng.usize(..=(bytes.len() - from).min(64));
                let copy = bytes[from..from + len].to_vec();
                bytes.splice(at..at, copy);
            }
        }
    }
    bytes
}

/// Runs the input path on one body (with the Patient its record belongs to); every outcome but
/// a panic is fine.
fn run(body: &[u8], patient: Option<&serde_json::Value>) {
    if let Ok(value) = parse::json(body) {
        let _ = parse::resource_type(&value);
        let _ = parse::patient(&value, NHS);
        let now = jiff::Timestamp::UNIX_EPOCH;
        let _ = match patient {
            Some(p) => import::read(&[p.clone(), value.clone()], NHS, now),
            None => import::read(std::slice::from_ref(&value), NHS, now),
        };
        if let Ok(resource) = serde_json::from_value::<Resource>(value) {
            let _ = serde_json::to_vec(&resource);
        }
    }
}

#[test]
fn a_million_mutated_resources_never_panic_the_json_input_path() {
    let seeds = seeds();
    let mut rng = fastrand::Rng::with_seed(20_261_203);
    for n in 0..INPUTS {
        let (seed, patient) = &seeds[n % seeds.len()];
        let body = mutate(&mut rng, seed);
        if catch_unwind(AssertUnwindSafe(|| run(&body, patient.as_ref()))).is_err() {
            panic!(
                "input {n} panicked the JSON input path: {}",
                String::from_utf8_lossy(&body)
            );
        }
    }
}

#[test]
fn the_official_examples_are_read_or_refused_with_reasons() {
    let official: Vec<Vec<u8>> = seeds()
        .into_iter()
        .filter(|(_, patient)| patient.is_none())
        .map(|(seed, _)| seed)
        .collect();
    assert!(
        official.len() > 30,
        "the official examples (../shared/fhir-r4-examples beside the checkout) are missing"
    );
    for seed in official {
        let value = parse::json(&seed).unwrap();
        if parse::resource_type(&value) == Ok("Patient")
            && let Err(outcome) = parse::patient(&value, NHS)
        {
            assert!(
                outcome
                    .issue
                    .iter()
                    .all(|i| i.diagnostics.as_deref().is_some_and(|d| !d.is_empty())),
                "every refusal says why"
            );
        }
    }
}
