//! E-mail notification of urgent items. An e-mail never carries clinical details: not the
//! patient's name or number, not the topic or the words of a message, not a task's title — only
//! that something urgent waits in Hearth, and a link to the inbox. So the outbox stores only
//! whom to tell and why (a [`MailReason`]), and the words of every e-mail come from the fixed
//! texts below. See `docs/design/notifications.md`.

crate::coded_enum! {
    /// Why someone is e-mailed.
    pub enum MailReason {
        UrgentMessage => ("urgent-message", "An urgent message"),
        ReplyOverdue => ("reply-overdue", "A reply-by time passed"),
        TaskOverdue => ("task-overdue", "An overdue task"),
    }
}

/// One e-mail's subject and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub subject: &'static str,
    pub body: String,
}

/// The e-mail for `reason`, linking to the inbox at `inbox_url`.
pub fn email_for(reason: MailReason, inbox_url: &str) -> Email {
    let (subject, what) = match reason {
        MailReason::UrgentMessage => (
            "Hearth: an urgent message is waiting for you",
            "A colleague has sent you an urgent message in Hearth.",
        ),
        MailReason::ReplyOverdue => (
            "Hearth: a message you sent has not been answered in time",
            "A message you sent, or one about a patient you coordinate, asked for a reply by a time that has now passed.",
        ),
        MailReason::TaskOverdue => (
            "Hearth: a task is overdue",
            "A task that is yours, or about a patient you coordinate, is past its due time.",
        ),
    };
    Email {
        subject,
        body: format!(
            "{what}\r\n\r\nOpen your Hearth inbox to see it:\r\n{inbox_url}\r\n\r\n\
             For patients' privacy this e-mail says nothing more. If you did not expect it, \
             tell your Hearth administrator.\r\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_email_links_to_the_inbox_and_says_nothing_else_of_substance() {
        for reason in MailReason::ALL {
            let email = email_for(*reason, "https://hearth.example/inbox");
            assert!(email.body.contains("\r\nhttps://hearth.example/inbox\r\n"));
            assert!(email.subject.starts_with("Hearth: "));
            // Only fixed words: nothing of the record can reach the text.
            assert!(!email.body.contains('{'));
            assert!(email.body.lines().count() <= 6);
        }
    }
}
