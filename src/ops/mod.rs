//! Operations: a domain rule checked, then the store's atomic write, in one function that every
//! caller shares (the visitor dialogue's effects, the agent's tools, the coach's commands, the CLI).

pub mod appearance;
pub mod booking;
pub mod checkin;
pub mod promo;
pub mod schedule;
pub mod ticket;
pub mod waitlist;
