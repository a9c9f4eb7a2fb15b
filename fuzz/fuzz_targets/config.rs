//! config.toml, from text to resolved settings.
//!
//! Invariants: no panic; a file error names a line that exists; and the
//! client secret and API key, once read, never show in an error message
//! or in the settings' `Debug`, unless the same text shows there without
//! them (a field name, a URL that spells it).
#![no_main]

use std::path::Path;

use close_tui::{
    config::{ConfigError, Settings},
    paths::Dirs,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(printed) = resolve(text) else {
        return;
    };
    let Some((secrets, without)) = secrets_in(text) else {
        return;
    };
    let baseline = resolve(&without).unwrap_or_default();
    for secret in secrets {
        if !baseline.contains(&secret) {
            assert!(!printed.contains(&secret), "a secret leaked: {printed}");
        }
    }
});

/// The settings' `Debug`, or the error's message and `Debug`. `None` for a
/// file that is not valid TOML (after checking the error's line): such an
/// error may quote the file, and has no secrets that were read.
fn resolve(text: &str) -> Option<String> {
    let dirs = Dirs {
        config: "/fuzz/config".into(),
        data: "/fuzz/data".into(),
        state: "/fuzz/state".into(),
    };
    let path = Path::new("/fuzz/config/config.toml");
    match Settings::from_config_text(dirs, path, text) {
        Ok(settings) => Some(format!("{settings:?}")),
        Err(ConfigError::File { line, .. }) => {
            if let Some(line) = line {
                assert!(line >= 1 && line <= text.lines().count() + 1, "line {line}");
            }
            None
        }
        Err(err) => Some(format!("{err} {err:?}")),
    }
}

/// The client secret and API key of a file that parses as TOML, when they
/// look like secrets (12+ word characters), and the file without them.
fn secrets_in(text: &str) -> Option<(Vec<String>, String)> {
    let mut table = text.parse::<toml::Table>().ok()?;
    let secrets = ["client_secret", "api_key"]
        .iter()
        .filter_map(|key| table.remove(*key)?.as_str().map(str::to_owned))
        .filter(|s| s.len() >= 12 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .collect();
    Some((secrets, toml::to_string(&table).ok()?))
}
