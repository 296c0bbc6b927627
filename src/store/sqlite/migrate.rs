//! The schema, versioned by `PRAGMA user_version`: each migration under `migrations/` runs once,
//! in order, in its own transaction with the version it brings. A file written by a newer release
//! is refused rather than guessed at. (Files created before this runner recorded their migrations
//! in `_sqlx_migrations`; their version is read from there once.)

use rusqlite::Connection;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/0001_schema.sql")),
    (2, include_str!("migrations/0002_waitlist.sql")),
    (3, include_str!("migrations/0003_catalog_versions.sql")),
    (4, include_str!("migrations/0004_web.sql")),
    (5, include_str!("migrations/0005_outbox_waiting.sql")),
    (6, include_str!("migrations/0006_waiting_only_indexes.sql")),
    (7, include_str!("migrations/0007_inbound_without_expiry_index.sql")),
    (8, include_str!("migrations/0008_contact_versions.sql")),
    (9, include_str!("migrations/0009_conversation_keys.sql")),
];

pub(super) fn run(conn: &mut Connection) -> Result<(), String> {
    let sql = |e: rusqlite::Error| e.to_string();
    let mut version: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(sql)?;
    let legacy: bool = conn
        .query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
            [],
            |row| row.get(0),
        )
        .map_err(sql)?;
    if version == 0 && legacy {
        version = conn
            .query_row(
                "SELECT coalesce(max(version), 0) FROM _sqlx_migrations WHERE success",
                [],
                |row| row.get(0),
            )
            .map_err(sql)?;
    }
    let known = MIGRATIONS.last().map_or(0, |(v, _)| *v);
    if version > known {
        return Err(format!(
            "the file's schema is version {version}, newer than this release knows ({known}); use a newer coachbot"
        ));
    }
    for (number, migration) in MIGRATIONS.iter().filter(|(n, _)| *n > version) {
        let tx = conn.transaction().map_err(sql)?;
        tx.execute_batch(migration)
            .map_err(|e| format!("migration {number}: {e}"))?;
        tx.pragma_update(None, "user_version", number).map_err(sql)?;
        tx.commit().map_err(sql)?;
    }
    if version < known && version > 0 {
        tracing::info!(from = version, to = known, "sqlite: schema migrated");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_run_once_and_a_newer_file_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        run(&mut conn).unwrap();
        run(&mut conn).unwrap();
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        conn.pragma_update(None, "user_version", 99).unwrap();
        let refused = run(&mut conn).unwrap_err();
        assert!(refused.contains("version 99"), "{refused}");
    }

    #[test]
    fn a_file_from_the_former_runner_is_taken_up_where_it_stood() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0].1).unwrap();
        conn.execute_batch(
            "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, success BOOLEAN NOT NULL);
             INSERT INTO _sqlx_migrations VALUES (1, TRUE);",
        )
        .unwrap();
        run(&mut conn).unwrap();
        let waitlist: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master WHERE name = 'waitlist'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(waitlist, 1, "migration 2 ran, migration 1 did not run twice");
    }

    #[test]
    fn conversations_saved_before_their_key_had_columns_keep_their_key_revision_and_document() {
        let mut conn = Connection::open_in_memory().unwrap();
        for (number, migration) in &MIGRATIONS[..8] {
            conn.execute_batch(migration).unwrap();
            conn.pragma_update(None, "user_version", number).unwrap();
        }
        let doc = r#"{"bot":"demo","contact":"c1","state":{},"recent":[],"updated_at":0}"#;
        conn.execute("INSERT INTO conversations (doc) VALUES (?)", [doc])
            .unwrap();
        conn.execute("UPDATE conversations SET rev = 3", []).unwrap();
        run(&mut conn).unwrap();
        let row: (String, String, i64, String) = conn
            .query_row("SELECT bot, contact, rev, doc FROM conversations", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .unwrap();
        assert_eq!(row, ("demo".into(), "c1".into(), 3, doc.into()));
        let again = conn.execute(
            "INSERT INTO conversations (bot, contact, doc) VALUES ('demo', 'c1', '{}')",
            [],
        );
        assert!(again.is_err(), "one conversation per contact of a bot");
    }
}
