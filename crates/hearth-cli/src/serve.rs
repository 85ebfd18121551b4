//! `hearth serve`: runs the web server, optionally on a fresh demo region.

use std::net::SocketAddr;

use anyhow::{Context, bail};
use clap::Args;
use hearth_web::WebConfig;

use crate::config::Common;
use crate::demo;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on. Port 0 picks a free port (the chosen address is printed).
    #[arg(long, env = "HEARTH_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Demo mode: on an empty database, first create a synthetic demo region, and print the demo
    /// sign-ins. Only allowed on a loopback address.
    #[arg(long)]
    pub demo: bool,
    /// Patients in the demo region.
    #[arg(long, default_value_t = 300, requires = "demo")]
    pub demo_patients: u64,
    /// Mark cookies Secure (HTTPS only). Defaults to on, except on a loopback address.
    #[arg(long, env = "HEARTH_SECURE_COOKIES")]
    pub secure_cookies: Option<bool>,
    /// Hearth runs behind a reverse proxy that appends the client's address to
    /// X-Forwarded-For: sign-in throttling then counts that address instead of the proxy's.
    /// Leave off unless every request reaches Hearth through such a proxy, or clients could
    /// choose the address they are counted under.
    #[arg(long, env = "HEARTH_TRUSTED_PROXY")]
    pub trusted_proxy: bool,
    /// E-mail notification of urgent items: the SMTP relay (`host:port`) Hearth hands mail to,
    /// on this host or a trusted network; it delivers onwards. The e-mails carry no clinical
    /// details, only a link to the inbox. Needs --mail-from and --public-url.
    #[arg(long, env = "HEARTH_SMTP_RELAY", requires_all = ["mail_from", "public_url"])]
    pub smtp_relay: Option<String>,
    /// The sender address of notification e-mails.
    #[arg(long, env = "HEARTH_MAIL_FROM", requires = "smtp_relay")]
    pub mail_from: Option<String>,
    /// Hearth's address as users reach it (https://hearth.example.org), for the link in e-mails.
    #[arg(long, env = "HEARTH_PUBLIC_URL", requires = "smtp_relay")]
    pub public_url: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    if args.demo && !args.addr.ip().is_loopback() {
        bail!(
            "demo mode refuses to listen on {}: the demo accounts share a published password, so \
             demo mode only listens on this machine (127.0.0.1 or ::1). Drop --demo, or use --addr 127.0.0.1:8080.",
            args.addr
        );
    }
    let mut config = args.common.app_config()?;
    if let (Some(relay), Some(from), Some(url)) =
        (&args.smtp_relay, &args.mail_from, &args.public_url)
    {
        config.mail = Some(
            hearth_app::MailConfig::new(relay, from, url)
                .map_err(|why| anyhow::anyhow!("e-mail settings: {why}"))?,
        );
    }
    let mailing = config.mail.is_some();
    let app = args.common.open_with(config).await?;
    let mut web = WebConfig {
        secure_cookies: args.secure_cookies.unwrap_or(!args.addr.ip().is_loopback()),
        demo_sign_ins: Vec::new(),
        trusted_proxy: args.trusted_proxy,
    };
    if args.demo {
        if app.is_empty().await? {
            demo::create(&app, args.demo_patients, 1).await?;
        }
        demo::print_sign_ins(&app);
        web.demo_sign_ins = app
            .demo_sign_ins()
            .into_iter()
            .map(|s| (s.role.to_owned(), s.email, s.password.to_owned()))
            .collect();
    }
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {}: is another program using it?",
                args.addr
            )
        })?;
    let local = listener.local_addr()?;
    println!("listening on http://{local}");
    tracing::info!(addr = %local, backend = app.store().backend().name(), mailing, "Hearth is serving");
    let store = app.store().clone();
    let follow_up = tokio::spawn(follow_up(app.clone()));
    let mailer = tokio::spawn(send_mail(app.clone()));
    hearth_web::serve(listener, app, web, shutdown_signal())
        .await
        .context("the server stopped with an error")?;
    follow_up.abort();
    mailer.abort();
    store.close().await;
    Ok(())
}

/// How often each node looks for unanswered reply-by times and overdue tasks.
const FOLLOW_UP_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// Escalates unanswered reply-by times and overdue tasks every half minute, on every node: each
/// is escalated once, by whichever node marks it first.
async fn follow_up(app: hearth_app::App) {
    let mut every = tokio::time::interval(FOLLOW_UP_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if let Err(error) = app.escalate_overdue_replies().await {
            tracing::warn!(%error, "could not escalate unanswered reply-by times; trying again shortly");
        }
        if let Err(error) = app.escalate_overdue_tasks().await {
            tracing::warn!(%error, "could not escalate overdue tasks; trying again shortly");
        }
    }
}

/// Sends the e-mail notifications waiting in the outbox every half minute, apart from the
/// escalations so that a slow mail relay never delays them (each mail is claimed by one node).
async fn send_mail(app: hearth_app::App) {
    let mut every = tokio::time::interval(FOLLOW_UP_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if let Err(error) = app.send_pending_mail().await {
            tracing::warn!(%error, "could not send e-mail notifications; trying again shortly");
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM, so that requests in flight finish and SQLite checkpoints.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
