//! `hearth demo`: writes a synthetic region, showing progress on the terminal.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use clap::Args;
use hearth_app::App;
use hearth_app::demo::{DemoOptions, DemoReport};

use crate::config::Common;

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// How many patients to create.
    #[arg(long, default_value_t = 300)]
    pub patients: u64,
    /// Seed for the random choices; the same seed gives the same region.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Also write this many synthetic audit records (staff opening pages), e.g. to benchmark
    /// `hearth audit verify` on a long trail.
    #[arg(long, default_value_t = 0)]
    pub audit_records: u64,
    #[command(flatten)]
    pub common: Common,
}

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let app = args.common.open().await?;
    let report = create(&app, args.patients, args.seed).await?;
    if args.audit_records > 0 {
        let started = Instant::now();
        app.write_demo_audit_history(args.audit_records, args.seed)
            .await?;
        eprintln!(
            "{} synthetic audit records written in {:.1} s",
            args.audit_records,
            started.elapsed().as_secs_f64()
        );
    }
    print_sign_ins(&app);
    eprintln!(
        "demo region: {} organisations, {} practitioners, {} patients",
        report.organisations, report.practitioners, report.patients
    );
    app.store().close().await;
    Ok(())
}

/// Creates the region with a progress display, and reports how long it took.
pub async fn create(app: &App, patients: u64, seed: u64) -> anyhow::Result<DemoReport> {
    let started = Instant::now();
    let terminal = std::io::stderr().is_terminal();
    let mut last_tenth = 0;
    let mut progress = |written: u64, total: u64| {
        let tenth = written * 10 / total.max(1);
        if terminal {
            eprint!("\rwriting demo patients: {written} of {total}");
            let _ = std::io::stderr().flush();
        } else if tenth > last_tenth {
            last_tenth = tenth;
            eprintln!("writing demo patients: {written} of {total}");
        }
    };
    let report = app
        .create_demo_region(DemoOptions { patients, seed }, &mut progress)
        .await?;
    if terminal {
        eprintln!();
    }
    eprintln!(
        "demo region written in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(report)
}

/// Prints one line per demo account, in the form scripts read.
pub fn print_sign_ins(app: &App) {
    for sign_in in app.demo_sign_ins() {
        println!(
            "demo sign-in: {} {} {}",
            sign_in.role, sign_in.email, sign_in.password
        );
    }
}
