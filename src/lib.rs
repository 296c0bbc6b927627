//! coachbot: a chat-first assistant that sells and books classes for coaches and small studios.
//!
//! See `docs/architecture.md` for the path every message takes and the role of each module.

pub mod admin;
pub mod agent;
pub mod app;
pub mod channels;
pub mod cli;
pub mod config;
pub mod conversation;
pub mod domain;
pub mod engine;
pub mod http;
pub mod i18n;
pub mod jobs;
pub mod ops;
pub mod store;
pub mod telemetry;
pub mod tickets;
