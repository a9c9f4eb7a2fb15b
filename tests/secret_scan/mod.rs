//! The secret scan every end-to-end test runs on teardown: nothing the
//! binary wrote or printed (its trace-level log, the database and its WAL,
//! the key and config files, stdout, stderr, the terminal screen) may hold
//! a secret the sandbox issued. The sandbox lists them (`--record-secrets`);
//! the scan also looks for the prefixes of the sandbox's tokens, so a
//! secret issued outside the list is caught too.
//!
//! Files that are not the client's are skipped by name: the sandbox's own
//! list and request log, and the scripted browser's log (a browser sees the
//! authorization code in its address bar).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

/// Prefixes of the sandbox's authorization codes, access and refresh
/// tokens: none of them may appear anywhere the client wrote.
pub const TOKEN_PREFIXES: [&str; 3] = ["sbx_ac_", "sbx_at_", "sbx_rt_"];

/// File names that belong to the sandbox or the scripted browser.
pub const NOT_THE_CLIENTS: [&str; 4] = [
    "secrets.txt",
    "requests.jsonl",
    "consent.log",
    "sandbox-state",
];

/// The secrets a sandbox recorded in `path`, one per line.
pub fn recorded(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("no secrets list at {}: {err}", path.display()))
        .lines()
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

/// What one scan looked at.
#[derive(Debug, Default, Clone, Copy)]
pub struct Coverage {
    pub files: usize,
    pub bytes: usize,
    pub secrets: usize,
}

/// The first needle found in `bytes`, if any. Needles are indexed by their
/// first four bytes, so one pass over the bytes checks them all: scans run
/// on every test's files, some of them megabytes, for dozens of secrets.
pub fn find<'a>(bytes: &[u8], needles: &'a [String]) -> Option<&'a str> {
    let mut by_head: HashMap<&[u8], Vec<&'a str>> = HashMap::new();
    let mut short = Vec::new();
    for needle in needles.iter().map(String::as_str).chain(TOKEN_PREFIXES) {
        match needle.as_bytes().get(..4) {
            Some(head) => by_head.entry(head).or_default().push(needle),
            None if !needle.is_empty() => short.push(needle),
            None => {}
        }
    }
    for (at, window) in bytes.windows(4).enumerate() {
        let Some(candidates) = by_head.get(window) else {
            continue;
        };
        if let Some(found) = candidates
            .iter()
            .find(|needle| bytes[at..].starts_with(needle.as_bytes()))
        {
            return Some(found);
        }
    }
    short.into_iter().find(|needle| {
        bytes
            .windows(needle.len())
            .any(|window| window == needle.as_bytes())
    })
}

/// Every regular file under `root`, except what is not the client's.
pub fn client_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            if NOT_THE_CLIENTS.iter().any(|n| name == *n) {
                continue;
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_file() {
                out.push(entry.path());
            }
        }
    }
    out
}

/// Scans every client file under `root` and every `printed` buffer for
/// `secrets`; the first leak found is the error.
pub fn scan(
    root: &Path,
    printed: &[(&str, &[u8])],
    secrets: &[String],
) -> Result<Coverage, String> {
    let mut coverage = Coverage {
        secrets: secrets.len(),
        ..Coverage::default()
    };
    for path in client_files(root) {
        // A file may vanish (a WAL checkpointed away) between the listing
        // and the read; what is gone holds nothing.
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        coverage.files += 1;
        coverage.bytes += bytes.len();
        if let Some(needle) = find(&bytes, secrets) {
            return Err(format!("{} holds {}", path.display(), describe(needle)));
        }
    }
    for (place, bytes) in printed {
        coverage.bytes += bytes.len();
        if let Some(needle) = find(bytes, secrets) {
            return Err(format!("{place} holds {}", describe(needle)));
        }
    }
    Ok(coverage)
}

/// Names a leaked secret without printing it whole.
fn describe(needle: &str) -> String {
    let shown: String = needle.chars().take(10).collect();
    format!("a secret (`{shown}…`)")
}
