//! The frame an exception was raised in, read from a stack trace in any of the usual shapes:
//! Python (`File "…/billing.py", line 41, in next_period_end`: most recent call last, so the
//! last frame), Java (`at com.acme.Tax.calc(Tax.java:88)`: the first), Node (`at fn
//! (/app/x.js:88:13)`: the first) and Go (`main.fn(...)` then `\t/app/x.go:88 +0x1d` after
//! `goroutine N [running]:`: the first outside the runtime). Frames in the language's own
//! library or in installed packages give way to the application's nearest one.

use regex::Regex;
use std::sync::LazyLock;

/// One stack frame: the function and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The function (`next_period_end`, `Tax.calc`, `main.(*Store).Put`).
    pub function: String,
    /// The file's base name and line (`billing.py:41`).
    pub location: String,
    /// The frame as the trace prints it (trimmed).
    pub raw: String,
}

impl Frame {
    /// `in next_period_end (billing.py:41)`.
    pub fn clause(&self) -> String {
        format!("in {} ({})", self.function, self.location)
    }
}

static PYTHON: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^File "([^"]+)", line (\d+), in (\S+)"#).expect("static regex"));
static JAVA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^at ([\w$.<>/]+)\(([\w$.\-]+\.(?:java|kt|scala|groovy|clj)):(\d+)\)")
        .expect("static regex")
});
static NODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^at (?:(?:async )?([^\s(]+) \()?([^\s()]+\.(?:js|mjs|cjs|ts)):(\d+):\d+\)?$")
        .expect("static regex")
});
static GO_FUNC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([\w./*()\-]+)\(.*\)$").expect("static regex"));
static GO_FILE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(/\S+\.go):(\d+)(?: \+0x[0-9a-f]+)?$").expect("static regex"));

fn base(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Python and Node paths of installed packages or the interpreter's own library.
fn library_path(path: &str) -> bool {
    [
        "site-packages/",
        "dist-packages/",
        "/lib/python",
        "node_modules/",
        "node:internal",
    ]
    .iter()
    .any(|p| path.contains(p))
        || path.starts_with("node:")
}

/// Java / Kotlin / Scala classes of the platform itself.
fn library_class(qualified: &str) -> bool {
    [
        "java.", "javax.", "jdk.", "sun.", "com.sun.", "kotlin.", "scala.",
    ]
    .iter()
    .any(|p| qualified.starts_with(p))
}

/// `com.acme.billing.Periods.nextEnd` → `Periods.nextEnd`.
fn short_method(qualified: &str) -> String {
    let parts: Vec<&str> = qualified.rsplitn(3, '.').collect();
    match parts.as_slice() {
        [method, class, ..] => format!("{class}.{method}"),
        _ => qualified.to_owned(),
    }
}

fn python(lines: &[&str]) -> Option<Frame> {
    let frames: Vec<(Frame, bool)> = lines
        .iter()
        .filter_map(|l| {
            let c = PYTHON.captures(l)?;
            Some((
                Frame {
                    function: c[3].to_owned(),
                    location: format!("{}:{}", base(&c[1]), &c[2]),
                    raw: (*l).to_owned(),
                },
                library_path(&c[1]),
            ))
        })
        .collect();
    // Most recent call last: the deepest application frame, else the deepest.
    let app = frames.iter().rev().find(|(_, lib)| !lib);
    app.or(frames.last()).map(|(f, _)| f.clone())
}

fn java(lines: &[&str]) -> Option<Frame> {
    let frames: Vec<(Frame, bool)> = lines
        .iter()
        .filter_map(|l| {
            let c = JAVA.captures(l)?;
            Some((
                Frame {
                    function: short_method(&c[1]),
                    location: format!("{}:{}", &c[2], &c[3]),
                    raw: (*l).to_owned(),
                },
                library_class(&c[1]),
            ))
        })
        .collect();
    let app = frames.iter().find(|(_, lib)| !lib);
    app.or(frames.first()).map(|(f, _)| f.clone())
}

fn node(lines: &[&str]) -> Option<Frame> {
    let frames: Vec<(Frame, bool)> = lines
        .iter()
        .filter_map(|l| {
            let c = NODE.captures(l)?;
            let path = &c[2];
            Some((
                Frame {
                    function: c
                        .get(1)
                        .map_or_else(|| "<anonymous>".to_owned(), |m| m.as_str().to_owned()),
                    location: format!("{}:{}", base(path), &c[3]),
                    raw: (*l).to_owned(),
                },
                library_path(path),
            ))
        })
        .collect();
    let app = frames.iter().find(|(_, lib)| !lib);
    app.or(frames.first()).map(|(f, _)| f.clone())
}

fn go(lines: &[&str]) -> Option<Frame> {
    let start = lines.iter().position(|l| l.starts_with("goroutine "))?;
    lines[start + 1..].windows(2).find_map(|w| {
        let func = GO_FUNC.captures(w[0])?;
        let file = GO_FILE.captures(w[1])?;
        let name = &func[1];
        let runtime =
            name.starts_with("runtime.") || name == "panic" || file[1].contains("/src/runtime/");
        (!runtime).then(|| Frame {
            function: name.to_owned(),
            location: format!("{}:{}", base(&file[1]), &file[2]),
            raw: format!("{} {}", w[0], w[1]),
        })
    })
}

/// The frame the exception in `trace` (the event's lines after its error line, or all of
/// them) was raised in, if the trace has frames.
pub fn raise_frame(trace: &str) -> Option<Frame> {
    let lines: Vec<&str> = trace
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.iter().any(|l| l.starts_with("File \"")) {
        return python(&lines);
    }
    if lines.iter().any(|l| l.starts_with("goroutine "))
        && let Some(f) = go(&lines)
    {
        return Some(f);
    }
    java(&lines).or_else(|| node(&lines))
}
