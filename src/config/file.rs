//! Reading `config.toml`, with errors that name the file, the line and the key.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::{ConfigError, Layer, Origin, Value};

/// The keys config.toml may hold. Unknown keys are an error, so a typo is
/// never silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    client_id: Option<Spanned<String>>,
    client_secret: Option<Spanned<String>>,
    redirect_uri: Option<Spanned<String>>,
    authorize_url: Option<Spanned<String>>,
    token_url: Option<Spanned<String>>,
    revoke_url: Option<Spanned<String>>,
    api_url: Option<Spanned<String>>,
    api_key: Option<Spanned<String>>,
    browser: Option<Spanned<String>>,
    db: Option<Spanned<String>>,
    /// Keybinding overrides, read by the TUI's keymap.
    keys: Option<toml::Table>,
}

/// Parses the text of a config file into a layer. `path` is only used to
/// name the file in errors and origins.
pub fn parse(path: &Path, text: &str) -> Result<Layer, ConfigError> {
    let file: FileConfig = toml::from_str(text).map_err(|err| {
        let line = err.span().map(|span| line_of(text, span.start));
        ConfigError::File {
            path: path.to_path_buf(),
            line,
            key: line.and_then(|line| key_on_line(text, line)),
            message: err.message().trim().to_owned(),
        }
    })?;
    let value = |field: Option<Spanned<String>>, key: &'static str| {
        field.map(|spanned| Value {
            origin: Origin::File {
                path: path.to_path_buf(),
                line: line_of(text, spanned.span().start),
                key,
            },
            text: spanned.into_inner(),
        })
    };
    Ok(Layer {
        client_id: value(file.client_id, "client_id"),
        client_secret: value(file.client_secret, "client_secret"),
        redirect_uri: value(file.redirect_uri, "redirect_uri"),
        authorize_url: value(file.authorize_url, "authorize_url"),
        token_url: value(file.token_url, "token_url"),
        revoke_url: value(file.revoke_url, "revoke_url"),
        api_url: value(file.api_url, "api_url"),
        api_key: value(file.api_key, "api_key"),
        browser: value(file.browser, "browser"),
        db: value(file.db, "db"),
        keys: file.keys,
    })
}

/// Reads and parses `path`. A missing file is an empty layer when `required`
/// is false (the default location), and an error when the user named it.
pub fn read(path: &Path, required: bool) -> Result<Layer, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(path, &text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound && !required => Ok(Layer::default()),
        Err(source) => Err(ConfigError::Read {
            path: PathBuf::from(path),
            source,
        }),
    }
}

/// 1-based line number of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The key assigned on a 1-based line, if the line looks like `key = value`.
fn key_on_line(text: &str, line: usize) -> Option<String> {
    let row = text.lines().nth(line.checked_sub(1)?)?;
    let (key, _) = row.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty() && !key.starts_with('[')).then(|| key.to_owned())
}
