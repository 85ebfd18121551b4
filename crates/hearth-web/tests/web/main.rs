//! Hearth over HTTP: the real router on port 0 with a fresh database per test, against SQLite and
//! PostgreSQL. One test binary for the crate (link time); modules by subject.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod access_matrix;
mod admin;
mod audit;
mod care_team;
mod conversations;
mod demo;
mod directory;
mod emergency;
mod fhir;
mod handover;
mod mail;
mod meetings;
mod needs;
mod ops;
mod patients;
mod plan;
mod register;
mod sign_in;
mod tasks;
mod tokens;
mod transitions;
