//! config.toml, from text to resolved settings.
//!
//! Invariants: no panic; a file error names a line that exists; and the
//! client secret and API key, once read, never show in an error message
//! or in the settings' `Debug` (unless the same text is also in a setting
//! that is shown, such as a URL).
#![no_main]

use std::path::Path;

use close_tui::{config::Settings, paths::Dirs};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let dirs = Dirs {
        config: "/fuzz/config".into(),
        data: "/fuzz/data".into(),
        state: "/fuzz/state".into(),
    };
    let path = Path::new("/fuzz/config/config.toml");
    let secrets = secrets_in(text);
    let printed = match Settings::from_config_text(dirs, path, text) {
        Ok(settings) => format!("{settings:?}"),
        Err(err) => {
            if let close_tui::config::ConfigError::File {
                line: Some(line), ..
            } = &err
            {
                assert!(*line >= 1 && *line <= text.lines().count() + 1, "{err}");
            }
            // A parse error may quote the file; only a file that parsed has
            // secrets to keep.
            if matches!(err, close_tui::config::ConfigError::File { .. }) {
                return;
            }
            format!("{err} {err:?}")
        }
    };
    for secret in secrets {
        assert!(!printed.contains(&secret), "a secret leaked: {printed}");
    }
});

/// The client secret and API key of a file that parses as TOML, when they
/// look like secrets (12+ word characters) and no other value holds them.
fn secrets_in(text: &str) -> Vec<String> {
    let Ok(table) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let others: Vec<String> = table
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "client_secret" | "api_key"))
        .map(|(_, v)| v.to_string())
        .collect();
    ["client_secret", "api_key"]
        .iter()
        .filter_map(|key| table.get(*key)?.as_str())
        .filter(|s| s.len() >= 12 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .filter(|s| !others.iter().any(|o| o.contains(*s)))
        .map(str::to_owned)
        .collect()
}
