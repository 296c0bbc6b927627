//! What each setting expects, said when a value is refused.

/// What each key expects, said after a refused value.
pub(super) const EXPECTED: &[(&str, &str)] = &[
    ("http.addr", "an address and port such as 0.0.0.0:8080"),
    ("http.public_url", "a base URL such as https://bot.example.fr, or empty"),
    ("http.body_limit_bytes", "a number of bytes such as 262144"),
    ("http.request_timeout_secs", "a number of seconds such as 30"),
    ("store.backend", "sqlite or mongodb"),
    ("store.sqlite_path", "a file path such as data/coachbot.db, or :memory:"),
    (
        "store.sqlite_kept_chats_mib",
        "a number of MiB such as 64, or 0 to keep none",
    ),
    (
        "store.mongodb_uri",
        "a connection string such as mongodb://db.example.net:27017",
    ),
    ("store.mongodb_database", "a database name such as coachbot"),
    ("store.connect_timeout_ms", "a number of milliseconds such as 5000"),
    ("store.retry_initial_ms", "a number of milliseconds such as 500"),
    ("store.retry_max_ms", "a number of milliseconds such as 30000"),
    ("promo.chat_max_codes", "a number of codes such as 10000"),
    ("bots.dir", "a folder path such as bots"),
    ("log.filter", "a tracing filter such as info"),
    (
        "jobs.interval_secs",
        "a number of seconds such as 30, or 0 to turn the jobs off",
    ),
    ("telegram.api_url", "a base URL such as https://api.telegram.org"),
    ("telegram.poll_timeout_secs", "a number of seconds such as 25"),
    ("telegram.answer_in_webhook", "true or false"),
    ("twilio.api_url", "a base URL such as https://api.twilio.com"),
    (
        "chat.messages_per_minute",
        "a number of messages such as 30, or 0 for no limit",
    ),
];
