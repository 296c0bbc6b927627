//! What the benchmarks share: the stores to measure and the demo bot.

use coachbot::config::bots::Bot;
use coachbot::store::Store;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The service's allocator (`src/main.rs`), so that the figures are the service's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A fresh SQLite file in `dir`, and a fresh MongoDB database when `COACHBOT_TEST_MONGODB_URI` is set.
pub fn stores(rt: &tokio::runtime::Runtime, dir: &std::path::Path) -> Vec<(&'static str, Arc<dyn Store>)> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let path = dir.join(format!("bench-{}.db", uuid::Uuid::new_v4().simple()));
    let sqlite = rt
        .block_on(coachbot::store::sqlite::SqliteStore::connect(path.to_str().unwrap()))
        .unwrap();
    let mut stores: Vec<(&'static str, Arc<dyn Store>)> = vec![("sqlite", Arc::new(sqlite))];
    if let Some(uri) = std::env::var("COACHBOT_TEST_MONGODB_URI")
        .ok()
        .filter(|u| !u.is_empty())
    {
        let name = format!("coachbot_bench_{}", uuid::Uuid::new_v4().simple());
        let connect = coachbot::store::mongo::MongoStore::connect(&uri, &name, std::time::Duration::from_secs(10));
        stores.push(("mongodb", Arc::new(rt.block_on(connect).unwrap())));
    }
    stores
}

/// The demo bot as shipped.
#[allow(dead_code, reason = "not every benchmark uses the bot")]
pub fn demo() -> Bot {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/bots/demo.toml")).unwrap();
    Bot::parse("bots/demo.toml", &text, &BTreeMap::new()).unwrap()
}
