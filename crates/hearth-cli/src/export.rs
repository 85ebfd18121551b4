//! `hearth export`: FHIR R4 resources of one patient or of everything Hearth holds, as NDJSON
//! (one resource per line) or as one collection Bundle. Each patient's export is audited as an
//! administrative read; progress goes to standard error.

use std::io::Write;

use anyhow::Context;
use clap::{Args, ValueEnum};
use hearth_app::App;
use hearth_domain::PatientId;
use hearth_fhir::{Bundle, Resource, map};

use crate::config::Common;

#[derive(Args, Debug)]
#[group(id = "which", required = true, multiple = false)]
pub struct ExportArgs {
    /// Export this patient's record (their id).
    #[arg(long, group = "which")]
    patient: Option<String>,
    /// Export every patient's record and the directory (organisations, practitioners, roles).
    #[arg(long, group = "which")]
    all: bool,
    /// `ndjson` (one resource per line) or `bundle` (one collection Bundle).
    #[arg(long, value_enum, default_value = "ndjson")]
    format: Format,
    /// Write to this file instead of standard output.
    #[arg(long)]
    output: Option<std::path::PathBuf>,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Ndjson,
    Bundle,
}

pub async fn run(args: ExportArgs) -> anyhow::Result<()> {
    let ids = match &args.patient {
        Some(id) => vec![PatientId::parse(id).with_context(|| {
            format!("'{id}' is not a patient id: give the id shown in the patient's address (/patients/ID)")
        })?],
        None => Vec::new(),
    };
    let app = args.common.open().await?;
    let result = export(&app, &args, ids).await;
    app.store().close().await;
    result
}

async fn export(app: &App, args: &ExportArgs, ids: Vec<PatientId>) -> anyhow::Result<()> {
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let mut sink = Sink {
        format: args.format,
        out: &mut *out,
        collected: Vec::new(),
        written: 0,
    };
    if args.all {
        let directory = app.export_directory().await?;
        for o in &directory.organisations {
            sink.put(Resource::Organization(map::organization(o)))?;
        }
        for service in directory
            .organisations
            .iter()
            .filter_map(map::healthcare_service)
        {
            sink.put(Resource::HealthcareService(service))?;
        }
        for p in &directory.practitioners {
            sink.put(Resource::Practitioner(map::practitioner(p)))?;
        }
        for (r, name) in &directory.roles {
            sink.put(Resource::PractitionerRole(map::practitioner_role(r, name)))?;
        }
    }
    let mut prefetched = None;
    let mut trailing = Vec::new();
    let ids = if args.all {
        app.export_patient_ids().await?
    } else {
        // One patient's file carries, after the record, the part of the directory it refers
        // to, so that it can be imported on its own.
        let records = app.export_records(&ids).await?;
        let directory = app.export_directory().await?;
        trailing = referenced_directory(&records, &directory);
        prefetched = Some(records);
        ids
    };
    let started = std::time::Instant::now();
    let mut done = 0;
    for batch in ids.chunks(BATCH) {
        let records = match prefetched.take() {
            Some(records) => records,
            None => app.export_records(batch).await?,
        };
        for record in records {
            for resource in hearth_web::fhir_resources(&record) {
                sink.put(resource)?;
            }
        }
        let before = done;
        done += batch.len();
        if done / 1000 > before / 1000 {
            eprintln!("exported {done} of {} patients", ids.len());
        }
    }
    for resource in trailing {
        sink.put(resource)?;
    }
    let written = sink.finish(app.now())?;
    out.flush().context("cannot write the export")?;
    eprintln!(
        "exported {} patients, {written} resources in {:.1} s",
        ids.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Patients read in one transaction, their audit records committed together.
const BATCH: usize = 200;

/// The organisations and practitioners (with their roles) that `records` refer to anywhere in
/// their FHIR (found by walking every reference, so a new kind of record cannot be forgotten),
/// and the organisations those refer to in turn (a department's hospital, a role's
/// organisation).
fn referenced_directory(
    records: &[hearth_app::PatientRecord],
    directory: &hearth_app::DirectoryRecords,
) -> Vec<Resource> {
    use std::collections::BTreeSet;
    let mut orgs = BTreeSet::new();
    let mut people = BTreeSet::new();
    let mut role_ids = BTreeSet::new();
    for record in records {
        for resource in hearth_web::fhir_resources(record) {
            for (kind, id) in hearth_fhir::include::all_references(&resource) {
                match kind.as_str() {
                    "Organization" | "HealthcareService" => {
                        orgs.insert(hearth_domain::OrganisationId::new(id));
                    }
                    "Practitioner" => {
                        people.insert(hearth_domain::PractitionerId::new(id));
                    }
                    "PractitionerRole" => {
                        role_ids.insert(id);
                    }
                    _ => {}
                }
            }
        }
    }
    people.extend(
        directory
            .roles
            .iter()
            .filter(|(r, _)| role_ids.contains(r.id.as_str()))
            .map(|(r, _)| r.practitioner_id.clone()),
    );
    let roles: Vec<_> = directory
        .roles
        .iter()
        .filter(|(r, _)| people.contains(&r.practitioner_id))
        .collect();
    orgs.extend(roles.iter().map(|(r, _)| r.organisation_id.clone()));
    // Parents, until nothing is added.
    loop {
        let parents: Vec<_> = directory
            .organisations
            .iter()
            .filter(|o| orgs.contains(&o.id))
            .filter_map(|o| o.part_of.clone())
            .filter(|p| !orgs.contains(p))
            .collect();
        if parents.is_empty() {
            break;
        }
        orgs.extend(parents);
    }
    let referred: Vec<_> = directory
        .organisations
        .iter()
        .filter(|o| orgs.contains(&o.id))
        .collect();
    let mut out: Vec<Resource> = referred
        .iter()
        .map(|o| Resource::Organization(map::organization(o)))
        .collect();
    out.extend(
        referred
            .iter()
            .filter_map(|o| map::healthcare_service(o))
            .map(Resource::HealthcareService),
    );
    out.extend(
        directory
            .practitioners
            .iter()
            .filter(|p| people.contains(&p.id))
            .map(|p| Resource::Practitioner(map::practitioner(p))),
    );
    out.extend(
        roles
            .into_iter()
            .map(|(r, name)| Resource::PractitionerRole(map::practitioner_role(r, name))),
    );
    out
}

/// Where resources go: straight out as lines, or gathered into one Bundle.
struct Sink<'a> {
    format: Format,
    out: &'a mut dyn Write,
    collected: Vec<Resource>,
    written: usize,
}

impl Sink<'_> {
    fn put(&mut self, resource: Resource) -> anyhow::Result<()> {
        self.written += 1;
        match self.format {
            Format::Ndjson => {
                serde_json::to_writer(&mut *self.out, &resource)
                    .context("cannot write the export")?;
                self.out
                    .write_all(b"\n")
                    .context("cannot write the export")?;
            }
            Format::Bundle => self.collected.push(resource),
        }
        Ok(())
    }

    fn finish(self, at: jiff::Timestamp) -> anyhow::Result<usize> {
        if self.format == Format::Bundle {
            let bundle = Bundle::collection("", self.collected, at);
            serde_json::to_writer(&mut *self.out, &Resource::Bundle(bundle))
                .context("cannot write the export")?;
            self.out
                .write_all(b"\n")
                .context("cannot write the export")?;
        }
        Ok(self.written)
    }
}
