//! A local SMTP test server: accepts every mail on a port of 127.0.0.1 and keeps what it
//! received, so tests read exactly what Hearth sent (envelope and message). It can be told to
//! refuse recipients, to test retries.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One mail as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    pub from: String,
    pub to: Vec<String>,
    /// The message after DATA, with dot-stuffing undone.
    pub data: String,
}

#[derive(Debug, Default)]
struct State {
    received: Vec<ReceivedMail>,
    refusing: bool,
}

/// The server; it stops when dropped.
#[derive(Debug)]
pub struct SmtpTestServer {
    pub address: String,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpTestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpTestServer {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = shared.clone();
                tokio::spawn(async move {
                    let _ = session(stream, state).await;
                });
            }
        });
        Self {
            address,
            state,
            task,
        }
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.state.lock().unwrap().received.clone()
    }

    /// Refuses (or again accepts) every recipient with a permanent-looking 550.
    pub fn refuse(&self, refusing: bool) {
        self.state.lock().unwrap().refusing = refusing;
    }
}

async fn session(stream: tokio::net::TcpStream, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    let mut stream = BufReader::new(stream);
    stream
        .get_mut()
        .write_all(b"220 smtp.test ESMTP ready\r\n")
        .await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let upper = command.to_ascii_uppercase();
        let answer: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            b"250-smtp.test\r\n250 8BITMIME\r\n"
        } else if let Some(rest) = upper.strip_prefix("MAIL FROM:") {
            from = command[command.len() - rest.len()..].to_owned();
            b"250 OK\r\n"
        } else if let Some(rest) = upper.strip_prefix("RCPT TO:") {
            if state.lock().unwrap().refusing {
                b"550 no such mailbox here\r\n"
            } else {
                to.push(command[command.len() - rest.len()..].to_owned());
                b"250 OK\r\n"
            }
        } else if upper == "DATA" {
            stream
                .get_mut()
                .write_all(b"354 end with a lone dot\r\n")
                .await?;
            let mut data = String::new();
            loop {
                let mut line = String::new();
                if stream.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            state.lock().unwrap().received.push(ReceivedMail {
                from: std::mem::take(&mut from),
                to: std::mem::take(&mut to),
                data,
            });
            b"250 queued\r\n"
        } else if upper == "QUIT" {
            stream.get_mut().write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else if upper == "RSET" || upper == "NOOP" {
            b"250 OK\r\n"
        } else {
            b"502 not implemented\r\n"
        };
        stream.get_mut().write_all(answer).await?;
    }
}
