//! The embedded dedup store: a redb file that survives a restart. One writer thread owns the
//! writes and applies claims in order, each check-and-insert inside a write transaction, so of
//! any number of concurrent claims of one key exactly one wins. Claims that arrive together
//! share one durable commit (group commit): a claim is answered only once it is on disk, and
//! the fsync is paid once per batch rather than once per claim. Expired keys count as absent
//! and are pruned a few at a time through an expiry index, never by scanning the table.

use super::{ClaimFuture, Dedup, DedupError, expiry};
use jiff::Timestamp;
use redb::{
    Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, Table, TableDefinition,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;
use tokio::sync::oneshot;

/// key → expiry (Unix seconds).
const KEYS: TableDefinition<&str, i64> = TableDefinition::new("dedup_keys");
/// (expiry, key) → (): the pruning index.
const BY_EXPIRY: TableDefinition<(i64, &str), ()> = TableDefinition::new("dedup_by_expiry");

/// Most expired keys removed per commit.
const PRUNE_BATCH: usize = 64;
/// Most claims sharing one commit.
const MAX_BATCH: usize = 512;

/// One claim for the writer.
struct Claim {
    key: String,
    now: i64,
    expires: i64,
    answer: oneshot::Sender<Result<bool, DedupError>>,
}

struct Inner {
    db: Arc<Database>,
    path: PathBuf,
    tx: Option<mpsc::Sender<Claim>>,
    writer: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Inner {
    /// Stops the writer (after the claims already sent) and waits, so the file is released.
    fn drop(&mut self) {
        self.tx.take();
        if let Some(w) = self.writer.take() {
            let _ = w.join();
        }
    }
}

/// A dedup store in one local file. Cheap to clone.
#[derive(Clone)]
pub struct EmbeddedDedup(Arc<Inner>);

impl std::fmt::Debug for EmbeddedDedup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedDedup")
            .field("path", &self.0.path)
            .finish()
    }
}

fn unavailable(e: impl std::fmt::Display) -> DedupError {
    DedupError::Unavailable(e.to_string())
}

impl EmbeddedDedup {
    /// Opens (or creates, with its directory) the store at `path`. Only one process may hold
    /// a file at a time.
    pub fn open(path: &Path) -> Result<Self, DedupError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| DedupError::Config(format!("cannot create {}: {e}", dir.display())))?;
        }
        let db = Database::create(path).map_err(|e| match e {
            redb::DatabaseError::DatabaseAlreadyOpen => DedupError::Config(format!(
                "{} is in use by another process; give each intake its own DEDUP_PATH",
                path.display()
            )),
            e => DedupError::Config(format!("cannot open {}: {e}", path.display())),
        })?;
        let txn = db.begin_write().map_err(unavailable)?;
        txn.open_table(KEYS).map_err(unavailable)?;
        txn.open_table(BY_EXPIRY).map_err(unavailable)?;
        txn.commit().map_err(unavailable)?;
        let db = Arc::new(db);
        let (tx, rx) = mpsc::channel();
        let writer_db = db.clone();
        let writer = std::thread::Builder::new()
            .name("dedup-writer".into())
            .spawn(move || write_loop(&writer_db, &rx))
            .map_err(|e| DedupError::Config(format!("cannot start the dedup writer: {e}")))?;
        Ok(Self(Arc::new(Inner {
            db,
            path: path.to_owned(),
            tx: Some(tx),
            writer: Some(writer),
        })))
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.0.path
    }

    /// How many keys are stored, expired ones not yet pruned included.
    pub fn len(&self) -> Result<u64, DedupError> {
        let txn = self.0.db.begin_read().map_err(unavailable)?;
        let t = txn.open_table(KEYS).map_err(unavailable)?;
        t.len().map_err(unavailable)
    }

    /// True when no key is stored.
    pub fn is_empty(&self) -> Result<bool, DedupError> {
        Ok(self.len()? == 0)
    }
}

impl Dedup for EmbeddedDedup {
    fn claim<'a>(&'a self, key: &'a str, now: Timestamp, ttl: Duration) -> ClaimFuture<'a> {
        Box::pin(async move {
            let (answer, rx) = oneshot::channel();
            let claim = Claim {
                key: key.to_owned(),
                now: now.as_second(),
                expires: expiry(now, ttl),
                answer,
            };
            let sent = self.0.tx.as_ref().map(|tx| tx.send(claim));
            if !matches!(sent, Some(Ok(()))) {
                return Err(DedupError::Unavailable(
                    "the dedup writer has stopped".into(),
                ));
            }
            rx.await
                .map_err(|_| DedupError::Unavailable("the dedup writer has stopped".into()))?
        })
    }
}

/// The writer: takes every claim waiting, applies them in one transaction, commits durably,
/// then answers them all.
fn write_loop(db: &Database, rx: &mpsc::Receiver<Claim>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(c) => batch.push(c),
                Err(_) => break,
            }
        }
        match apply(db, &batch) {
            Ok(fresh) => {
                for (c, f) in batch.into_iter().zip(fresh) {
                    let _ = c.answer.send(Ok(f));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, claims = batch.len(), "dedup_commit_failed");
                for c in batch {
                    let _ = c.answer.send(Err(e.clone()));
                }
            }
        }
    }
}

fn apply(db: &Database, batch: &[Claim]) -> Result<Vec<bool>, DedupError> {
    let txn = db.begin_write().map_err(unavailable)?;
    let fresh = {
        let mut keys = txn.open_table(KEYS).map_err(unavailable)?;
        let mut index = txn.open_table(BY_EXPIRY).map_err(unavailable)?;
        let mut fresh = Vec::with_capacity(batch.len());
        for c in batch {
            fresh.push(claim_one(&mut keys, &mut index, c)?);
        }
        let now = batch.iter().map(|c| c.now).max().unwrap_or(0);
        prune(&mut keys, &mut index, now)?;
        fresh
    };
    txn.commit().map_err(unavailable)?;
    Ok(fresh)
}

fn claim_one(
    keys: &mut Table<&str, i64>,
    index: &mut Table<(i64, &str), ()>,
    c: &Claim,
) -> Result<bool, DedupError> {
    let held = keys
        .get(c.key.as_str())
        .map_err(unavailable)?
        .map(|g| g.value());
    match held {
        Some(exp) if exp > c.now => Ok(false),
        old => {
            if let Some(exp) = old {
                index.remove((exp, c.key.as_str())).map_err(unavailable)?;
            }
            keys.insert(c.key.as_str(), c.expires)
                .map_err(unavailable)?;
            index
                .insert((c.expires, c.key.as_str()), ())
                .map_err(unavailable)?;
            Ok(true)
        }
    }
}

/// Removes a few keys that expired before `now` (oldest first).
fn prune(
    keys: &mut Table<&str, i64>,
    index: &mut Table<(i64, &str), ()>,
    now: i64,
) -> Result<(), DedupError> {
    let expired: Vec<(i64, String)> = index
        .range::<(i64, &str)>(..(now, ""))
        .map_err(unavailable)?
        .take(PRUNE_BATCH)
        .filter_map(Result::ok)
        .map(|(k, _)| {
            let (e, k) = k.value();
            (e, k.to_owned())
        })
        .collect();
    for (e, k) in &expired {
        index.remove((*e, k.as_str())).map_err(unavailable)?;
        keys.remove(k.as_str()).map_err(unavailable)?;
    }
    Ok(())
}
