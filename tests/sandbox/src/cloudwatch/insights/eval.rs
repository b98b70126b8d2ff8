//! Runs parsed Insights stages over records, in order, and renders the result rows.

use super::parser::{Agg, AggFunc, Parse, SortKey, Stage, Stats};
use super::value::{Row, Value, discover_json_fields, natural_cmp};
use super::{QueryOutput, Record};
use crate::cloudwatch::wire::ACCOUNT_ID;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

/// Columns shown when a query names none (the service shows `@timestamp` and `@message`).
const DEFAULT_COLUMNS: [&str; 2] = ["@timestamp", "@message"];

pub(crate) fn run(stages: &[Stage], records: &[Record<'_>], limit: usize) -> QueryOutput {
    let mut rows: Vec<Row> = records.iter().map(row_of).collect();
    // Without an explicit sort, events come newest first (so `limit` keeps the newest).
    rows.sort_by_key(|row| std::cmp::Reverse(time_of(row)));
    let mut visible: Option<Vec<String>> = None;
    let mut aggregated = false;
    let mut matched = rows.len();
    for stage in stages {
        match stage {
            Stage::Fields(items) => {
                for row in &mut rows {
                    for item in &items[..] {
                        if matches!(&item.expr, super::expr::Expr::Field(f) if *f == item.name) {
                            continue;
                        }
                        match item.expr.eval(row) {
                            Some(v) => row.insert(item.name.clone(), v),
                            None => row.remove(&item.name),
                        };
                    }
                }
                let list = visible.get_or_insert_with(Vec::new);
                for item in items {
                    if !list.contains(&item.name) {
                        list.push(item.name.clone());
                    }
                }
            }
            Stage::Filter(expr) => {
                rows.retain(|row| expr.holds(row));
                if !aggregated {
                    matched = rows.len();
                }
            }
            Stage::Parse(p) => rows.iter_mut().for_each(|row| parse_into(p, row)),
            Stage::Stats(s) => {
                rows = stats(&rows, s);
                aggregated = true;
                let columns = s.groups.iter().map(|g| g.name.clone());
                visible = Some(
                    columns
                        .chain(s.aggs.iter().map(|a| a.name.clone()))
                        .collect(),
                );
            }
            Stage::Sort(keys) => rows.sort_by(|a, b| compare_rows(a, b, keys)),
            Stage::Limit(n) => rows.truncate(*n),
            Stage::Display(names) => visible = Some(names.clone()),
        }
    }
    rows.truncate(limit);
    let mut columns: Vec<String> =
        visible.unwrap_or_else(|| DEFAULT_COLUMNS.iter().map(|c| c.to_string()).collect());
    if !aggregated && !columns.iter().any(|c| c == "@ptr") {
        columns.push("@ptr".into());
    }
    let rendered = rows
        .iter()
        .map(|row| {
            columns
                .iter()
                .filter_map(|c| row.get(c).map(|v| (c.clone(), v.render())))
                .collect()
        })
        .collect();
    QueryOutput {
        rows: rendered,
        records_matched: matched as u64,
        records_scanned: records.len() as u64,
        bytes_scanned: records.iter().map(|r| r.message.len() as u64).sum(),
    }
}

fn row_of(r: &Record<'_>) -> Row {
    let mut row = Row::new();
    row.insert("@timestamp".into(), Value::Time(r.timestamp_ms));
    row.insert("@ingestionTime".into(), Value::Time(r.ingestion_time_ms));
    row.insert("@message".into(), Value::Str(r.message.to_string()));
    row.insert("@logStream".into(), Value::Str(r.log_stream.to_string()));
    row.insert(
        "@log".into(),
        Value::Str(format!("{ACCOUNT_ID}:{}", r.log_group)),
    );
    row.insert("@ptr".into(), Value::Str(r.ptr.to_string()));
    discover_json_fields(r.message, &mut row);
    row
}

fn time_of(row: &Row) -> i64 {
    match row.get("@timestamp") {
        Some(Value::Time(ms)) => *ms,
        _ => i64::MIN,
    }
}

fn parse_into(p: &Parse, row: &mut Row) {
    let Some(text) = p.source.eval(row).map(|v| v.render()) else {
        return;
    };
    let Some(caps) = p.regex.captures(&text) else {
        return;
    };
    for (group, name) in &p.captures {
        if let Some(m) = caps.get(*group) {
            row.insert(name.clone(), Value::Str(m.as_str().to_string()));
        }
    }
}

/// Missing values sort last in either direction.
fn compare_rows(a: &Row, b: &Row, keys: &[SortKey]) -> Ordering {
    for key in keys {
        let ord = match (a.get(&key.field), b.get(&key.field)) {
            (Some(x), Some(y)) => {
                let ord = natural_cmp(x, y);
                if key.descending { ord.reverse() } else { ord }
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

/// Groups rows by the `by` values (in ascending order of those values) and aggregates each
/// group; no input rows give no output rows.
fn stats(rows: &[Row], s: &Stats) -> Vec<Row> {
    let mut index: HashMap<Vec<Option<String>>, usize> = HashMap::new();
    let mut groups: Vec<(Vec<Option<Value>>, Vec<&Row>)> = Vec::new();
    for row in rows {
        let values: Vec<Option<Value>> = s.groups.iter().map(|g| g.expr.eval(row)).collect();
        let key: Vec<Option<String>> = values
            .iter()
            .map(|v| v.as_ref().map(Value::render))
            .collect();
        let at = *index.entry(key).or_insert_with(|| {
            groups.push((values, Vec::new()));
            groups.len() - 1
        });
        groups[at].1.push(row);
    }
    groups.sort_by(|(a, _), (b, _)| {
        a.iter()
            .zip(b)
            .map(|(x, y)| match (x, y) {
                (Some(x), Some(y)) => natural_cmp(x, y),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    });
    groups
        .into_iter()
        .map(|(values, members)| {
            let mut out = Row::new();
            for (g, v) in s.groups.iter().zip(values) {
                if let Some(v) = v {
                    out.insert(g.name.clone(), v);
                }
            }
            for agg in &s.aggs {
                if let Some(v) = aggregate(agg, &members) {
                    out.insert(agg.name.clone(), v);
                }
            }
            out
        })
        .collect()
}

fn aggregate(agg: &Agg, rows: &[&Row]) -> Option<Value> {
    let Some(arg) = &agg.arg else {
        return Some(Value::Num(rows.len() as f64));
    };
    let values: Vec<Value> = rows.iter().filter_map(|r| arg.eval(r)).collect();
    let numbers = || -> Vec<f64> { values.iter().filter_map(Value::as_f64).collect() };
    match agg.func {
        AggFunc::Count => Some(Value::Num(values.len() as f64)),
        AggFunc::CountDistinct => {
            let distinct: HashSet<String> = values.iter().map(Value::render).collect();
            Some(Value::Num(distinct.len() as f64))
        }
        AggFunc::Sum => {
            let n = numbers();
            (!n.is_empty()).then(|| Value::Num(n.iter().sum()))
        }
        AggFunc::Avg => {
            let n = numbers();
            (!n.is_empty()).then(|| Value::Num(n.iter().sum::<f64>() / n.len() as f64))
        }
        AggFunc::Min => values.into_iter().min_by(natural_cmp),
        AggFunc::Max => values.into_iter().max_by(natural_cmp),
        AggFunc::Pct(p) => {
            let mut n = numbers();
            if n.is_empty() {
                return None;
            }
            n.sort_by(f64::total_cmp);
            let rank = ((p / 100.0) * n.len() as f64).ceil() as usize;
            Some(Value::Num(n[rank.saturating_sub(1).min(n.len() - 1)]))
        }
    }
}
