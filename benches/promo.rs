//! Promo code figures: validating a code in the domain, looking it up and checking it through the
//! store (SQLite; MongoDB too when `COACHBOT_TEST_MONGODB_URI` is set), and generating + storing a
//! batch of 100,000 codes on SQLite.
//!
//! `cargo bench --bench promo`. For 1,000,000 codes and peak memory, use the release binary:
//! `/usr/bin/time -v target/release/coachbot promo --bot demo 1000000 -10% --out /tmp/codes.csv`.

mod common;

use common::demo;
use common::stores;

use chrono::{TimeZone, Utc};
use coachbot::admin::promo::generate::generate;
use coachbot::admin::promo::grammar::{Generate, TermChanges};
use coachbot::config::bots::Bots;
use coachbot::domain::money::{Currency, Money};
use coachbot::domain::promo::{Discount, PromoBatch, PromoCode, Purchase, validate};
use coachbot::domain::{BatchId, ContactId, CourseId, OfferId};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use rand::SeedableRng;

fn spec(count: u32) -> Generate {
    Generate {
        count,
        terms: TermChanges {
            discount: Some(Discount::Percent { percent: 10 }),
            ..TermChanges::default()
        },
        prefix: Some("BENCH".into()),
        len: None,
        assign: None,
        note: None,
    }
}

fn promo_benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bot = demo();
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap();
    let (contact, offer, course) = (
        ContactId::from("marie"),
        OfferId::from("single"),
        CourseId::from("yoga-doux"),
    );
    let purchase = Purchase {
        contact: &contact,
        offer: &offer,
        course: &course,
        amount: Money::new(1800, Currency::EUR),
        now,
    };

    let batch = PromoBatch {
        bot: bot.id.clone(),
        id: BatchId::from("VALID"),
        terms: coachbot::admin::promo::generate::default_terms(Discount::Percent { percent: 20 }),
        prefix: None,
        count: 1,
        note: None,
        created_by: "bench".into(),
        created_at: now,
    };
    let code = PromoCode::new(&batch, "NOEL-7KQ2M9XT".into(), now);
    c.bench_function("validate_code_in_domain", |b| {
        b.iter(|| validate(&code, &purchase, 0).unwrap())
    });

    let mut bots = Bots::default();
    bots.add(bot.clone()).unwrap();
    let mut group = c.benchmark_group("check_code_with_store_lookup");
    for (name, store) in stores(&rt, dir.path()) {
        rt.block_on(coachbot::app::seed_catalogs(store.as_ref(), &bots))
            .unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let mut keys = Vec::new();
        let mut collect = |codes: &[PromoCode]| keys.extend(codes.iter().map(|c| c.code.clone()));
        rt.block_on(generate(
            store.as_ref(),
            &bot,
            &spec(10_000),
            "bench",
            now,
            &mut rng,
            &mut collect,
        ))
        .unwrap();
        let mut i = 0;
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.to_async(&rt).iter(|| {
                i = (i + 7919) % keys.len();
                let (store, typed, bot, purchase) = (store.clone(), keys[i].clone(), &bot, &purchase);
                async move {
                    coachbot::ops::promo::check(store.as_ref(), bot, &typed, purchase)
                        .await
                        .unwrap()
                }
            });
        });
    }
    group.finish();

    // Each measured run writes 100,000 codes into a fresh database file, as a coach's first big batch.
    let mut group = c.benchmark_group("generate_and_store");
    group.sample_size(10);
    group.throughput(criterion::Throughput::Elements(100_000));
    let mut rng = rand::rngs::StdRng::seed_from_u64(2);
    group.bench_function(BenchmarkId::new("sqlite", 100_000), |b| {
        b.iter_custom(|iters| {
            let mut measured = std::time::Duration::ZERO;
            for _ in 0..iters {
                let fresh = tempfile::tempdir().unwrap();
                let mut fresh_stores = stores(&rt, fresh.path());
                let sqlite = fresh_stores.remove(0).1;
                rt.block_on(coachbot::app::seed_catalogs(sqlite.as_ref(), &bots))
                    .unwrap();
                let mut stored = 0usize;
                let mut count = |codes: &[PromoCode]| stored += codes.len();
                let request = spec(100_000);
                let started = std::time::Instant::now();
                let run = generate(sqlite.as_ref(), &bot, &request, "bench", now, &mut rng, &mut count);
                rt.block_on(run).unwrap();
                measured += started.elapsed();
                assert_eq!(stored, 100_000);
            }
            measured
        });
    });
    group.finish();
}

criterion_group!(benches, promo_benches);
criterion_main!(benches);
