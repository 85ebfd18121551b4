//! Configuration shared by every command, and logging set-up.

use anyhow::Context;
use clap::Args;
use hearth_app::{App, AppConfig, Store};
use hearth_domain::national_number::NationalNumberSystem;
use jiff::tz::TimeZone;

/// Options every command that opens the database accepts.
#[derive(Args, Debug, Clone)]
pub struct Common {
    /// Database: sqlite://PATH (embedded, the default) or postgres://USER@HOST/DATABASE.
    #[arg(
        long,
        env = "HEARTH_DATABASE_URL",
        default_value = "sqlite://hearth-data/hearth.db"
    )]
    pub database_url: String,
    /// National patient numbering system: `nhs` (NHS number) or `no-fnr` (Norwegian fødselsnummer).
    #[arg(long, env = "HEARTH_NATIONAL_NUMBER_SYSTEM", default_value = "nhs")]
    pub national_number_system: String,
    /// Local time zone (IANA name) for dates and times people read.
    #[arg(long, env = "HEARTH_TIME_ZONE", default_value = "Europe/London")]
    pub time_zone: String,
    /// How many hours emergency access to a record outside one's care team lasts (1–72).
    #[arg(long, env = "HEARTH_EMERGENCY_ACCESS_HOURS", default_value_t = 12,
          value_parser = clap::value_parser!(u16).range(1..=72))]
    pub emergency_access_hours: u16,
}

impl Common {
    pub fn app_config(&self) -> anyhow::Result<AppConfig> {
        let national_number_system = NationalNumberSystem::by_name(&self.national_number_system)
            .with_context(|| {
                format!(
                    "unknown national number system '{}': use nhs or no-fnr",
                    self.national_number_system
                )
            })?;
        let time_zone = TimeZone::get(&self.time_zone).with_context(|| {
            format!(
                "unknown time zone '{}': use an IANA name like Europe/Oslo",
                self.time_zone
            )
        })?;
        Ok(AppConfig {
            national_number_system,
            time_zone,
            emergency_access_duration: jiff::SignedDuration::from_hours(i64::from(
                self.emergency_access_hours,
            )),
            ..AppConfig::default()
        })
    }

    /// Connects to the database, applies migrations and builds the app.
    pub async fn open(&self) -> anyhow::Result<App> {
        let config = self.app_config()?;
        let store = Store::connect(&self.database_url).await?;
        store.migrate().await?;
        Ok(App::new(store, config))
    }
}

/// Logs go to standard error (standard output carries the lines scripts read). `RUST_LOG`
/// overrides the level. No patient data is ever logged.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
}
