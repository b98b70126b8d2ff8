//! Splitting a message that is over a platform's limit into parts, never cutting a line short
//! and never losing one: lines are packed in order; a line longer than a whole part is broken
//! at whitespace (or, with none, at a character boundary) with every character kept; a code
//! fence open at a split is closed at the end of the part and reopened at the start of the next.
//! A part preferably ends at a blank line (a section boundary) in its last third. Parts are
//! numbered `(i/n)` on a last line of their own.
//!
//! Lengths are counted in UTF-16 code units, which is never less than the character count the
//! platforms enforce, so a part that fits here fits there.

/// Limits below this are raised to it (room for numbering and a reopened fence).
pub const MIN_LIMIT: usize = 64;
/// Room kept in every part for `\n(999/999)`.
const NUMBER_RESERVE: usize = 10;
/// Longest fence opener carried over to the next part (longer ones reopen as plain ```` ``` ````).
const MAX_OPENER: usize = 16;
/// `\n` + ```` ``` ````, closing a fence at a part's end.
const CLOSE_COST: usize = 4;

/// The length the platforms' limits are checked against (UTF-16 code units).
pub fn width(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Splits `text` into parts of at most `limit` (see the module docs). Text that fits is
/// returned as one part, unchanged; blank text gives no parts.
pub fn split(text: &str, limit: usize) -> Vec<String> {
    let limit = limit.max(MIN_LIMIT);
    if text.trim().is_empty() {
        return Vec::new();
    }
    if width(text) <= limit {
        return vec![text.to_owned()];
    }
    let mut s = Splitter {
        budget: limit - NUMBER_RESERVE,
        parts: Vec::new(),
        cur: String::new(),
        cur_w: 0,
        has_content: false,
        fence: None,
        last_blank: None,
    };
    for line in text.split('\n') {
        s.push(line);
    }
    let mut parts = s.finish();
    let n = parts.len();
    if n > 1 && n <= 999 {
        for (i, p) in parts.iter_mut().enumerate() {
            p.push_str(&format!("\n({}/{n})", i + 1));
        }
    }
    parts
}

fn is_fence(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("```") && !t[3..].contains("```")
}

fn opener(line: &str) -> String {
    let t = line.trim();
    if width(t) <= MAX_OPENER {
        t.to_owned()
    } else {
        "```".to_owned()
    }
}

struct Splitter {
    budget: usize,
    parts: Vec<String>,
    /// The part being filled (starts with the reopened fence, if any).
    cur: String,
    cur_w: usize,
    /// `cur` holds more than a reopened fence opener.
    has_content: bool,
    /// The opener of the fence open after the last line pushed.
    fence: Option<String>,
    /// Where the last blank line outside a fence starts in `cur` (a preferred break).
    last_blank: Option<usize>,
}

impl Splitter {
    fn sep(&self) -> usize {
        usize::from(!self.cur.is_empty())
    }

    fn fits(&self, w: usize, fence_open_after: bool) -> bool {
        let close = if fence_open_after { CLOSE_COST } else { 0 };
        self.cur_w + self.sep() + w + close <= self.budget
    }

    fn append(&mut self, piece: &str) {
        if piece.trim().is_empty() && self.fence.is_none() && !self.cur.is_empty() {
            self.last_blank = Some(self.cur.len());
        }
        self.cur_w += self.sep() + width(piece);
        if !self.cur.is_empty() {
            self.cur.push('\n');
        }
        self.cur.push_str(piece);
        self.has_content = true;
    }

    fn push(&mut self, line: &str) {
        let fence_after = match (&self.fence, is_fence(line)) {
            (Some(_), true) => None,
            (None, true) => Some(opener(line)),
            (f, false) => f.clone(),
        };
        let w = width(line);
        if !self.fits(w, fence_after.is_some()) && self.has_content {
            self.flush_at_break(w, fence_after.is_some());
        }
        if line.trim().is_empty() && !self.has_content && self.fence.is_none() {
            return; // blank lines are not carried to the top of a part
        }
        if self.fits(w, fence_after.is_some()) {
            self.append(line);
            self.fence = fence_after;
            return;
        }
        // Longer than a whole part: break it, keeping every character.
        let close = if self.fence.is_some() || fence_after.is_some() {
            CLOSE_COST
        } else {
            0
        };
        let mut rest = line;
        while !rest.is_empty() {
            let room = self.budget.saturating_sub(self.cur_w + self.sep() + close);
            if room < 8 && self.has_content {
                self.flush();
                continue;
            }
            let (piece, tail) = cut(rest, room.max(2));
            self.append(piece);
            rest = tail;
            if !rest.is_empty() {
                self.flush();
            }
        }
        self.fence = fence_after;
    }

    /// Ends the current part at its last blank line when what follows it is short and, with
    /// the next line (`w` wide), fits a part; else where it is.
    fn flush_at_break(&mut self, w: usize, fence_open_after: bool) {
        if let Some(pos) = self.last_blank {
            // Whole blank lines are dropped from the tail's top; indentation is kept.
            let rest = &self.cur[pos..];
            let blank: usize = rest
                .split_inclusive('\n')
                .take_while(|l| l.trim().is_empty())
                .map(str::len)
                .sum();
            let tail = &rest[blank..];
            let tail_w = width(tail);
            let close = if fence_open_after { CLOSE_COST } else { 0 };
            let head_has_text = !self.cur[..pos].trim().is_empty();
            if head_has_text && tail_w <= self.budget / 3 && tail_w + 1 + w + close <= self.budget {
                let tail = tail.to_owned();
                self.cur.truncate(pos);
                let fence = self.fence.take();
                self.flush();
                self.fence = fence;
                self.cur = tail;
                self.cur_w = width(&self.cur);
                self.has_content = !self.cur.is_empty();
                return;
            }
        }
        self.flush();
    }

    /// Ends the current part (closing an open fence) and starts the next (reopening it).
    fn flush(&mut self) {
        if !self.has_content {
            return;
        }
        let mut part = std::mem::take(&mut self.cur);
        if self.fence.is_some() {
            part.push_str("\n```");
        } else {
            while let Some(pos) = part.rfind('\n') {
                if !part[pos + 1..].trim().is_empty() {
                    break;
                }
                part.truncate(pos);
            }
        }
        self.parts.push(part);
        self.cur = self.fence.clone().unwrap_or_default();
        self.cur_w = width(&self.cur);
        self.has_content = false;
        self.last_blank = None;
    }

    fn finish(mut self) -> Vec<String> {
        if self.has_content {
            // The input's own fences are left as they were at its end.
            self.fence = None;
            self.flush();
        }
        self.parts
    }
}

/// The longest prefix of `s` within `room` (UTF-16 units), ending after whitespace when there
/// is some; never empty for non-empty `s` (`room >= 2` fits any character).
fn cut(s: &str, room: usize) -> (&str, &str) {
    let mut used = 0;
    let mut end = 0;
    for (i, c) in s.char_indices() {
        if used + c.len_utf16() > room {
            break;
        }
        used += c.len_utf16();
        end = i + c.len_utf8();
    }
    if end >= s.len() {
        return (s, "");
    }
    let end = if end == 0 {
        s.chars().next().map_or(s.len(), char::len_utf8)
    } else {
        end
    };
    let ws = s[..end]
        .char_indices()
        .rev()
        .find(|(i, c)| c.is_whitespace() && *i > 0)
        .map(|(i, c)| i + c.len_utf8());
    let at = ws.unwrap_or(end);
    s.split_at(at)
}
