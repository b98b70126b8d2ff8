//! The bounded task store: tasks by id, with a size cap and a TTL for finished tasks, so a
//! long-running agent's memory stays flat.

use crate::error::A2aError;
use crate::types::{
    Artifact, ListTasksRequest, ListTasksResponse, Message, Task, TaskState, TaskStatus,
};
use jiff::Timestamp;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::watch;
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
    task: Task,
    seq: u64,
    touched: Instant,
    cancel: CancellationToken,
    state_tx: watch::Sender<TaskState>,
}

/// What `begin` hands the runner of a task.
pub(crate) struct Begun {
    pub task_id: String,
    pub context_id: String,
    /// History before this message (the new message is appended in the store).
    pub history: Vec<Message>,
    pub cancel: CancellationToken,
    pub state: watch::Receiver<TaskState>,
}

/// The tasks of one server.
pub struct TaskStore {
    inner: Mutex<Inner>,
    limits: StoreLimits,
}

struct Inner {
    tasks: HashMap<String, Entry>,
    seq: u64,
}

impl TaskStore {
    /// An empty store.
    pub fn new(limits: StoreLimits) -> Self {
        Self {
            inner: Mutex::new(Inner {
                tasks: HashMap::new(),
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
            let entry = inner
                .tasks
                .get_mut(&task_id)
                .ok_or_else(|| A2aError::TaskNotFound(task_id.clone()))?;
            let state = entry.task.status.state;
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
                && *ctx != entry.task.context_id
            {
                return Err(A2aError::InvalidParams(format!(
                    "contextId {ctx} does not match task {task_id}'s context"
                )));
            }
            message.context_id = Some(entry.task.context_id.clone());
            let history = entry.task.history.clone().unwrap_or_default();
            entry
                .task
                .history
                .get_or_insert_with(Vec::new)
                .push(message);
            entry.task.status = TaskStatus {
                state: TaskState::Working,
                message: None,
                timestamp: Some(now),
            };
            entry.touched = Instant::now();
            entry.seq = seq;
            entry.cancel = CancellationToken::new();
            entry.state_tx.send_replace(TaskState::Working);
            return Ok(Begun {
                task_id,
                context_id: entry.task.context_id.clone(),
                history,
                cancel: entry.cancel.clone(),
                state: entry.state_tx.subscribe(),
            });
        }
        let task_id = uuid::Uuid::new_v4().to_string();
        let context_id = message
            .context_id
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        message.task_id = Some(task_id.clone());
        message.context_id = Some(context_id.clone());
        let (state_tx, state) = watch::channel(TaskState::Working);
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
            history: Some(vec![message]),
            metadata: None,
        };
        inner.tasks.insert(
            task_id.clone(),
            Entry {
                task,
                seq,
                touched: Instant::now(),
                cancel: cancel.clone(),
                state_tx,
            },
        );
        self.evict(&mut inner);
        Ok(Begun {
            task_id,
            context_id,
            history: Vec::new(),
            cancel,
            state,
        })
    }

    /// Records the outcome of a run (ignored if the task was canceled meanwhile).
    pub(crate) fn finish(
        &self,
        task_id: &str,
        state: TaskState,
        artifacts: Vec<Artifact>,
        reply: Option<Message>,
    ) {
        let mut inner = self.lock();
        let Some(entry) = inner.tasks.get_mut(task_id) else {
            return;
        };
        if entry.task.status.state.is_terminal() {
            return;
        }
        if !artifacts.is_empty() {
            entry
                .task
                .artifacts
                .get_or_insert_with(Vec::new)
                .extend(artifacts);
        }
        let reply = reply.map(|mut m| {
            m.task_id = Some(entry.task.id.clone());
            m.context_id = Some(entry.task.context_id.clone());
            m
        });
        entry.task.status = TaskStatus {
            state,
            message: reply,
            timestamp: Some(Timestamp::now()),
        };
        entry.touched = Instant::now();
        entry.state_tx.send_replace(state);
    }

    /// Cancels a task that is not finished.
    pub fn cancel(&self, task_id: &str) -> Result<Task, A2aError> {
        let mut inner = self.lock();
        let entry = inner
            .tasks
            .get_mut(task_id)
            .ok_or_else(|| A2aError::TaskNotFound(task_id.to_owned()))?;
        let state = entry.task.status.state;
        if state.is_terminal() {
            return Err(A2aError::TaskNotCancelable(format!(
                "task {task_id} is already {}",
                state_name(state)
            )));
        }
        entry.cancel.cancel();
        entry.task.status = TaskStatus {
            state: TaskState::Canceled,
            message: None,
            timestamp: Some(Timestamp::now()),
        };
        entry.touched = Instant::now();
        entry.state_tx.send_replace(TaskState::Canceled);
        Ok(entry.task.clone())
    }

    /// Removes a task (a blocking call answered with a direct message keeps no task).
    pub(crate) fn remove(&self, task_id: &str) -> Option<Task> {
        self.lock().tasks.remove(task_id).map(|e| e.task)
    }

    /// True for a finished task past its TTL: invisible at once, reclaimed by the next sweep.
    fn expired(&self, e: &Entry, now: Instant) -> bool {
        e.task.status.state.is_terminal() && now.duration_since(e.touched) > self.limits.ttl
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
        Ok(trim_history(entry.task.clone(), history_length))
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
        let mut rows: Vec<(i128, &Entry)> = inner
            .tasks
            .values()
            .filter(|e| !self.expired(e, now))
            .filter(|e| {
                req.context_id
                    .as_ref()
                    .is_none_or(|c| *c == e.task.context_id)
            })
            .filter(|e| req.status.is_none_or(|s| s == e.task.status.state))
            .filter(|e| {
                req.status_timestamp_after
                    .is_none_or(|after| e.task.status.timestamp.is_some_and(|t| t >= after))
            })
            .map(|e| (e.task.status.timestamp.map_or(0, |t| t.as_nanosecond()), e))
            .collect();
        rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.task.id.cmp(&a.1.task.id)));
        let total = rows.len();
        let start = match &cursor {
            Some((ts, id)) => rows
                .iter()
                .position(|(t, e)| (*t, e.task.id.as_str()) < (*ts, id.as_str()))
                .unwrap_or(total),
            None => 0,
        };
        let page: Vec<&(i128, &Entry)> = rows.iter().skip(start).take(page_size as usize).collect();
        let next = if start + page.len() < total {
            page.last()
                .map(|(t, e)| encode_cursor(*t, &e.task.id))
                .unwrap_or_default()
        } else {
            String::new()
        };
        let include_artifacts = req.include_artifacts.unwrap_or(false);
        let tasks = page
            .iter()
            .map(|(_, e)| {
                let mut t = trim_history(e.task.clone(), history);
                if include_artifacts {
                    t.artifacts.get_or_insert_with(Vec::new);
                } else {
                    t.artifacts = None;
                }
                t
            })
            .collect();
        Ok(ListTasksResponse {
            tasks,
            next_page_token: next,
            page_size,
            total_size: total as i32,
        })
    }

    fn evict(&self, inner: &mut Inner) {
        // The TTL sweep walks every task, so it runs every 64th insert (and whenever the cap is
        // exceeded) rather than on each request.
        if inner.seq.is_multiple_of(64) || inner.tasks.len() > self.limits.max_tasks {
            let now = Instant::now();
            let ttl = self.limits.ttl;
            inner.tasks.retain(|_, e| {
                !(e.task.status.state.is_terminal() && now.duration_since(e.touched) > ttl)
            });
        }
        while inner.tasks.len() > self.limits.max_tasks {
            // Oldest finished task first; if every task is still running, the oldest of all.
            let victim = inner
                .tasks
                .iter()
                .filter(|(_, e)| e.task.status.state.is_terminal())
                .min_by_key(|(_, e)| e.seq)
                .or_else(|| inner.tasks.iter().min_by_key(|(_, e)| e.seq))
                .map(|(id, _)| id.clone());
            match victim {
                Some(id) => {
                    if let Some(e) = inner.tasks.remove(&id) {
                        e.cancel.cancel();
                    }
                }
                None => break,
            }
        }
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
