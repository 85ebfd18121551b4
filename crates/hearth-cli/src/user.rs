//! `hearth user …`: user administration from the command line.

use std::io::BufRead;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use hearth_app::{NewUser, NewUserRole, random_token};

use crate::config::Common;

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user account with one role in an organisation. Prints a generated password
    /// unless --password-stdin is given.
    Add(AddArgs),
    /// Disable an account: it can no longer sign in and its sessions end. Nothing is deleted.
    Disable {
        /// The account's email address.
        #[arg(long)]
        email: String,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// Email address; the user signs in with it.
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub given_name: String,
    #[arg(long)]
    pub family_name: String,
    /// The organisation, by id or by exact name.
    #[arg(long)]
    pub organisation: String,
    /// Profession code, e.g. gp, district-nurse, specialist-palliative-nurse, ooh-doctor,
    /// palliative-physician, care-home-nurse, service-manager, administrator.
    #[arg(long)]
    pub profession: String,
    /// Work telephone number.
    #[arg(long, default_value = "")]
    pub phone: String,
    /// Read the password from the first line of standard input instead of generating one.
    #[arg(long)]
    pub password_stdin: bool,
    #[command(flatten)]
    pub common: Common,
}

pub async fn run(command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add(args) => add(args).await,
        UserCommand::Disable { email, common } => {
            let app = common.open().await?;
            let account = app.disable_user(&email).await?;
            println!(
                "disabled {} ({}); their sessions have ended",
                account.email, account.id
            );
            app.store().close().await;
            Ok(())
        }
    }
}

async fn add(args: AddArgs) -> anyhow::Result<()> {
    let app = args.common.open().await?;
    let organisations = app.organisations().await?;
    let organisation = organisations
        .iter()
        .find(|o| o.id.as_str() == args.organisation || o.name == args.organisation)
        .with_context(|| {
            format!(
                "no organisation has the id or name '{}'; check the spelling",
                args.organisation
            )
        })?;
    let (password, generated) = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        let password = line.trim_end_matches(['\r', '\n']).to_owned();
        if password.is_empty() {
            bail!("standard input held no password");
        }
        (password, false)
    } else {
        // 24 hex characters: 96 bits, plenty for a first password the user then changes.
        (random_token()?[..24].to_owned(), true)
    };
    let account = app
        .create_user(NewUser {
            email: args.email,
            password: password.clone(),
            given_name: args.given_name,
            family_name: args.family_name,
            roles: vec![NewUserRole {
                organisation_id: organisation.id.clone(),
                profession: args.profession,
                phone: args.phone,
            }],
        })
        .await?;
    println!(
        "created user {} ({}) in {}",
        account.email, account.id, organisation.name
    );
    if generated {
        println!("password: {password}");
    }
    app.store().close().await;
    Ok(())
}
