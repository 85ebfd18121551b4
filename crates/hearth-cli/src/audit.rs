//! `hearth audit …`: checking the audit trail.

use std::time::Instant;

use anyhow::{Context, bail};
use clap::Subcommand;
use hearth_store::Store;

use crate::config::Common;

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Verify the audit trail's hash chain, reading every record in order. Exits 0 when the chain
    /// is intact; otherwise exits 1 naming the first record that was edited, deleted, inserted
    /// or moved. Changes nothing.
    Verify {
        #[command(flatten)]
        common: Common,
    },
}

pub async fn run(command: AuditCommand) -> anyhow::Result<()> {
    match command {
        AuditCommand::Verify { common } => {
            let store = Store::connect(&common.database_url).await?;
            let started = Instant::now();
            let check = store.verify_audit_chain().await.context(
                "cannot read the audit trail (if the database predates the audit chain, run `hearth migrate` first)",
            )?;
            let seconds = started.elapsed().as_secs_f64();
            store.close().await;
            match check.broken {
                None => {
                    println!(
                        "audit chain intact: {} records verified in {seconds:.1} s; head {}",
                        check.records, check.head
                    );
                    Ok(())
                }
                Some(broken) => bail!(
                    "audit chain broken at record {}: {} ({} records before it verified)",
                    broken.seq,
                    broken.problem,
                    check.records
                ),
            }
        }
    }
}
