//! WAL checkpoints off the writer's path. With SQLite's automatic checkpoints, the commit that
//! fills the WAL past its mark copies the pages back into the database file and waits for the
//! disk (two `fsync`s) while every write queued behind it waits too: those were the slowest chat
//! messages. Here the writer only nudges a thread of its own after each commit; that thread, on
//! its own connection, waits [`PAUSE`] (gathering the commits of that time into one checkpoint),
//! then runs a `PASSIVE` checkpoint, which blocks neither the writer nor the readers and pays
//! for the `fsync`s.
//!
//! Under steady writes such a checkpoint never quite catches up (commits land while it copies),
//! and SQLite starts the WAL over only when a write begins with the whole WAL copied back; the
//! file would keep growing. So once the WAL holds [`RESTART_FRAMES`], the thread asks the writer
//! to finish the job: between two groups, after answering the last, the writer runs one
//! checkpoint itself, and its next write starts the WAL over. The writes queued meanwhile wait
//! for it: those were the slowest chat messages, in bursts. So it is kept rare and short:
//!
//! - rare: [`RESTART_FRAMES`] is high (at 1,000 messages/s, about one every two seconds);
//! - short: little is left to copy by then, and little to flush. SQLite flushes the database file
//!   only after a checkpoint that copied the whole WAL, which under steady writes is never one of
//!   this thread's: every page they copied would wait for the writer's `fsync`. So before asking,
//!   the thread flushes the database file itself.
//!
//! The writer's automatic checkpoint stays on at a far higher mark ([`BACKSTOP_PAGES`]), should
//! this thread fall behind.

use rusqlite::Connection;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// How long a nudge waits for more commits before the checkpoint runs. Each checkpoint flushes
/// the WAL, and an `fsync` costs about what was written since the last one (on the machine of
/// the figures in `benches/webhook.rs`: 0.14 ms for 4 KiB, 1 ms for 512 KiB, 14 ms for 8 MiB)
/// while the writer's own writes to the WAL may wait: so not long. But each also copies every
/// page changed since the last, and the pages every message changes (the ends of the inbound
/// table and its index) are copied once per checkpoint: so not too short. With the writer's
/// checkpoint kept rare and short (above), 40 ms gave about 10 % more messages per second at
/// saturation than 10 ms, and p99 at 1,000 messages/s of 3.3–4.5 ms against 3.9–29 ms.
/// (Before that, when the writer flushed what this thread had copied, 100 ms was worse than 10.)
const PAUSE: Duration = Duration::from_millis(40);

/// WAL frames (pages) past which the writer is asked to finish a checkpoint: a WAL of about
/// 32 MiB at most. In `benches/webhook.rs` at 1,000 messages/s, the messages slower than 5 ms
/// came in bursts, nearly all right after one of the writer's checkpoints; at 2,048 frames those
/// came several times a second and p99 was mostly over 5 ms, at 8,192 mostly under.
const RESTART_FRAMES: i64 = 8_192;

/// The writer's own automatic checkpoint, in pages (SQLite's default is 1,000).
pub(super) const BACKSTOP_PAGES: u32 = 32_768;

/// The handle to the checkpoint thread; the thread stops when it is dropped.
pub(super) struct Checkpointer {
    wake: mpsc::SyncSender<()>,
    finish: Arc<AtomicBool>,
}

impl Checkpointer {
    pub(super) fn start(conn: Connection) -> std::io::Result<Self> {
        // The database file, to flush before the writer's checkpoint (none in memory).
        let database = conn
            .path()
            .filter(|p| !p.is_empty())
            .map(std::fs::File::open)
            .transpose()?;
        let (wake, woken) = mpsc::sync_channel::<()>(1);
        let finish = Arc::new(AtomicBool::new(false));
        let ask = finish.clone();
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                while woken.recv().is_ok() {
                    std::thread::sleep(PAUSE);
                    // Nudges that came during the pause are covered by this checkpoint.
                    let _ = woken.try_recv();
                    match checkpoint(&conn) {
                        Ok(frames) if frames >= RESTART_FRAMES => {
                            if let Some(Err(error)) = database.as_ref().map(std::fs::File::sync_data) {
                                tracing::warn!(%error, "sqlite: cannot flush the database file");
                            }
                            ask.store(true, Ordering::Release);
                        }
                        Ok(_) => {}
                        Err(error) => {
                            tracing::warn!(%error, "sqlite: a WAL checkpoint failed; the next one tries again")
                        }
                    }
                }
            })?;
        Ok(Self { wake, finish })
    }

    /// Says a commit landed: a checkpoint runs soon (once, however many commits say so). On the
    /// writer's thread, between groups: runs the checkpoint that lets the WAL start over, when
    /// asked for.
    pub(super) fn after_commit(&self, writer: &Connection) {
        let _ = self.wake.try_send(());
        if self.finish.swap(false, Ordering::AcqRel)
            && let Err(error) = checkpoint(writer)
        {
            tracing::warn!(%error, "sqlite: the writer's WAL checkpoint failed");
        }
    }
}

/// Runs a `PASSIVE` checkpoint; the frames in the WAL.
fn checkpoint(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| row.get(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::writer::Writer;

    fn frames_in_wal(path: &std::path::Path) -> i64 {
        let conn = Connection::open(path).unwrap();
        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| row.get(1))
            .unwrap()
    }

    /// One commit of a row about a page long.
    async fn insert_a_page(writer: &Writer) {
        writer
            .run(|tx| {
                tx.execute("INSERT INTO t (v) VALUES (zeroblob(4000))", [])
                    .map(drop)
                    .map_err(crate::store::sqlite::backend_error)
            })
            .await
            .unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn under_steady_writes_the_wal_is_copied_back_and_started_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE t (v BLOB)")
            .unwrap();
        conn.pragma_update(None, "wal_autocheckpoint", BACKSTOP_PAGES).unwrap();
        let checkpoints = Checkpointer::start(Connection::open(&path).unwrap()).unwrap();
        let writer = Writer::start(conn, Some(checkpoints)).unwrap();
        // Each commit adds at least one 4 KiB page: five times RESTART_FRAMES, written by eight
        // writers at once so that commits keep landing while checkpoints run. (The WAL grows
        // past RESTART_FRAMES while the thread pauses, checkpoints and flushes before it asks.)
        let rows = 5 * RESTART_FRAMES;
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let writer = writer.clone();
                tokio::spawn(async move {
                    for _ in 0..rows / 8 {
                        insert_a_page(&writer).await;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        // The WAL file never shrinks: its size is the most it ever held. Had it not started over
        // while the writes went on, it would hold every row; it holds about a third of them.
        let most = std::fs::metadata(dir.path().join("c.db-wal")).unwrap().len();
        assert!(
            most < (rows as u64) * 4096 * 2 / 3,
            "the WAL started over during the writes: {most} bytes at most"
        );
        // Once the writes stop, the thread's next checkpoint copies the whole WAL back, and the
        // write after it starts the WAL over.
        let (mut frames, mut written) = (i64::MAX, rows);
        for _ in 0..100 {
            tokio::time::sleep(PAUSE).await;
            insert_a_page(&writer).await;
            written += 1;
            frames = frames_in_wal(&path);
            if frames < RESTART_FRAMES {
                break;
            }
        }
        assert!(frames < RESTART_FRAMES, "the WAL started over: {frames} frames left");
        let reader = Connection::open(&path).unwrap();
        let count: i64 = reader.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(count, written, "every row is there");
    }
}
