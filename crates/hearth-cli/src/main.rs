//! The `hearth` binary: runs the server and the administration commands. Configuration comes from
//! command-line flags, then `HEARTH_*` environment variables, then defaults.

mod audit;
mod config;
mod demo;
mod export;
mod import;
mod serve;
mod token;
mod user;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use config::Common;

/// Hearth: integrated palliative care — one team around a person dying at home.
#[derive(Parser)]
#[command(name = "hearth", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (applies pending migrations first).
    Serve(serve::ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        common: Common,
    },
    /// Write a deterministic synthetic region of N patients into an empty database.
    Demo(demo::DemoArgs),
    /// Manage user accounts.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Issue, list and revoke API bearer tokens.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Write FHIR R4 resources of one patient or of everything (NDJSON or a Bundle).
    Export(export::ExportArgs),
    /// Read FHIR R4 resources (a resource, a Bundle or NDJSON) into Hearth, acting as a user.
    Import(import::ImportArgs),
}

/// mimalloc instead of glibc's allocator: a page allocates many small, short-lived values (rows,
/// HTML) on several threads at once; the register page serves about 40 % more requests a second
/// with it (see docs/design/storage.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    config::init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve::run(args).await,
            Command::Migrate { common } => {
                let app = common.open().await?;
                println!(
                    "migrations applied to the {} database",
                    app.store().backend().name()
                );
                app.store().close().await;
                Ok(())
            }
            Command::Demo(args) => demo::run(args).await,
            Command::User(command) => user::run(command).await,
            Command::Token(command) => token::run(command).await,
            Command::Audit(command) => audit::run(command).await,
            Command::Export(args) => export::run(args).await,
            Command::Import(args) => import::run(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
