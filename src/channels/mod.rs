//! One module per platform: each parses its payloads into `engine::Inbound` and renders the
//! channel-neutral replies its own way.

pub mod terminal;
