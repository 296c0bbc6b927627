//! The integration suite: one test binary, so the crate links once.

mod admin;
mod agent;
mod booking;
mod chat;
mod cli;
mod http;
mod store;
mod support;
mod telegram;
mod whatsapp;
mod widget;
