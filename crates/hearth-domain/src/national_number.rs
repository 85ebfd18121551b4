//! National patient identifiers. Each deployment configures the national numbering system it
//! uses (England's NHS number, Norway's fødselsnummer, or plain digits elsewhere); numbers are
//! checked against that system's check-digit rule at the edge, so a mistyped number is refused
//! before it can open the wrong person's record.

use crate::ValidationError;

/// The numbering schemes Hearth can validate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NationalNumberScheme {
    /// England, Wales and the Isle of Man: 10 digits, modulus 11 check digit.
    NhsNumber,
    /// Norway: 11 digits (birth date and individual number) with two modulus 11 check digits.
    NorwegianBirthNumber,
    /// Any other system: digits only, with the given length range and no check digit.
    Digits { min: usize, max: usize },
}

/// The national numbering system of a deployment: its FHIR identifier system URI, the name users
/// know it by, and how to validate it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NationalNumberSystem {
    pub system_uri: String,
    pub label: String,
    pub scheme: NationalNumberScheme,
}

impl NationalNumberSystem {
    /// The NHS number, the default system.
    pub fn nhs_number() -> Self {
        Self {
            system_uri: "https://fhir.nhs.uk/Id/nhs-number".to_owned(),
            label: "NHS number".to_owned(),
            scheme: NationalNumberScheme::NhsNumber,
        }
    }

    /// Norway's fødselsnummer.
    pub fn norwegian_birth_number() -> Self {
        Self {
            system_uri: "urn:oid:2.16.578.1.12.4.1.4.1".to_owned(),
            label: "Fødselsnummer".to_owned(),
            scheme: NationalNumberScheme::NorwegianBirthNumber,
        }
    }

    /// Looks a system up by its configuration name: `nhs` or `no-fnr`.
    pub fn by_name(name: &str) -> Option<Self> {
        match name {
            "nhs" => Some(Self::nhs_number()),
            "no-fnr" => Some(Self::norwegian_birth_number()),
            _ => None,
        }
    }

    /// Parses a number as typed by a person: spaces and dashes are ignored, the rest must be a
    /// valid number of this system. Returns the canonical form (digits only).
    pub fn parse(&self, typed: &str) -> Result<String, ValidationError> {
        let digits: String = typed.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let invalid = |why: &str| {
            ValidationError::new(
                "national_number",
                format!("This is not a valid {}: {why}", self.label),
            )
        };
        if digits.is_empty() {
            return Err(invalid("it is empty."));
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("it must contain only digits."));
        }
        let values: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
        match self.scheme {
            NationalNumberScheme::NhsNumber => {
                if values.len() != 10 {
                    return Err(invalid("it must have 10 digits."));
                }
                if nhs_check_digit(&values[..9]) != Some(values[9]) {
                    return Err(invalid(
                        "the check digit does not match; check for a typing error.",
                    ));
                }
            }
            NationalNumberScheme::NorwegianBirthNumber => {
                if values.len() != 11 {
                    return Err(invalid("it must have 11 digits."));
                }
                let k1 = mod11_check(&values[..9], &[3, 7, 6, 1, 8, 9, 4, 5, 2]);
                let k2 = mod11_check(&values[..10], &[5, 4, 3, 2, 7, 6, 5, 4, 3, 2]);
                if k1 != Some(values[9]) || k2 != Some(values[10]) {
                    return Err(invalid(
                        "the check digits do not match; check for a typing error.",
                    ));
                }
            }
            NationalNumberScheme::Digits { min, max } => {
                if values.len() < min || values.len() > max {
                    return Err(invalid(&format!("it must have {min} to {max} digits.")));
                }
            }
        }
        Ok(digits)
    }

    /// Formats a canonical number for display the way its users write it (NHS: 3-3-4).
    pub fn display(&self, canonical: &str) -> String {
        match self.scheme {
            NationalNumberScheme::NhsNumber if canonical.len() == 10 && canonical.is_ascii() => {
                format!(
                    "{} {} {}",
                    &canonical[..3],
                    &canonical[3..6],
                    &canonical[6..]
                )
            }
            NationalNumberScheme::NorwegianBirthNumber
                if canonical.len() == 11 && canonical.is_ascii() =>
            {
                format!("{} {}", &canonical[..6], &canonical[6..])
            }
            _ => canonical.to_owned(),
        }
    }
}

/// The NHS number check digit of the first nine digits (weights 10 down to 2), or `None` when
/// the remainder makes the number invalid (check digit 10).
pub fn nhs_check_digit(first_nine: &[u32]) -> Option<u32> {
    mod11_check(first_nine, &[10, 9, 8, 7, 6, 5, 4, 3, 2])
}

/// The modulus 11 check digit of `digits` with `weights`: 11 − (weighted sum mod 11), where 11
/// becomes 0 and 10 means no valid check digit exists.
fn mod11_check(digits: &[u32], weights: &[u32]) -> Option<u32> {
    let sum: u32 = digits.iter().zip(weights).map(|(d, w)| d * w).sum();
    match 11 - (sum % 11) {
        11 => Some(0),
        10 => None,
        check => Some(check),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nhs_numbers_are_checked() {
        let nhs = NationalNumberSystem::nhs_number();
        // 943 476 5919 is the NHS number used in NHS Digital's published examples.
        assert_eq!(nhs.parse("943 476 5919").unwrap(), "9434765919");
        assert!(nhs.parse("943 476 5918").is_err());
        assert!(nhs.parse("94347659").is_err());
        assert!(nhs.parse("94347659x9").is_err());
        assert_eq!(nhs.display("9434765919"), "943 476 5919");
    }

    #[test]
    fn check_digit_ten_is_never_valid() {
        assert_eq!(nhs_check_digit(&[0, 0, 0, 0, 0, 0, 0, 0, 0]), Some(0));
        // 6 × 2 = 12, remainder 1, 11 − 1 = 10: no NHS number starts with these nine digits.
        assert_eq!(nhs_check_digit(&[0, 0, 0, 0, 0, 0, 0, 0, 6]), None);
    }

    #[test]
    fn norwegian_birth_numbers_are_checked() {
        let fnr = NationalNumberSystem::norwegian_birth_number();
        // A synthetic number built with the published weights.
        assert!(fnr.parse("01010150000").is_err());
        let base = [0, 1, 0, 1, 0, 1, 5, 0, 1];
        let k1 = mod11_check(&base, &[3, 7, 6, 1, 8, 9, 4, 5, 2]).unwrap();
        let mut ten: Vec<u32> = base.to_vec();
        ten.push(k1);
        let k2 = mod11_check(&ten, &[5, 4, 3, 2, 7, 6, 5, 4, 3, 2]).unwrap();
        let number: String = ten
            .iter()
            .chain([k2].iter())
            .map(|d| d.to_string())
            .collect();
        assert_eq!(fnr.parse(&number).unwrap(), number);
    }

    #[test]
    fn unknown_system_names_are_refused() {
        assert!(NationalNumberSystem::by_name("nhs").is_some());
        assert!(NationalNumberSystem::by_name("ssn").is_none());
    }
}
