//! The bounded task store: tasks by id, with a size cap and a TTL for finished tasks, so a
//! long-running agent's memory stays flat.

use crate::error::A2aError;
use crate::types::{
    Artifact, ListTasksRequest, ListTasksResponse, Message, Task, TaskState, TaskStatus,
};
use jiff::Timestamp;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// How many tasks are kept and for how long.
#[derive(Debug, Clone, Copy)]
pub struct StoreLimits {
    /// Most tasks kept; beyond it the oldest finished tasks are dropped first.
    pub max_tasks: usize,
    /// A finished (terminal) task is dropped this long after its last update.
    pub ttl: Duration,
}

impl Default for StoreLimits {
    fn default() -> Self {
        Self {
            max_tasks: 1_000,
            ttl: Duration::from_secs(3_600),
        }
    }
}

struct Entry {
    seq: u64,
    touched: Instant,
    context_id: String,
    state: TaskState,
    timestamp: Option<Timestamp>,
    body: Body,
}

enum Body {
    /// A task that can still change, with its run's cancel token.
    Live {
        task: Box<Task>,
        cancel: CancellationToken,
    },
    /// A finished task while its finisher compacts it outside the lock (see `TaskStore::seal`).
    Sealing(Arc<Task>),
    /// A finished task, kept as its JSON: one allocation a fraction of the parsed task's size,
    /// parsed again only when someone asks for it.
    Done(Box<str>),
}

impl Entry {
    fn new(task: Task, seq: u64, cancel: CancellationToken) -> Self {
        Self {
            seq,
            touched: Instant::now(),
            context_id: task.context_id.clone(),
            state: task.status.state,
            timestamp: task.status.timestamp,
            body: Body::Live {
                task: Box::new(task),
                cancel,
            },
        }
    }

    /// A copy of the task.
    fn task(&self) -> Result<Task, A2aError> {
        match &self.body {
            Body::Live { task, .. } => Ok(Task::clone(task)),
            Body::Sealing(task) => Ok(Task::clone(task)),
            Body::Done(json) => serde_json::from_str(json).map_err(|e| {
                tracing::error!(error = %e, "a stored task no longer parses");
                A2aError::Internal
            }),
        }
    }

    /// Sets the task's status. A task this finishes is sealed: no longer live, and handed back
    /// to be compacted (`TaskStore::seal`).
    fn set_status(&mut self, status: TaskStatus) -> Option<Arc<Task>> {
        self.state = status.state;
        self.timestamp = status.timestamp;
        self.touched = Instant::now();
        let Body::Live { task, .. } = &mut self.body else {
            return None;
        };
        task.status = status;
        if !self.state.is_terminal() {
            return None;
        }
        match std::mem::replace(&mut self.body, Body::Done(Box::default())) {
            Body::Live { task, .. } => {
                let sealed = Arc::new(*task);
                self.body = Body::Sealing(sealed.clone());
                Some(sealed)
            }
            other => {
                self.body = other;
                None
            }
        }
    }
}

/// What `begin` hands the runner of a task.
pub(crate) struct Begun {
    pub task_id: String,
    pub context_id: String,
    /// The message as stored (with its task and context ids).
    pub message: Message,
    /// History before this message (the new message is appended in the store).
    pub history: Vec<Message>,
    pub cancel: CancellationToken,
}

/// The tasks of one server.
pub struct TaskStore {
    inner: Mutex<Inner>,
    limits: StoreLimits,
}

struct Inner {
    tasks: HashMap<String, Entry>,
    /// Task ids by their entry's `seq` (oldest first), for eviction without a full scan.
    order: BTreeMap<u64, String>,
    seq: u64,
}

impl Inner {
    fn remove(&mut self, task_id: &str) -> Option<Entry> {
        let e = self.tasks.remove(task_id)?;
        self.order.remove(&e.seq);
        Some(e)
    }
}

impl TaskStore {
    /// An empty store.
    pub fn new(limits: StoreLimits) -> Self {
        Self {
            inner: Mutex::new(Inner {
                tasks: HashMap::new(),
                order: BTreeMap::new(),
                seq: 0,
            }),
            limits,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves consistent data (every write is a whole-field
        // assignment), so a poisoned lock is safe to use.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Number of tasks held.
    pub fn len(&self) -> usize {
        self.lock().tasks.len()
    }

    /// True when no task is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Starts a new task for `message`, or continues the interrupted task it names.
    pub(crate) fn begin(&self, mut message: Message) -> Result<Begun, A2aError> {
        let now = Timestamp::now();
        let mut inner = self.lock();
        inner.seq += 1;
        let seq = inner.seq;
        if let Some(task_id) = message.task_id.clone() {
            let inner = &mut *inner;
            let entry = inner
                .tasks
                .get_mut(&task_id)
                .ok_or_else(|| A2aError::TaskNotFound(task_id.clone()))?;
            let state = entry.state;
            if state.is_terminal() {
                return Err(A2aError::UnsupportedOperation(format!(
                    "task {task_id} is in terminal state {}",
                    state_name(state)
                )));
            }
            if !state.is_interrupted() {
                return Err(A2aError::UnsupportedOperation(format!(
                    "task {task_id} is still working"
                )));
            }
            if let Some(ctx) = &message.context_id
                && *ctx != entry.context_id
            {
                return Err(A2aError::InvalidParams(format!(
                    "contextId {ctx} does not match task {task_id}'s context"
                )));
            }
            let Body::Live { task, cancel } = &mut entry.body else {
                return Err(A2aError::Internal);
            };
            message.context_id = Some(entry.context_id.clone());
            let history = task.history.clone().unwrap_or_default();
            task.history
                .get_or_insert_with(Vec::new)
                .push(message.clone());
            *cancel = CancellationToken::new();
            let begun = Begun {
                task_id: task_id.clone(),
                context_id: entry.context_id.clone(),
                message,
                history,
                cancel: cancel.clone(),
            };
            entry.set_status(TaskStatus {
                state: TaskState::Working,
                message: None,
                timestamp: Some(now),
            });
            inner.order.remove(&entry.seq);
            entry.seq = seq;
            inner.order.insert(seq, task_id);
            return Ok(begun);
        }
        let task_id = uuid::Uuid::new_v4().to_string();
        let context_id = message
            .context_id
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        message.task_id = Some(task_id.clone());
        message.context_id = Some(context_id.clone());
        let cancel = CancellationToken::new();
        let task = Task {
            id: task_id.clone(),
            context_id: context_id.clone(),
            status: TaskStatus {
                state: TaskState::Working,
                message: None,
                timestamp: Some(now),
            },
            artifacts: None,
            history: Some(vec![message.clone()]),
            metadata: None,
        };
        inner
            .tasks
            .insert(task_id.clone(), Entry::new(task, seq, cancel.clone()));
        inner.order.insert(seq, task_id.clone());
        let evicted = self.evict(&mut inner);
        drop(inner);
        drop(evicted);
        Ok(Begun {
            task_id,
            context_id,
            message,
            history: Vec::new(),
            cancel,
        })
    }

    /// Records the outcome of a run (ignored if the task was canceled or evicted meanwhile);
    /// returns the task as recorded when the outcome ended it.
    pub(crate) fn finish(
        &self,
        task_id: &str,
        state: TaskState,
        artifacts: Vec<Artifact>,
        reply: Option<Message>,
    ) -> Option<Task> {
        let mut inner = self.lock();
        let entry = inner.tasks.get_mut(task_id)?;
        let context_id = entry.context_id.clone();
        // Only the bookkeeping happens under the lock; the finished task is compacted after it.
        let Body::Live { task, .. } = &mut entry.body else {
            return None;
        };
        if task.status.state.is_terminal() {
            return None;
        }
        if !artifacts.is_empty() {
            task.artifacts
                .get_or_insert_with(Vec::new)
                .extend(artifacts);
        }
        let reply = reply.map(|mut m| {
            m.task_id = Some(task_id.to_owned());
            m.context_id = Some(context_id);
            m
        });
        let sealed = entry.set_status(TaskStatus {
            state,
            message: reply,
            timestamp: Some(Timestamp::now()),
        });
        match sealed {
            Some(sealed) => {
                drop(inner);
                Some(self.seal(task_id, sealed))
            }
            None => entry.task().ok(),
        }
    }

    /// Compacts a task that just finished to its JSON, with the store unlocked while it is
    /// serialized (readers meanwhile get a copy of the sealed task); returns the task.
    fn seal(&self, task_id: &str, sealed: Arc<Task>) -> Task {
        match serde_json::to_string(&*sealed) {
            Ok(json) => {
                let mut inner = self.lock();
                // Swapped only if it is still this entry (not evicted and begun anew meanwhile).
                if let Some(entry) = inner.tasks.get_mut(task_id)
                    && matches!(&entry.body, Body::Sealing(t) if Arc::ptr_eq(t, &sealed))
                {
                    entry.body = Body::Done(json.into_boxed_str());
                }
            }
            Err(e) => tracing::warn!(error = %e, "a finished task is kept uncompacted"),
        }
        // Usually the last handle by now, so the task is handed back without a copy.
        Arc::try_unwrap(sealed).unwrap_or_else(|shared| Task::clone(&shared))
    }

    /// Cancels a task that is not finished.
    pub fn cancel(&self, task_id: &str) -> Result<Task, A2aError> {
        let mut inner = self.lock();
        let entry = inner
            .tasks
            .get_mut(task_id)
            .ok_or_else(|| A2aError::TaskNotFound(task_id.to_owned()))?;
        let state = entry.state;
        if state.is_terminal() {
            return Err(A2aError::TaskNotCancelable(format!(
                "task {task_id} is already {}",
                state_name(state)
            )));
        }
        if let Body::Live { cancel, .. } = &entry.body {
            cancel.cancel();
        }
        let canceled = entry.set_status(TaskStatus {
            state: TaskState::Canceled,
            message: None,
            timestamp: Some(Timestamp::now()),
        });
        match canceled {
            Some(sealed) => {
                drop(inner);
                Ok(self.seal(task_id, sealed))
            }
            None => entry.task(),
        }
    }

    /// Removes a task (a blocking call answered with a direct message keeps no task); returns
    /// its context id.
    pub(crate) fn remove(&self, task_id: &str) -> Option<String> {
        self.lock().remove(task_id).map(|e| e.context_id)
    }

    /// True for a finished task past its TTL: invisible at once, reclaimed by the next sweep.
    fn expired(&self, e: &Entry, now: Instant) -> bool {
        e.state.is_terminal() && now.duration_since(e.touched) > self.limits.ttl
    }

    /// A copy of a task with at most `history_length` history messages (`None`: all).
    pub fn get(&self, task_id: &str, history_length: Option<usize>) -> Result<Task, A2aError> {
        let inner = self.lock();
        let now = Instant::now();
        let entry = inner
            .tasks
            .get(task_id)
            .filter(|e| !self.expired(e, now))
            .ok_or_else(|| A2aError::TaskNotFound(task_id.to_owned()))?;
        Ok(trim_history(entry.task()?, history_length))
    }

    /// `ListTasks`: filtered, newest status first, cursor-paged.
    pub fn list(&self, req: &ListTasksRequest) -> Result<ListTasksResponse, A2aError> {
        let page_size = req.page_size.unwrap_or(50);
        if !(1..=100).contains(&page_size) {
            return Err(A2aError::InvalidParams(format!(
                "pageSize must be between 1 and 100, not {page_size}"
            )));
        }
        let history = history_len(req.history_length)?;
        let cursor = match req.page_token.as_deref().filter(|t| !t.is_empty()) {
            Some(t) => Some(
                decode_cursor(t)
                    .ok_or_else(|| A2aError::InvalidParams(format!("invalid pageToken '{t}'")))?,
            ),
            None => None,
        };
        let inner = self.lock();
        let now = Instant::now();
        let mut rows: Vec<(i128, &str, &Entry)> = inner
            .tasks
            .iter()
            .filter(|(_, e)| !self.expired(e, now))
            .filter(|(_, e)| req.context_id.as_ref().is_none_or(|c| *c == e.context_id))
            .filter(|(_, e)| req.status.is_none_or(|s| s == e.state))
            .filter(|(_, e)| {
                req.status_timestamp_after
                    .is_none_or(|after| e.timestamp.is_some_and(|t| t >= after))
            })
            .map(|(id, e)| (e.timestamp.map_or(0, |t| t.as_nanosecond()), id.as_str(), e))
            .collect();
        rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(a.1)));
        let total = rows.len();
        let start = match &cursor {
            Some((ts, id)) => rows
                .iter()
                .position(|(t, i, _)| (*t, *i) < (*ts, id.as_str()))
                .unwrap_or(total),
            None => 0,
        };
        let page = &rows[start.min(total)..(start + page_size as usize).min(total)];
        let next = if start + page.len() < total {
            page.last()
                .map(|(t, id, _)| encode_cursor(*t, id))
                .unwrap_or_default()
        } else {
            String::new()
        };
        let include_artifacts = req.include_artifacts.unwrap_or(false);
        let tasks = page
            .iter()
            .map(|(_, _, e)| {
                let mut t = trim_history(e.task()?, history);
                if include_artifacts {
                    t.artifacts.get_or_insert_with(Vec::new);
                } else {
                    t.artifacts = None;
                }
                Ok(t)
            })
            .collect::<Result<Vec<Task>, A2aError>>()?;
        Ok(ListTasksResponse {
            tasks,
            next_page_token: next,
            page_size,
            total_size: total as i32,
        })
    }

    /// Drops expired tasks and holds the cap; returns what it removed, for the caller to free
    /// after unlocking.
    fn evict(&self, inner: &mut Inner) -> Vec<Entry> {
        let mut evicted = Vec::new();
        // The TTL sweep walks every task, so it runs every 64th insert rather than on each
        // request (expired tasks are invisible at once; the cap below holds in between).
        if inner.seq.is_multiple_of(64) {
            let now = Instant::now();
            let expired: Vec<String> = inner
                .tasks
                .iter()
                .filter(|(_, e)| self.expired(e, now))
                .map(|(id, _)| id.clone())
                .collect();
            evicted.extend(expired.iter().filter_map(|id| inner.remove(id)));
        }
        while inner.tasks.len() > self.limits.max_tasks {
            // Oldest finished task first; if every task is still running, the oldest of all.
            let victim = inner
                .order
                .values()
                .find(|id| inner.tasks.get(*id).is_some_and(|e| e.state.is_terminal()))
                .or_else(|| inner.order.values().next())
                .cloned();
            let Some(id) = victim else { break };
            let Some(entry) = inner.remove(&id) else {
                break;
            };
            if let Body::Live { cancel, .. } = &entry.body {
                cancel.cancel();
            }
            evicted.push(entry);
        }
        evicted
    }
}

/// Validates a `historyLength` (negative → invalid params).
pub(crate) fn history_len(h: Option<i32>) -> Result<Option<usize>, A2aError> {
    match h {
        None => Ok(None),
        Some(n) if n < 0 => Err(A2aError::InvalidParams(format!(
            "historyLength must not be negative, not {n}"
        ))),
        Some(n) => Ok(Some(n as usize)),
    }
}

/// Keeps the last `n` history messages; `Some(0)` drops the key.
pub(crate) fn trim_history(mut task: Task, n: Option<usize>) -> Task {
    match n {
        None => {}
        Some(0) => task.history = None,
        Some(n) => {
            if let Some(h) = task.history.as_mut() {
                let drop = h.len().saturating_sub(n);
                h.drain(..drop);
            }
        }
    }
    task
}

fn state_name(s: TaskState) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn encode_cursor(ts: i128, id: &str) -> String {
    hex::encode(format!("{ts}|{id}"))
}

fn decode_cursor(token: &str) -> Option<(i128, String)> {
    let raw = String::from_utf8(hex::decode(token).ok()?).ok()?;
    let (ts, id) = raw.split_once('|')?;
    Some((ts.parse().ok()?, id.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Part, Role};

    fn is_compacted(store: &TaskStore, task_id: &str) -> bool {
        matches!(store.lock().tasks[task_id].body, Body::Done(_))
    }

    fn begin(store: &TaskStore) -> String {
        let msg = Message::new(Role::User, vec![Part::text("disk full on node-3")]);
        store.begin(msg).expect("a new task begins").task_id
    }

    #[test]
    fn finishing_hands_back_the_task_and_keeps_it_compacted() {
        let store = TaskStore::new(StoreLimits::default());
        let id = begin(&store);
        let art = Artifact::new("answer", vec![Part::text("ok")]);
        let done = store
            .finish(&id, TaskState::Completed, vec![art], None)
            .expect("the outcome is recorded");
        assert_eq!(done.status.state, TaskState::Completed);
        assert_eq!(done.artifacts.as_ref().map(Vec::len), Some(1));
        assert!(is_compacted(&store, &id), "a finished task is kept as JSON");
        let read = store.get(&id, None).expect("it reads back");
        assert_eq!(
            serde_json::to_value(&read).ok(),
            serde_json::to_value(&done).ok()
        );
        // A second outcome for a finished task is not recorded.
        assert!(
            store
                .finish(&id, TaskState::Failed, Vec::new(), None)
                .is_none()
        );
    }

    #[test]
    fn an_interrupted_task_stays_live_and_is_handed_back() {
        let store = TaskStore::new(StoreLimits::default());
        let id = begin(&store);
        let t = store
            .finish(&id, TaskState::InputRequired, Vec::new(), None)
            .expect("the outcome is recorded");
        assert_eq!(t.status.state, TaskState::InputRequired);
        assert!(!is_compacted(&store, &id));
    }

    #[test]
    fn a_canceled_task_is_compacted_and_its_late_outcome_ignored() {
        let store = TaskStore::new(StoreLimits::default());
        let id = begin(&store);
        let t = store.cancel(&id).expect("a working task cancels");
        assert_eq!(t.status.state, TaskState::Canceled);
        assert!(is_compacted(&store, &id));
        assert!(
            store
                .finish(&id, TaskState::Completed, Vec::new(), None)
                .is_none()
        );
        assert_eq!(
            store.get(&id, None).map(|t| t.status.state).ok(),
            Some(TaskState::Canceled)
        );
    }

    #[test]
    fn sealing_does_not_touch_a_task_that_replaced_the_sealed_one() {
        let store = TaskStore::new(StoreLimits::default());
        let id = begin(&store);
        let sealed = {
            let mut inner = store.lock();
            let entry = inner.tasks.get_mut(&id).expect("just begun");
            entry
                .set_status(TaskStatus {
                    state: TaskState::Completed,
                    message: None,
                    timestamp: None,
                })
                .expect("a finished task is sealed")
        };
        // Meanwhile the entry was evicted and the id reused by a live task.
        let other = begin(&store);
        {
            let mut inner = store.lock();
            let replacement = inner.tasks.remove(&other).expect("just begun");
            inner.tasks.insert(id.clone(), replacement);
        }
        let t = store.seal(&id, sealed);
        assert_eq!(t.status.state, TaskState::Completed);
        assert!(
            !is_compacted(&store, &id),
            "the replacing live task is left as it is"
        );
    }
}
