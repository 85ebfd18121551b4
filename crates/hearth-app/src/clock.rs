//! Time and ids, injected so that tests can fix them and the domain never reads a clock.

use jiff::Timestamp;

/// The source of the current time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> Timestamp;
}

/// The system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// The source of new record ids.
pub trait IdGenerator: Send + Sync + std::fmt::Debug {
    fn new_id(&self) -> String;
}

/// Random (version 4) UUIDs: unguessable, so an id in a URL reveals nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomIds;

impl IdGenerator for RandomIds {
    fn new_id(&self) -> String {
        uuid::Uuid::new_v4().to_string()
    }
}
