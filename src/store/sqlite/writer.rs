//! The writer thread, which owns the read-write connection and runs every write, committing in
//! groups; the reader threads, each owning a read-only connection; and the read-only connections
//! lent to reads that run on their caller's thread.
//!
//! It takes the first write waiting, then every other one already queued (up to [`GROUP`]), opens
//! one transaction, runs each write in its own savepoint (a write alone needs none), commits once,
//! then answers them all.
//! A write that fails, panics or [discards](Tx::discard) is rolled back to its savepoint: the
//! others in the group are unaffected. If the commit fails, every write of the group is told so.
//! Under load this turns many small commits into one; alone, a write is its own group.

use super::checkpoint::Checkpointer;
use super::{StoreError, StoreResult, backend_error};
use rusqlite::Connection;
use std::cell::Cell;
use std::ops::Deref;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use tokio::sync::oneshot;

/// Writes committed together at most.
const GROUP: usize = 256;

/// The connection as a write sees it, inside its transaction.
pub(super) struct Tx<'c> {
    conn: &'c Connection,
    discard: Cell<bool>,
}

impl Tx<'_> {
    /// Rolls this write back when it returns, even with `Ok` (a refused booking that had
    /// already inserted its row, say).
    pub(super) fn discard(&self) {
        self.discard.set(true);
    }
}

impl Deref for Tx<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn
    }
}

/// What a write left to do once the group is committed: tell its caller.
type Answer = Box<dyn FnOnce(Option<&str>) + Send>;

/// A queued write: run it (or, when no transaction could be opened, fail it) and say whether to keep it.
type Job = Box<dyn FnOnce(Result<&Tx, &str>) -> (bool, Answer) + Send>;

/// The handle to the writer thread; the thread stops when every handle is dropped.
#[derive(Clone)]
pub(super) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer on `conn`; after each commit it tells `checkpoints`, if given.
    pub(super) fn start(conn: Connection, checkpoints: Option<Checkpointer>) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || serve(&conn, &queue, checkpoints.as_ref()))?;
        Ok(Self { jobs })
    }

    /// Runs `f` in a transaction on the writer thread; its result once committed.
    pub(super) async fn run<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Tx) -> StoreResult<T> + Send + 'static,
    {
        let (send, receive) = oneshot::channel::<StoreResult<T>>();
        let job: Job = Box::new(move |tx| {
            let result = match tx {
                Ok(tx) => catch_unwind(AssertUnwindSafe(|| f(tx)))
                    .unwrap_or_else(|_| Err(backend_error("a write panicked; rolled back"))),
                Err(why) => Err(backend_error(why)),
            };
            let keep = result.is_ok() && tx.is_ok_and(|tx| !tx.discard.get());
            let answer: Answer = Box::new(move |commit_failed| {
                let result = match commit_failed {
                    Some(why) if keep => Err(backend_error(format!("commit failed: {why}"))),
                    _ => result,
                };
                let _ = send.send(result);
            });
            (keep, answer)
        });
        self.jobs.send(job).map_err(|_| stopped())?;
        receive.await.map_err(|_| stopped())?
    }
}

/// A queued read.
type Read = Box<dyn FnOnce(&Connection) + Send>;

/// The handle to the reader threads, which take reads from one queue; they stop when every
/// handle is dropped.
#[derive(Clone)]
pub(super) struct Readers {
    reads: mpsc::Sender<Read>,
}

impl Readers {
    pub(super) fn start(connections: Vec<Connection>) -> std::io::Result<Self> {
        let (reads, queue) = mpsc::channel::<Read>();
        let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
        for (n, conn) in connections.into_iter().enumerate() {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("sqlite-reader-{n}"))
                .spawn(move || {
                    loop {
                        let next = queue.lock().map(|q| q.recv());
                        let Ok(Ok(read)) = next else { break };
                        read(&conn);
                    }
                })?;
        }
        Ok(Self { reads })
    }

    /// Runs `f` with a read-only connection; its result.
    pub(super) async fn run<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let (send, receive) = oneshot::channel::<StoreResult<T>>();
        let read: Read = Box::new(move |conn| {
            let result =
                catch_unwind(AssertUnwindSafe(|| f(conn))).unwrap_or_else(|_| Err(backend_error("a read panicked")));
            let _ = send.send(result);
        });
        self.reads.send(read).map_err(|_| stopped())?;
        receive.await.map_err(|_| stopped())?
    }
}

/// Read-only connections lent to reads that run on the caller's own thread: a read of a few rows
/// by key takes microseconds, less than handing it to a reader thread and waking the caller
/// again. A read takes an idle connection (or opens one, when every one is lent: the pool grows
/// to the most reads ever run at once, at most a few per runtime thread) and gives it back.
#[derive(Clone)]
pub(super) struct Lender {
    idle: std::sync::Arc<std::sync::Mutex<Vec<Connection>>>,
    open: std::sync::Arc<dyn Fn() -> rusqlite::Result<Connection> + Send + Sync>,
}

impl Lender {
    pub(super) fn new(open: impl Fn() -> rusqlite::Result<Connection> + Send + Sync + 'static) -> Self {
        Self {
            idle: std::sync::Arc::default(),
            open: std::sync::Arc::new(open),
        }
    }

    /// Runs `f` here with a read-only connection; its result.
    pub(super) fn run<T>(&self, f: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let conn = match idle {
            Some(conn) => conn,
            None => (self.open)().map_err(backend_error)?,
        };
        let result =
            catch_unwind(AssertUnwindSafe(|| f(&conn))).unwrap_or_else(|_| Err(backend_error("a read panicked")));
        // A read that stopped inside its transaction would leave the next one on its snapshot.
        if !conn.is_autocommit() && conn.execute_batch("ROLLBACK").is_err() {
            return result;
        }
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(conn);
        }
        result
    }
}

fn stopped() -> StoreError {
    backend_error("the SQLite threads have stopped")
}

fn serve(conn: &Connection, queue: &mpsc::Receiver<Job>, checkpoints: Option<&Checkpointer>) {
    while let Ok(first) = queue.recv() {
        let mut group = vec![first];
        while group.len() < GROUP {
            match queue.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        run_group(conn, group);
        if let Some(checkpoints) = checkpoints {
            checkpoints.after_commit(conn);
        }
    }
}

fn run_group(conn: &Connection, group: Vec<Job>) {
    if let Err(e) = statement(conn, "BEGIN IMMEDIATE") {
        let why = e.to_string();
        for job in group {
            let (_, answer) = job(Err(&why));
            answer(None);
        }
        return;
    }
    // A write alone in its group needs no savepoint: the transaction is its own.
    let alone = group.len() == 1;
    let mut answers = Vec::with_capacity(group.len());
    let mut broken: Option<String> = None;
    let mut undone = false;
    for job in group {
        if let Some(why) = &broken {
            let (_, answer) = job(Err(why));
            answers.push(answer);
            continue;
        }
        if !alone && let Err(e) = statement(conn, "SAVEPOINT write") {
            broken = Some(e.to_string());
            let (_, answer) = job(Err(broken.as_deref().unwrap_or_default()));
            answers.push(answer);
            continue;
        }
        let tx = Tx {
            conn,
            discard: Cell::new(false),
        };
        let (keep, answer) = job(Ok(&tx));
        let ended = match (alone, keep) {
            (true, true) => Ok(()),
            (true, false) => {
                undone = true;
                statement(conn, "ROLLBACK")
            }
            (false, true) => statement(conn, "RELEASE write"),
            (false, false) => statement(conn, "ROLLBACK TO write").and_then(|()| statement(conn, "RELEASE write")),
        };
        if let Err(e) = ended {
            broken = Some(e.to_string());
        }
        answers.push(answer);
    }
    let failed = match broken {
        Some(why) => Some(why),
        None if undone => None,
        None => statement(conn, "COMMIT").err().map(|e| e.to_string()),
    };
    if failed.is_some() && !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    for answer in answers {
        answer(failed.as_deref());
    }
}

fn statement(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer() -> (Writer, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join("w.db")).unwrap();
        conn.execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t (v INTEGER UNIQUE)")
            .unwrap();
        (Writer::start(conn, None).unwrap(), dir)
    }

    fn count(dir: &tempfile::TempDir) -> i64 {
        let conn = Connection::open(dir.path().join("w.db")).unwrap();
        conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap()
    }

    #[tokio::test]
    async fn a_failed_discarded_or_panicking_write_is_rolled_back_alone_in_its_group() {
        let (writer, dir) = writer();
        let writes = (0..300).map(|i| {
            let writer = writer.clone();
            async move {
                writer
                    .run(move |tx| {
                        tx.execute("INSERT INTO t (v) VALUES (?)", [i]).map_err(backend_error)?;
                        match i % 4 {
                            // Fails after its insert: the insert must not stay.
                            1 => tx
                                .execute("INSERT INTO t (v) VALUES (?)", [i])
                                .map(drop)
                                .map_err(backend_error),
                            2 => {
                                tx.discard();
                                Ok(())
                            }
                            3 => panic!("a bug in a write"),
                            _ => Ok(()),
                        }
                    })
                    .await
            }
        });
        let results = futures::future::join_all(writes).await;
        for (i, result) in results.iter().enumerate() {
            assert_eq!(result.is_ok(), i % 4 == 0 || i % 4 == 2, "write {i}: {result:?}");
        }
        assert_eq!(
            count(&dir),
            75,
            "only the writes that returned Ok without discarding stay"
        );
        let answer = writer.run(|tx| Ok(tx.is_autocommit())).await.unwrap();
        assert!(!answer, "a write runs inside a transaction");
    }

    #[tokio::test]
    async fn a_write_alone_is_rolled_back_whole_when_it_fails_or_discards() {
        let (writer, dir) = writer();
        let failed = writer
            .run(|tx| {
                tx.execute("INSERT INTO t (v) VALUES (1)", []).map_err(backend_error)?;
                tx.execute("INSERT INTO t (v) VALUES (1)", [])
                    .map(drop)
                    .map_err(backend_error)
            })
            .await;
        assert!(failed.is_err());
        let discarded = writer
            .run(|tx| {
                tx.execute("INSERT INTO t (v) VALUES (2)", []).map_err(backend_error)?;
                tx.discard();
                Ok("refused")
            })
            .await;
        assert_eq!(discarded.unwrap(), "refused");
        assert_eq!(count(&dir), 0);
        writer
            .run(|tx| tx.execute("INSERT INTO t (v) VALUES (3)", []).map_err(backend_error))
            .await
            .unwrap();
        assert_eq!(count(&dir), 1, "the writer goes on after a rollback");
    }

    #[test]
    fn a_lent_connection_comes_back_after_its_read_even_a_panicking_one() {
        let (_, dir) = writer();
        let path = dir.path().join("w.db");
        let opened = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = opened.clone();
        let lender = Lender::new(move || {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        });
        let count = |conn: &Connection| {
            conn.query_row("SELECT count(*) FROM t", [], |r| r.get::<_, i64>(0))
                .map_err(backend_error)
        };
        // A read inside a read: both connections are lent at once, so a second one is opened.
        let nested = lender.run(|outer| Ok((count(outer)?, lender.run(count)?)));
        assert_eq!(nested.unwrap(), (0, 0));
        assert_eq!(opened.load(std::sync::atomic::Ordering::SeqCst), 2);
        let panicked = lender.run(|_| -> StoreResult<()> { panic!("a bug in a read") });
        assert!(panicked.is_err(), "a panicking read is an error");
        for _ in 0..10 {
            assert_eq!(lender.run(count).unwrap(), 0);
        }
        assert_eq!(
            opened.load(std::sync::atomic::Ordering::SeqCst),
            2,
            "later reads reuse the connections given back"
        );
    }

    #[tokio::test]
    async fn a_read_that_stops_inside_its_transaction_leaves_none_open_for_the_next() {
        let (writer, dir) = writer();
        let path = dir.path().join("w.db");
        let lender =
            Lender::new(move || Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY));
        let count = |conn: &Connection| {
            conn.query_row("SELECT count(*) FROM t", [], |r| r.get::<_, i64>(0))
                .map_err(backend_error)
        };
        let stopped = lender.run(|conn| -> StoreResult<()> {
            conn.execute_batch("BEGIN").map_err(backend_error)?;
            count(conn)?;
            Err(backend_error("a read failing half-way"))
        });
        assert!(stopped.is_err());
        writer
            .run(|tx| tx.execute("INSERT INTO t (v) VALUES (1)", []).map_err(backend_error))
            .await
            .unwrap();
        assert_eq!(lender.run(count).unwrap(), 1, "the next read sees the new row");
    }

    #[tokio::test]
    async fn a_write_is_visible_to_another_connection_once_answered() {
        let (writer, dir) = writer();
        writer
            .run(|tx| tx.execute("INSERT INTO t (v) VALUES (1)", []).map_err(backend_error))
            .await
            .unwrap();
        assert_eq!(count(&dir), 1);
    }
}
