//! `hearth token …`: API bearer tokens from the command line. The secret is printed once, when
//! the token is issued, and never again: Hearth keeps only its hash.

use clap::Subcommand;
use hearth_app::{ApiTokenLine, App};
use hearth_domain::api_token::TokenExpiry;

use crate::config::Common;

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Issue a token that acts as a user for API clients. Prints the token once: store it in the
    /// client's secret store at once, it cannot be shown again.
    Create {
        /// The email address of the account the token acts as.
        #[arg(long)]
        user: String,
        /// When the token stops working: a duration (90d, 12w, 6 months) or a date
        /// (2027-03-01, at 00:00 local time). At most a year.
        #[arg(long, default_value = "90d")]
        expires: String,
        /// What the token is for, e.g. "ward dashboard" (shown by `hearth token list`).
        #[arg(long, default_value = "")]
        name: String,
        #[command(flatten)]
        common: Common,
    },
    /// List a user's tokens: id, label, created, expires, last used and state (never the secret).
    List {
        /// The email address of the account.
        #[arg(long)]
        user: String,
        #[command(flatten)]
        common: Common,
    },
    /// Revoke a token by its id (from `hearth token list`): it stops working at once.
    Revoke {
        /// The token's id.
        id: String,
        #[command(flatten)]
        common: Common,
    },
}

pub async fn run(command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create {
            user,
            expires,
            name,
            common,
        } => {
            let expiry = TokenExpiry::parse(&expires)?;
            let app = common.open().await?;
            let issued = app.create_api_token(&user, &name, expiry).await;
            app.store().close().await;
            let issued = issued?;
            println!(
                "created API token {} for {}, expires {}",
                issued.id,
                issued.email,
                app.local_time(issued.expires_at)
            );
            println!("token: {}", issued.secret);
            println!("This is the only time the token is shown: keep it in a secret store.");
            Ok(())
        }
        TokenCommand::List { user, common } => {
            let app = common.open().await?;
            let tokens = app.api_tokens_of(&user).await;
            app.store().close().await;
            let tokens = tokens?;
            if tokens.is_empty() {
                println!("{user} has no API tokens");
            }
            for token in &tokens {
                println!("{}", line(&app, token));
            }
            Ok(())
        }
        TokenCommand::Revoke { id, common } => {
            let app = common.open().await?;
            let revoked = app.revoke_api_token(&id).await;
            app.store().close().await;
            let revoked = revoked?;
            println!("revoked API token {}; it no longer works", revoked.id);
            Ok(())
        }
    }
}

/// One token as a line of tab-separated fields: id, label, created, expires, last used, state.
fn line(app: &App, ApiTokenLine { token, expired }: &ApiTokenLine) -> String {
    let state = match token.revoked_at {
        Some(at) => format!("revoked {}", app.local_time(at)),
        None if *expired => "expired".to_owned(),
        None => "active".to_owned(),
    };
    let label = if token.label.is_empty() {
        "(no label)"
    } else {
        &token.label
    };
    format!(
        "{}\t{label}\tcreated {}\texpires {}\tlast used {}\t{state}",
        token.id,
        app.local_time(token.created_at),
        app.local_time(token.expires_at),
        token
            .last_used_at
            .map_or_else(|| "never".to_owned(), |at| app.local_time(at)),
    )
}
