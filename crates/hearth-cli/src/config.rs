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
    /// How long emergency access to a record outside one's care team lasts: `12h`, `90m`, …
    /// (from 5 seconds, for tests, to 72 hours).
    #[arg(long, env = "HEARTH_EMERGENCY_ACCESS", default_value = "12h", value_parser = emergency_duration)]
    pub emergency_access: jiff::SignedDuration,
    /// The least notice of a discharge the receiving team should get (`24h`, `48h`); less is
    /// flagged.
    #[arg(long, env = "HEARTH_DISCHARGE_NOTICE", default_value = "24h", value_parser = notice_duration)]
    pub discharge_notice: jiff::SignedDuration,
    /// A discharge at or after this local hour is flagged as late.
    #[arg(long, env = "HEARTH_DISCHARGE_LATE_HOUR", default_value_t = 15, value_parser = clap::value_parser!(i8).range(0..=23))]
    pub discharge_late_hour: i8,
    /// Public holidays for the discharge risk flags, as dates (2026-12-25,2026-12-28,…); the
    /// default is the England and Wales bank holidays of 2026 and 2027.
    #[arg(long, env = "HEARTH_PUBLIC_HOLIDAYS", value_delimiter = ',', value_parser = holiday)]
    pub public_holidays: Vec<jiff::civil::Date>,
    /// What makes a discharge complex enough for a discharge planning meeting: any of
    /// `unstable`, `syringe-driver`, `no-carer` (comma-separated; all by default).
    #[arg(long, env = "HEARTH_COMPLEX_DISCHARGE", value_delimiter = ',', default_value = "unstable,syringe-driver,no-carer", value_parser = ["unstable", "syringe-driver", "no-carer"])]
    pub complex_discharge: Vec<String>,
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
        let defaults = AppConfig::default();
        let has = |c: &str| self.complex_discharge.iter().any(|x| x == c);
        Ok(AppConfig {
            national_number_system,
            time_zone,
            emergency_access_duration: self.emergency_access,
            discharge_rules: hearth_domain::transition::DischargeRules {
                min_notice: self.discharge_notice,
                late_hour: self.discharge_late_hour,
                ..defaults.discharge_rules
            },
            complexity_rule: hearth_domain::transition::ComplexityRule {
                unstable_or_deteriorating: has("unstable"),
                new_syringe_driver: has("syringe-driver"),
                no_carer: has("no-carer"),
            },
            public_holidays: if self.public_holidays.is_empty() {
                defaults.public_holidays.clone()
            } else {
                self.public_holidays.clone()
            },
            ..defaults
        })
    }

    /// Connects to the database, applies migrations and builds the app.
    pub async fn open(&self) -> anyhow::Result<App> {
        self.open_with(self.app_config()?).await
    }

    /// Like `open`, with a configuration the caller completed.
    pub async fn open_with(&self, config: AppConfig) -> anyhow::Result<App> {
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

/// Parses the emergency access duration ("12h", "90m", "30s") and checks its range.
fn emergency_duration(text: &str) -> Result<jiff::SignedDuration, String> {
    let duration: jiff::SignedDuration = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a duration: write it like 12h, 90m or 30s"))?;
    let (shortest, longest) = (
        jiff::SignedDuration::from_secs(5),
        jiff::SignedDuration::from_hours(72),
    );
    if duration < shortest || duration > longest {
        return Err(format!(
            "emergency access must last between 5 seconds and 72 hours, not {text}"
        ));
    }
    Ok(duration)
}

/// Parses the discharge notice rule ("24h") and checks it is between none and a week.
fn notice_duration(text: &str) -> Result<jiff::SignedDuration, String> {
    let duration: jiff::SignedDuration = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a duration: write it like 24h or 48h"))?;
    if duration.is_negative() || duration > jiff::SignedDuration::from_hours(24 * 7) {
        return Err(format!(
            "the discharge notice rule must be between 0 and a week, not {text}"
        ));
    }
    Ok(duration)
}

/// Parses one public holiday (YYYY-MM-DD).
fn holiday(text: &str) -> Result<jiff::civil::Date, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a date: write holidays like 2026-12-25"))
}

#[cfg(test)]
mod tests {
    use super::{emergency_duration, holiday, notice_duration};

    #[test]
    fn discharge_rules_are_read_and_bounded() {
        assert_eq!(
            notice_duration("48h").unwrap(),
            jiff::SignedDuration::from_hours(48)
        );
        assert!(notice_duration("9 days").is_err());
        assert!(notice_duration("-1h").is_err());
        assert_eq!(
            holiday("2026-12-25").unwrap(),
            jiff::civil::date(2026, 12, 25)
        );
        assert!(holiday("Christmas").is_err());
    }

    #[test]
    fn emergency_access_durations_are_read_and_bounded() {
        assert_eq!(
            emergency_duration("12h").unwrap(),
            jiff::SignedDuration::from_hours(12)
        );
        assert_eq!(
            emergency_duration("90m").unwrap(),
            jiff::SignedDuration::from_mins(90)
        );
        assert!(emergency_duration("1s").is_err());
        assert!(emergency_duration("73h").is_err());
        assert!(emergency_duration("soon").is_err());
    }
}
