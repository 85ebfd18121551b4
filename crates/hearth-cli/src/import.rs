//! `hearth import FILE --user EMAIL`: reads FHIR R4 resources (one resource, a Bundle, or NDJSON
//! with one resource per line) and writes what Hearth can keep through the same use cases as the
//! web, acting as the named account. What Hearth cannot keep is refused, each refusal saying
//! why; a `transaction` Bundle is all or nothing.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use hearth_app::{Actor, App, AppError, PatientCreation};
use hearth_domain::patient::NewPatient;
use hearth_fhir::OperationOutcome;
use hearth_fhir::parse;
use serde_json::Value;

use crate::config::Common;

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// A FHIR R4 JSON file: one resource, a Bundle, or NDJSON (one resource per line).
    file: PathBuf,
    /// The account the import acts as (a clinician). Patients that come alone join this
    /// person's organisation's care team, as when they add a patient on the web, so it is
    /// required for them; whole records (an export of Hearth) bring their own care team, and
    /// without --user their import is recorded as the operator's.
    #[arg(long)]
    user: Option<String>,
    #[command(flatten)]
    common: Common,
}

/// One resource read from the file, with where it was.
struct Entry {
    place: String,
    value: Value,
}

/// How an import went.
#[derive(Debug, Default)]
struct Tally {
    read: usize,
    created: usize,
    present: usize,
    refused: usize,
}

pub async fn run(args: ImportArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let (entries, transaction) = read_entries(&bytes)
        .with_context(|| format!("{} is not FHIR JSON", args.file.display()))?;
    let app = args.common.open().await?;
    let result = import(&app, args.user.as_deref(), entries, transaction).await;
    app.store().close().await;
    let tally = result?;
    eprintln!(
        "imported {} patients, {} already present, {} resources refused",
        tally.created, tally.present, tally.refused
    );
    if tally.refused > 0 {
        anyhow::bail!(
            "{} of {} resources were refused (the reasons are above)",
            tally.refused,
            tally.read
        );
    }
    Ok(())
}

/// The resources of a file, and whether they form a transaction.
fn read_entries(bytes: &[u8]) -> anyhow::Result<(Vec<Entry>, bool)> {
    let text = std::str::from_utf8(bytes).context("the file is not UTF-8")?;
    let trimmed = text.trim_start();
    // One JSON value (pretty-printed or not), or NDJSON.
    if let Ok(value) = serde_json::from_str::<Value>(trimmed) {
        anyhow::ensure!(value.is_object(), "the file holds JSON but not a resource");
        if value.get("resourceType").and_then(Value::as_str) == Some("Bundle") {
            let transaction = value.get("type").and_then(Value::as_str) == Some("transaction");
            let entries = value
                .get("entry")
                .and_then(Value::as_array)
                .map(|a| a.as_slice())
                .unwrap_or_default()
                .iter()
                .enumerate()
                .map(|(i, e)| Entry {
                    place: format!("entry {}", i + 1),
                    value: e.get("resource").cloned().unwrap_or(Value::Null),
                })
                .collect();
            return Ok((entries, transaction));
        }
        return Ok((
            vec![Entry {
                place: "the resource".to_owned(),
                value,
            }],
            false,
        ));
    }
    let mut entries = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(line)
            .with_context(|| format!("line {} is not a JSON resource", n + 1))?;
        entries.push(Entry {
            place: format!("line {}", n + 1),
            value,
        });
    }
    Ok((entries, false))
}

/// What one resource becomes: a patient to create, or a refusal.
fn patient_of(entry: &Entry, system: &str) -> Result<NewPatient, OperationOutcome> {
    let kind = parse::resource_type(&entry.value)?;
    if kind != "Patient" {
        return Err(OperationOutcome::error(
            hearth_fhir::IssueType::NotSupported,
            format!(
                "Hearth imports Patient resources so far; {kind} is not imported yet (see docs/design/fhir-mapping.md)."
            ),
        ));
    }
    parse::patient(&entry.value, system)
}

fn report(entry: &Entry, outcome: &OperationOutcome) {
    let name = entry
        .value
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or("resource");
    let id = entry.value.get("id").and_then(Value::as_str).unwrap_or("");
    for issue in &outcome.issue {
        eprintln!(
            "refused {name}{}{id} ({}): {}",
            if id.is_empty() { "" } else { "/" },
            entry.place,
            issue.diagnostics.as_deref().unwrap_or("not importable")
        );
    }
}

fn refusal(error: AppError) -> Result<OperationOutcome, anyhow::Error> {
    match error {
        AppError::Invalid(v) => Ok(parse::validation(&v)),
        AppError::Duplicate(m) => Ok(OperationOutcome::error(
            hearth_fhir::IssueType::Duplicate,
            m,
        )),
        other => Err(other.into()),
    }
}

/// Whole records: all or nothing, every refusal named first.
async fn import_whole(
    app: &App,
    actor: Option<&Actor>,
    entries: &[Entry],
    transfer: hearth_domain::transfer::Transfer,
    refusals: Vec<hearth_fhir::import::Refusal>,
    mut tally: Tally,
) -> anyhow::Result<Tally> {
    for refusal in &refusals {
        if let Some(entry) = entries.get(refusal.index) {
            report(entry, &refusal.outcome);
        }
    }
    if !refusals.is_empty() {
        eprintln!(
            "the records were not imported: nothing was changed (a record import is all or nothing)"
        );
        tally.refused = refusals.len();
        return Ok(tally);
    }
    eprintln!(
        "importing {} patients' records, {} organisations, {} practitioners",
        transfer.records.len(),
        transfer.organisations.len(),
        transfer.practitioners.len()
    );
    match app.import_records(actor, transfer).await {
        Ok(done) => {
            tally.created = done.patients;
            tally.present = 0;
            eprintln!(
                "added {} organisations and {} practitioners to the directory ({} already there)",
                done.organisations, done.practitioners, done.directory_present
            );
        }
        Err(e) => {
            let outcome = refusal(e)?;
            for issue in &outcome.issue {
                eprintln!(
                    "refused the records: {}",
                    issue.diagnostics.as_deref().unwrap_or("")
                );
            }
            eprintln!("the records were not imported: nothing was changed");
            tally.refused = entries.len();
        }
    }
    Ok(tally)
}

/// Patients created in one transaction.
const BATCH: usize = 500;

async fn import_batch(
    app: &App,
    actor: &Actor,
    batch: Vec<(&Entry, NewPatient)>,
    tally: &mut Tally,
) -> anyhow::Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let inputs: Vec<NewPatient> = batch.iter().map(|(_, input)| input.clone()).collect();
    if let Ok(outcomes) = app.create_patients_unless_exist(actor, inputs).await {
        for outcome in outcomes {
            match outcome {
                PatientCreation::Created(_) => tally.created += 1,
                PatientCreation::Exists { .. } => tally.present += 1,
            }
        }
        return Ok(());
    }
    for (entry, input) in batch {
        match app.create_patient_unless_exists(actor, input).await {
            Ok(PatientCreation::Created(_)) => tally.created += 1,
            Ok(PatientCreation::Exists { .. }) => tally.present += 1,
            Err(e) => {
                report(entry, &refusal(e)?);
                tally.refused += 1;
            }
        }
    }
    Ok(())
}

async fn import(
    app: &App,
    user: Option<&str>,
    entries: Vec<Entry>,
    transaction: bool,
) -> anyhow::Result<Tally> {
    let actor = match user {
        Some(user) => Some(
            app.operator(user)
                .await
                .with_context(|| format!("cannot import as {user}"))?,
        ),
        None => None,
    };
    let system = app.config().national_number_system.system_uri.clone();
    let mut tally = Tally {
        read: entries.len(),
        ..Tally::default()
    };
    let values: Vec<Value> = entries.iter().map(|e| e.value.clone()).collect();
    let (transfer, refusals) = hearth_fhir::import::read(&values, &system, app.now());
    let whole = !transfer.organisations.is_empty()
        || !transfer.practitioners.is_empty()
        || transfer.records.iter().any(|r| r.has_record());
    if whole {
        return import_whole(app, actor.as_ref(), &entries, transfer, refusals, tally).await;
    }
    let Some(actor) = actor else {
        anyhow::bail!(
            "the file holds patients without their care team: name the account whose organisation will care for them with --user EMAIL"
        );
    };
    if transaction {
        // All or nothing: every entry must be importable, then one database transaction.
        let mut inputs = Vec::new();
        for entry in &entries {
            match patient_of(entry, &system) {
                Ok(input) => inputs.push(input),
                Err(outcome) => {
                    report(entry, &outcome);
                    tally.refused += 1;
                }
            }
        }
        if tally.refused > 0 {
            eprintln!("the transaction Bundle was not imported: nothing was changed");
            return Ok(tally);
        }
        match app.create_patients(&actor, inputs).await {
            Ok(created) => tally.created = created.len(),
            Err(e) => {
                let outcome = refusal(e)?;
                for issue in &outcome.issue {
                    eprintln!(
                        "refused the transaction Bundle: {}",
                        issue.diagnostics.as_deref().unwrap_or("")
                    );
                }
                eprintln!("the transaction Bundle was not imported: nothing was changed");
                tally.refused = entries.len();
            }
        }
        return Ok(tally);
    }
    // Patients go in batches (one transaction each); a batch with any refusal goes again one
    // by one, so that each refusal names its resource.
    let total = entries.len();
    let mut batch: Vec<(&Entry, NewPatient)> = Vec::new();
    for (n, entry) in entries.iter().enumerate() {
        match patient_of(entry, &system) {
            Err(outcome) => {
                report(entry, &outcome);
                tally.refused += 1;
            }
            Ok(input) => batch.push((entry, input)),
        }
        if batch.len() == BATCH || n + 1 == total {
            import_batch(app, &actor, std::mem::take(&mut batch), &mut tally).await?;
        }
        if (n + 1) % 1000 == 0 {
            eprintln!("read {} of {total} resources", n + 1);
        }
    }
    Ok(tally)
}
