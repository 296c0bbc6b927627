//! Booking figures: booking attempts per second under contention (many visitors, few seats) on
//! SQLite and, when `COACHBOT_TEST_MONGODB_URI` is set, on MongoDB; rendering a ticket PNG; reading
//! the QR code back from a 1200×1600 phone-like photo.
//!
//! `cargo bench --bench booking`.

mod common;

use common::demo;
use common::stores;

use chrono::{Duration, TimeZone, Utc};
use coachbot::config::bots::Bots;
use coachbot::domain::{ContactId, OfferId};
use coachbot::ops::booking::{BookRequest, book};
use coachbot::tickets::{TicketFacts, decode, render_png};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use image::{DynamicImage, RgbImage};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Concurrent booking attempts per measured round, for one session of 20 seats.
const ATTEMPTS: usize = 200;

fn booking_benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bot = Arc::new(demo());
    let mut bots = Bots::default();
    bots.add((*bot).clone()).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();

    let next_slot = AtomicU64::new(0);
    let mut group = c.benchmark_group("booking_attempts_contended");
    group.throughput(Throughput::Elements(ATTEMPTS as u64));
    group.sample_size(10);
    for (name, store) in stores(&rt, dir.path()) {
        rt.block_on(coachbot::app::seed_catalogs(store.as_ref(), &bots))
            .unwrap();
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.to_async(&rt).iter_custom(|iters| {
                let (store, bot, next_slot) = (store.clone(), bot.clone(), &next_slot);
                async move {
                    let mut measured = std::time::Duration::ZERO;
                    for round in 0..iters {
                        // A fresh 20-seat session each round, so every round races for the last seats.
                        let mut session = coachbot::domain::schedule::upcoming_sessions(
                            &store.get_course(&bot.id, &"danse-afro".into()).await.unwrap(),
                            bot.time_zone,
                            now,
                            1,
                        )
                        .remove(0);
                        session.start +=
                            Duration::minutes(next_slot.fetch_add(1, Ordering::Relaxed) as i64 + 1) + Duration::days(1);
                        store.insert_session(&session).await.unwrap();
                        let started = Instant::now();
                        let attempts: Vec<_> = (0..ATTEMPTS)
                            .map(|i| {
                                let (store, bot, id) = (store.clone(), bot.clone(), session.id.clone());
                                tokio::spawn(async move {
                                    let (contact, offer) =
                                        (ContactId::from(format!("v{round}-{i}")), OfferId::from("single"));
                                    let request = BookRequest {
                                        contact: &contact,
                                        session: &id,
                                        offer: &offer,
                                        promo: None,
                                        pay_on_site: true,
                                        now,
                                    };
                                    book(store.as_ref(), &bot, &request).await.is_ok()
                                })
                            })
                            .collect();
                        let mut booked = 0;
                        for attempt in attempts {
                            booked += usize::from(attempt.await.unwrap());
                        }
                        measured += started.elapsed();
                        assert_eq!(booked, 20);
                    }
                    measured
                }
            });
        });
    }
    group.finish();

    let facts = TicketFacts {
        studio: "Studio Lumière".into(),
        course: "Yoga doux".into(),
        when: "01/12/2026 · 18:30".into(),
        first_name: "Marie D.".into(),
    };
    let token = "demo.MDE5MmY1ZTFjOWE4N2IzZThlMmY2ZDRjMWIwYTlmODeTJ5Gx3k2vQ9W1bM0sL7cA";
    c.bench_function("ticket_png_render", |b| b.iter(|| render_png(token, &facts)));

    let ticket = image::load_from_memory(&render_png(token, &facts)).unwrap().to_luma8();
    let photo = RgbImage::from_fn(1200, 1600, |x, y| {
        let (w, h) = (coachbot::tickets::WIDTH as f32, coachbot::tickets::HEIGHT as f32);
        let (u, v) = ((x as f32 - 600.0) / 2.6 + w / 2.0, (y as f32 - 800.0) / 2.6 + h / 2.0);
        let value = if u >= 0.0 && v >= 0.0 && u < w - 1.0 && v < h - 1.0 {
            ticket.get_pixel(u as u32, v as u32).0[0]
        } else {
            110
        };
        image::Rgb([value, value, value])
    });
    let mut jpeg = Vec::new();
    DynamicImage::ImageRgb8(photo)
        .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80))
        .unwrap();
    assert_eq!(decode(&jpeg).as_deref(), Some(token));
    c.bench_function("qr_decode_1200x1600_photo", |b| b.iter(|| decode(&jpeg).unwrap()));
}

criterion_group!(benches, booking_benches);
criterion_main!(benches);
