//! Password hashing with Argon2id (the `argon2` crate's defaults, which follow OWASP's
//! recommendation). Hashing is deliberately slow, so it runs on the blocking thread pool, never on
//! the async workers that serve other requests.

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};

use crate::AppError;

/// Hashes a password into a PHC string (algorithm, parameters, salt and hash together).
pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(format!("password hashing was interrupted: {e}")))?
}

/// Checks a password against a stored PHC string. A malformed stored hash counts as a mismatch.
pub async fn verify(password: String, stored: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .map_err(|e| AppError::Internal(format!("password check was interrupted: {e}")))
}

/// A valid hash of a password nobody knows, checked when the email is unknown so that the answer
/// takes as long as for a real account and does not reveal which emails exist.
pub const DECOY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo";
