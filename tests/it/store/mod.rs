//! The store conformance suite: every test body runs on SQLite, and on MongoDB (SecantusDB in
//! `scripts/test`) when `COACHBOT_TEST_MONGODB_URI` is set, each on a fresh database.

mod bookings;
mod catalog;
mod contacts;
mod messaging;
mod promo;
mod races;
mod web;

/// Runs each named `async fn(Arc<dyn Store>)` of the calling module once per backend, as
/// `…::sqlite::NAME` and `…::mongodb::NAME`.
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let store = crate::support::sqlite().await;
                    super::$name(store.store.clone()).await;
                    store.finish().await;
                }
            )*
        }
        mod mongodb {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(store) = crate::support::mongo().await else {
                        eprintln!("skipped: COACHBOT_TEST_MONGODB_URI is not set");
                        return;
                    };
                    super::$name(store.store.clone()).await;
                    store.finish().await;
                }
            )*
        }
    };
}
pub(crate) use conformance;
