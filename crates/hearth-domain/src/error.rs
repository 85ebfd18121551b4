//! Validation errors: what was wrong with a piece of input, said so a person can fix it.

use std::fmt;

/// One problem with one field of some input. The message is written for the person who typed the
/// input, because it is shown to them as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// The input field the problem is in, as named in forms and APIs (for example `date_of_birth`).
    pub field: &'static str,
    /// What is wrong and how to put it right.
    pub message: String,
}

impl ValidationError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for ValidationError {}

/// Trims `value` and checks it is present and not longer than `max` characters.
pub fn required_text(
    field: &'static str,
    label: &str,
    value: &str,
    max: usize,
) -> Result<String, ValidationError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ValidationError::new(field, format!("{label} is required.")));
    }
    optional_text(field, label, trimmed, max).map(|text| text.unwrap_or_default())
}

/// Trims `value`; an empty value is `None`. Refuses text longer than `max` characters or holding
/// control characters, which have no place in a clinical record and break printed pages.
pub fn optional_text(
    field: &'static str,
    label: &str,
    value: &str,
    max: usize,
) -> Result<Option<String>, ValidationError> {
    checked(field, label, value, max, |c| c.is_control())
}

/// Like [`required_text`] for text written in paragraphs (a message, a note): line breaks and
/// tabs are kept (Windows line ends become `\n`); other control characters are refused.
pub fn required_long_text(
    field: &'static str,
    label: &str,
    value: &str,
    max: usize,
) -> Result<String, ValidationError> {
    let refused = |c: char| c.is_control() && !matches!(c, '\n' | '\r' | '\t');
    match checked(field, label, value, max, refused)? {
        Some(text) => Ok(text.replace("\r\n", "\n")),
        None => Err(ValidationError::new(field, format!("{label} is required."))),
    }
}

/// Trims `value` and checks its length and characters (`refused` names the characters not
/// allowed); an empty value is `None`.
fn checked(
    field: &'static str,
    label: &str,
    value: &str,
    max: usize,
    refused: impl Fn(char) -> bool,
) -> Result<Option<String>, ValidationError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.chars().count() > max {
        return Err(ValidationError::new(
            field,
            format!("{label} is too long: at most {max} characters."),
        ));
    }
    if trimmed.chars().any(refused) {
        return Err(ValidationError::new(
            field,
            format!("{label} contains control characters; remove them and try again."),
        ));
    }
    Ok(Some(trimmed.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_trims_and_refuses_blank() {
        assert_eq!(required_text("name", "Name", "  Ann ", 10).unwrap(), "Ann");
        let err = required_text("name", "Name", "   ", 10).unwrap_err();
        assert_eq!(err.field, "name");
        assert!(err.message.contains("required"));
    }

    #[test]
    fn text_length_and_control_characters_are_checked() {
        assert!(optional_text("n", "Name", "abcdefghijk", 10).is_err());
        assert!(optional_text("n", "Name", "a\u{0}b", 10).is_err());
        assert_eq!(optional_text("n", "Name", "", 10).unwrap(), None);
    }
}
