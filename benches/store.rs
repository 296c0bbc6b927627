//! Store throughput: seat reservations under contention and inbound de-duplication, on SQLite and,
//! when `COACHBOT_TEST_MONGODB_URI` is set, on MongoDB.
//!
//! `cargo bench --bench store`; `cargo test --all-targets` runs each benchmark once as a smoke test.

mod common;

use common::stores;

use chrono::{TimeZone, Utc};
use coachbot::domain::contact::Channel;
use coachbot::domain::inbound::InboundRecord;
use coachbot::domain::session::Session;
use coachbot::domain::{BotId, CourseId, SessionId};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Concurrent tasks per measured batch.
const TASKS: usize = 64;

fn new_session(bot: &BotId, n: u64, capacity: u32) -> Session {
    Session {
        bot: bot.clone(),
        id: SessionId::generate(),
        course: CourseId::from("bench"),
        start: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::minutes(n as i64),
        duration_min: 60,
        capacity,
        seats_taken: 0,
        cancelled: false,
    }
}

fn store_benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bot = BotId::parse("bench").unwrap();
    let counter = AtomicU64::new(0);

    let mut group = c.benchmark_group("reserve_seat_contended");
    group.throughput(Throughput::Elements(TASKS as u64));
    for (name, store) in stores(&rt, dir.path()) {
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.to_async(&rt).iter_custom(|iters| {
                let (store, bot, counter) = (store.clone(), bot.clone(), &counter);
                async move {
                    let mut measured = Duration::ZERO;
                    for _ in 0..iters {
                        let session = new_session(&bot, counter.fetch_add(1, Ordering::Relaxed), (TASKS / 2) as u32);
                        store.insert_session(&session).await.unwrap();
                        let started = Instant::now();
                        let tasks: Vec<_> = (0..TASKS)
                            .map(|_| {
                                let (store, bot, id) = (store.clone(), bot.clone(), session.id.clone());
                                tokio::spawn(async move { store.reserve_seat(&bot, &id).await.unwrap() })
                            })
                            .collect();
                        for task in tasks {
                            task.await.unwrap();
                        }
                        measured += started.elapsed();
                    }
                    measured
                }
            });
        });
    }
    group.finish();

    let mut group = c.benchmark_group("record_inbound_once");
    group.throughput(Throughput::Elements(1));
    for (name, store) in stores(&rt, dir.path()) {
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.to_async(&rt).iter(|| {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let now = Utc::now();
                let record = InboundRecord {
                    bot: bot.clone(),
                    key: InboundRecord::key_for(Channel::Telegram, &format!("{name}-{n}")),
                    channel: Channel::Telegram,
                    payload: serde_json::json!({ "text": "Bonjour, je voudrais réserver" }),
                    done: false,
                    received_at: now,
                    expires_at: now + chrono::Duration::days(2),
                    answer: None,
                    resuming_until: None,
                };
                let store = store.clone();
                async move { assert!(store.record_inbound_once(&record).await.unwrap()) }
            });
        });
    }
    group.finish();
}

criterion_group!(benches, store_benches);
criterion_main!(benches);
