//! E-mail notification of urgent items: queueing (in the transaction of what is announced) and
//! sending through an SMTP relay. The e-mails carry no clinical details — their words are fixed
//! (`hearth_domain::notification`) — so Hearth hands them to a relay on the same host or a trusted
//! network (a local Postfix, the organisation's mail relay), which delivers them onwards with TLS
//! as it is configured to. Hearth itself speaks plain SMTP and sends no credentials. See
//! `docs/design/notifications.md`.

use std::time::Duration;

use hearth_domain::PractitionerId;
use hearth_domain::notification::{MailReason, email_for};
use hearth_store::{PendingMail, Tx};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::{App, AppError};

/// How e-mail is sent, when it is (`AppConfig::mail`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailConfig {
    /// The SMTP relay, `host:port`.
    pub relay: String,
    /// The sender address.
    pub from: String,
    /// Hearth's address as users reach it (`https://hearth.example.org`), for the link.
    pub public_url: String,
}

/// Mails sent per run.
const MAILS_PER_RUN: u32 = 20;
/// How long a claimed mail stays with the node that claimed it: longer than a run can take
/// (20 mails, each at most six exchanges of 15 seconds), so no other node sends it meanwhile.
const CLAIM: jiff::SignedDuration = jiff::SignedDuration::from_mins(35);
/// How long one exchange with the relay may take.
const TIMEOUT: Duration = Duration::from_secs(15);

/// Why a mail could not be handed to the relay.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("could not reach the mail relay {relay}: {source}")]
    Connect {
        relay: String,
        source: std::io::Error,
    },
    #[error("the mail relay did not answer in time")]
    Timeout,
    #[error("the mail relay refused {step}: {reply}")]
    Refused { step: &'static str, reply: String },
    #[error("the connection to the mail relay failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("the address {0:?} cannot be used in an e-mail")]
    BadAddress(String),
}

impl MailConfig {
    /// Checks the settings; the error says which is wrong.
    pub fn new(relay: &str, from: &str, public_url: &str) -> Result<Self, String> {
        let relay = relay.trim();
        match relay.rsplit_once(':') {
            Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => {}
            _ => return Err(format!("the SMTP relay '{relay}' is not host:port")),
        }
        let from = from.trim();
        if hearth_domain::user::Email::parse(from).is_err() {
            return Err(format!(
                "the sender address '{from}' is not an e-mail address"
            ));
        }
        let public_url = public_url.trim().trim_end_matches('/');
        if !(public_url.starts_with("https://") || public_url.starts_with("http://"))
            || public_url.contains(char::is_whitespace)
        {
            return Err(format!(
                "Hearth's public address '{public_url}' must start with https:// (or http://)"
            ));
        }
        Ok(Self {
            relay: relay.to_owned(),
            from: from.to_owned(),
            public_url: public_url.to_owned(),
        })
    }
}

/// An address as it may appear in an SMTP command and a header: no line breaks or brackets.
fn safe_address(address: &str) -> Result<&str, MailError> {
    if address.is_empty()
        || address
            .chars()
            .any(|c| c.is_control() || matches!(c, '<' | '>' | ',' | ' '))
    {
        return Err(MailError::BadAddress(address.to_owned()));
    }
    Ok(address)
}

/// The message as sent after DATA: headers, body, dot-stuffed, ending with the lone dot.
pub fn message_text(
    (from, to): (&str, &str),
    subject: &str,
    body: &str,
    (date, message_id): (jiff::Timestamp, &str),
) -> String {
    let date = date.strftime("%a, %d %b %Y %H:%M:%S +0000");
    let mut text = format!(
        "From: Hearth <{from}>\r\nTo: <{to}>\r\nSubject: {subject}\r\nDate: {date}\r\n\
         Message-ID: <{message_id}@hearth>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\
         Auto-Submitted: auto-generated\r\n\r\n"
    );
    for line in body.split("\r\n") {
        if line.starts_with('.') {
            text.push('.');
        }
        text.push_str(line);
        text.push_str("\r\n");
    }
    if body.ends_with("\r\n") {
        // `split` gave a last empty line for the final line break: drop its extra break.
        text.truncate(text.len() - 2);
    }
    text.push_str(".\r\n");
    text
}

/// Reads one (possibly multi-line) reply: its code and text.
async fn reply(reader: &mut BufReader<TcpStream>) -> Result<(u16, String), MailError> {
    let mut all = String::new();
    loop {
        let mut line = String::new();
        let read = tokio::time::timeout(TIMEOUT, reader.read_line(&mut line))
            .await
            .map_err(|_| MailError::Timeout)??;
        if read == 0 {
            return Err(MailError::Io(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the relay closed the connection",
            )));
        }
        all.push_str(line.trim_end());
        let code = line.get(..3).and_then(|c| c.parse::<u16>().ok());
        match (code, line.as_bytes().get(3)) {
            (Some(code), Some(b'-')) if code > 0 => all.push(' '),
            (Some(code), _) => return Ok((code, all)),
            (None, _) => {
                return Err(MailError::Refused {
                    step: "the conversation",
                    reply: all,
                });
            }
        }
    }
}

/// Sends `command` and expects a reply of class 2 or 3 (or exactly `want`).
async fn step(
    reader: &mut BufReader<TcpStream>,
    command: &str,
    name: &'static str,
) -> Result<u16, MailError> {
    tokio::time::timeout(TIMEOUT, reader.get_mut().write_all(command.as_bytes()))
        .await
        .map_err(|_| MailError::Timeout)??;
    let (code, text) = reply(reader).await?;
    if !(200..400).contains(&code) {
        return Err(MailError::Refused {
            step: name,
            reply: text,
        });
    }
    Ok(code)
}

/// Hands one e-mail to the relay.
pub async fn send(
    config: &MailConfig,
    to: &str,
    (subject, body): (&str, &str),
    (date, message_id): (jiff::Timestamp, &str),
) -> Result<(), MailError> {
    let (from, to) = (safe_address(&config.from)?, safe_address(to)?);
    let stream = tokio::time::timeout(TIMEOUT, TcpStream::connect(&config.relay))
        .await
        .map_err(|_| MailError::Timeout)?
        .map_err(|source| MailError::Connect {
            relay: config.relay.clone(),
            source,
        })?;
    let mut reader = BufReader::new(stream);
    let (code, text) = reply(&mut reader).await?;
    if code != 220 {
        return Err(MailError::Refused {
            step: "the connection",
            reply: text,
        });
    }
    let helo = from.rsplit_once('@').map_or("hearth", |(_, domain)| domain);
    step(&mut reader, &format!("EHLO {helo}\r\n"), "EHLO").await?;
    step(
        &mut reader,
        &format!("MAIL FROM:<{from}>\r\n"),
        "the sender",
    )
    .await?;
    step(&mut reader, &format!("RCPT TO:<{to}>\r\n"), "the recipient").await?;
    if step(&mut reader, "DATA\r\n", "DATA").await? != 354 {
        return Err(MailError::Refused {
            step: "DATA",
            reply: "no 354 go-ahead".to_owned(),
        });
    }
    let text = message_text((from, to), subject, body, (date, message_id));
    step(&mut reader, &text, "the message").await?;
    // The mail is accepted; a failed goodbye changes nothing.
    let _ = step(&mut reader, "QUIT\r\n", "QUIT").await;
    Ok(())
}

impl App {
    /// Queues an e-mail to `person` for `reason` in the caller's transaction, when e-mail is
    /// configured.
    pub(crate) async fn queue_mail(
        &self,
        tx: &mut Tx,
        person: &PractitionerId,
        reason: MailReason,
    ) -> Result<(), AppError> {
        if self.config.mail.is_some() {
            tx.queue_mail(&self.ids.new_id(), person, reason, self.now())
                .await?;
        }
        Ok(())
    }

    /// Sends the e-mails waiting in the outbox through the relay; returns how many were sent.
    /// Several nodes may run this at once: each mail is claimed by one. A mail the relay
    /// refuses is retried at later runs, up to five attempts in all; while the relay cannot be
    /// reached, mails wait without using up attempts.
    pub async fn send_pending_mail(&self) -> Result<usize, AppError> {
        let Some(config) = &self.config.mail else {
            return Ok(0);
        };
        let mut tx = self.store.begin_write().await?;
        let claimed = tx.claim_mail(self.now(), CLAIM, MAILS_PER_RUN).await?;
        tx.commit().await?;
        let inbox = format!("{}/inbox", config.public_url);
        let mut sent = 0;
        let mut relay_down: Option<String> = None;
        for mail in claimed {
            let mut tx = self.store.begin_write().await?;
            if let Some(why) = &relay_down {
                // The relay cannot be reached: leave the rest for the next run, uncounted.
                tx.release_mail(&mail.id, why).await?;
                tx.commit().await?;
                continue;
            }
            match self.send_one(config, &inbox, &mail).await {
                Ok(()) => {
                    tx.mark_mail_sent(&mail.id, self.now()).await?;
                    sent += 1;
                }
                Err((error, _))
                    if matches!(error, MailError::Connect { .. } | MailError::Timeout) =>
                {
                    // The relay is down, which is no fault of the mail: it waits, uncounted,
                    // and so do the rest of this run's mails.
                    tracing::warn!(%error, "the mail relay cannot be reached; e-mail notifications wait");
                    tx.release_mail(&mail.id, &error.to_string()).await?;
                    relay_down = Some(error.to_string());
                }
                Err((error, give_up)) => {
                    tracing::warn!(mail = %mail.id, %error, "an e-mail notification was not sent");
                    tx.mark_mail_failed(&mail.id, &error.to_string(), give_up)
                        .await?;
                }
            }
            tx.commit().await?;
        }
        Ok(sent)
    }

    async fn send_one(
        &self,
        config: &MailConfig,
        inbox: &str,
        mail: &PendingMail,
    ) -> Result<(), (MailError, bool)> {
        let Some(address) = &mail.address else {
            return Err((
                MailError::BadAddress("no active account for this person".to_owned()),
                true,
            ));
        };
        let email = email_for(mail.reason, inbox);
        send(
            config,
            address,
            (email.subject, &email.body),
            (self.now(), &mail.id),
        )
        .await
        .map_err(|e| {
            let give_up = matches!(e, MailError::BadAddress(_));
            (e, give_up)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_is_dot_stuffed_and_ends_with_the_lone_dot() {
        let at = jiff::Timestamp::from_second(1_800_000_000).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let text = message_text(
            ("hearth@example.org", "gp@example.org"),
            "Hearth: test",
            "first\r\n.hidden\r\nlast\r\n",
            (at, "m-1"),
        );
        assert!(text.contains("\r\n\r\nfirst\r\n..hidden\r\nlast\r\n.\r\n"));
        assert!(text.starts_with("From: Hearth <hearth@example.org>\r\nTo: <gp@example.org>\r\n"));
        assert!(text.contains("Date: Fri, 15 Jan 2027 08:00:00 +0000\r\n"));
        assert!(text.ends_with("last\r\n.\r\n"));
    }

    #[test]
    fn settings_are_checked() {
        assert!(
            MailConfig::new("localhost:25", "hearth@example.org", "https://h.example/").is_ok()
        );
        assert!(MailConfig::new("localhost", "hearth@example.org", "https://h").is_err());
        assert!(MailConfig::new("localhost:25", "not an address", "https://h").is_err());
        assert!(MailConfig::new("localhost:25", "hearth@example.org", "h.example").is_err());
        let ok = MailConfig::new("relay:2525", "a@b.example", "https://h.example/")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ok.public_url, "https://h.example");
    }

    #[test]
    fn addresses_with_line_breaks_are_refused() {
        assert!(safe_address("gp@example.org").is_ok());
        assert!(safe_address("gp@example.org>\r\nRCPT TO:<x@y").is_err());
        assert!(safe_address("").is_err());
    }
}
