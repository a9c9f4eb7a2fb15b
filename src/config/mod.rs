//! Settings, resolved from five layers: defaults < config.toml < `.env` <
//! environment < command-line flags. Each value remembers where it came
//! from, so an error can say "REDIRECT_URI (environment)" or
//! "config.toml line 3, key `api_url`".

mod env;
mod file;

use std::{
    fmt,
    path::{Path, PathBuf},
};

use url::Url;

use crate::{paths::Dirs, secret::Secret};
use env::{process_env, read_dotenv};

pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";
pub const DEFAULT_AUTHORIZE_URL: &str = "https://app.close.com/oauth2/authorize/";
pub const DEFAULT_TOKEN_URL: &str = "https://api.close.com/oauth2/token/";
pub const DEFAULT_REVOKE_URL: &str = "https://api.close.com/oauth2/revoke/";
pub const DEFAULT_API_URL: &str = "https://api.close.com/api/v1/";

/// The environment (and `.env`) names of each setting.
pub const ENV_NAMES: [(&str, Field); 10] = [
    ("CLOSE_CLIENT_ID", Field::ClientId),
    ("CLOSE_CLIENT_SECRET", Field::ClientSecret),
    ("REDIRECT_URI", Field::RedirectUri),
    ("CLOSE_AUTHORIZE_URL", Field::AuthorizeUrl),
    ("CLOSE_TOKEN_URL", Field::TokenUrl),
    ("CLOSE_REVOKE_URL", Field::RevokeUrl),
    ("CLOSE_API_URL", Field::ApiUrl),
    ("CLOSE_API_KEY", Field::ApiKey),
    ("BROWSER", Field::Browser),
    ("CLOSE_TUI_DB", Field::Db),
];

/// The environment variable that points at the config file.
pub const CONFIG_ENV: &str = "CLOSE_TUI_CONFIG";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    ClientId,
    ClientSecret,
    RedirectUri,
    AuthorizeUrl,
    TokenUrl,
    RevokeUrl,
    ApiUrl,
    ApiKey,
    Browser,
    Db,
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Default,
    File {
        path: PathBuf,
        line: usize,
        key: &'static str,
    },
    DotEnv(&'static str),
    Env(&'static str),
    Flag(&'static str),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Default => f.write_str("the default"),
            Self::File { path, line, key } => {
                write!(f, "{} line {line}, key `{key}`", path.display())
            }
            Self::DotEnv(name) => write!(f, "{name} (from .env)"),
            Self::Env(name) => write!(f, "{name} (environment)"),
            Self::Flag(name) => write!(f, "the {name} flag"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    pub text: String,
    pub origin: Origin,
}

/// One source's view of the settings; `None` means "this source is silent".
#[derive(Debug, Default, Clone)]
pub struct Layer {
    pub client_id: Option<Value>,
    pub client_secret: Option<Value>,
    pub redirect_uri: Option<Value>,
    pub authorize_url: Option<Value>,
    pub token_url: Option<Value>,
    pub revoke_url: Option<Value>,
    pub api_url: Option<Value>,
    pub api_key: Option<Value>,
    pub browser: Option<Value>,
    pub db: Option<Value>,
    pub keys: Option<toml::Table>,
}

impl Layer {
    fn slot(&mut self, field: Field) -> &mut Option<Value> {
        match field {
            Field::ClientId => &mut self.client_id,
            Field::ClientSecret => &mut self.client_secret,
            Field::RedirectUri => &mut self.redirect_uri,
            Field::AuthorizeUrl => &mut self.authorize_url,
            Field::TokenUrl => &mut self.token_url,
            Field::RevokeUrl => &mut self.revoke_url,
            Field::ApiUrl => &mut self.api_url,
            Field::ApiKey => &mut self.api_key,
            Field::Browser => &mut self.browser,
            Field::Db => &mut self.db,
        }
    }

    /// A layer from variables (the environment, or a `.env` file). Empty
    /// values count as unset, as most tools treat them.
    pub fn from_vars<K, V>(vars: impl IntoIterator<Item = (K, V)>, dotenv: bool) -> Self
    where
        K: AsRef<str>,
        V: Into<String>,
    {
        let mut layer = Self::default();
        for (key, value) in vars {
            let Some(&(name, field)) = ENV_NAMES.iter().find(|(name, _)| *name == key.as_ref())
            else {
                continue;
            };
            let text: String = value.into();
            if text.trim().is_empty() {
                continue;
            }
            let origin = if dotenv {
                Origin::DotEnv(name)
            } else {
                Origin::Env(name)
            };
            *layer.slot(field) = Some(Value { text, origin });
        }
        layer
    }

    /// `self` with every value that `over` sets replaced by `over`'s.
    pub fn merge(mut self, over: Layer) -> Self {
        let Layer {
            client_id,
            client_secret,
            redirect_uri,
            authorize_url,
            token_url,
            revoke_url,
            api_url,
            api_key,
            browser,
            db,
            keys,
        } = over;
        for (field, value) in [
            (Field::ClientId, client_id),
            (Field::ClientSecret, client_secret),
            (Field::RedirectUri, redirect_uri),
            (Field::AuthorizeUrl, authorize_url),
            (Field::TokenUrl, token_url),
            (Field::RevokeUrl, revoke_url),
            (Field::ApiUrl, api_url),
            (Field::ApiKey, api_key),
            (Field::Browser, browser),
            (Field::Db, db),
        ] {
            if value.is_some() {
                *self.slot(field) = value;
            }
        }
        if keys.is_some() {
            self.keys = keys;
        }
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}{}{}: {message}", path.display(), line.map(|l| format!(" line {l}")).unwrap_or_default(), key.as_ref().map(|k| format!(", key `{k}`")).unwrap_or_default())]
    File {
        path: PathBuf,
        line: Option<usize>,
        key: Option<String>,
        message: String,
    },
    #[error("cannot read config file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {}: {message}", path.display())]
    DotEnv { path: PathBuf, message: String },
    #[error("{origin}: {message}")]
    Invalid { origin: Origin, message: String },
    #[error("{0}")]
    Dirs(#[source] std::io::Error),
}

/// What the command line says about configuration.
#[derive(Debug, Default, Clone)]
pub struct Flags {
    pub config: Option<PathBuf>,
    pub db: Option<PathBuf>,
}

/// Fully resolved settings. Every URL is parsed and checked.
#[derive(Debug, Clone)]
pub struct Settings {
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub redirect_uri: Url,
    pub authorize_url: Url,
    pub token_url: Url,
    pub revoke_url: Url,
    /// Always ends with `/`, so `api_url.join("lead/")` stays under it.
    pub api_url: Url,
    pub api_key: Option<Secret>,
    /// Where `api_key` was set, to say which key a login uses.
    pub api_key_origin: Option<Origin>,
    pub browser: Option<String>,
    pub db_path: PathBuf,
    pub config_path: PathBuf,
    pub dirs: Dirs,
    pub keys: toml::Table,
}

impl Settings {
    /// Loads the settings as the binary does: the config file named by the
    /// flag, `CLOSE_TUI_CONFIG` or the default location; `./.env`; the
    /// process environment; then the flags.
    pub fn load(flags: &Flags) -> Result<Self, ConfigError> {
        let dirs = Dirs::discover().map_err(ConfigError::Dirs)?;
        let env = process_env()?;
        let dotenv = read_dotenv(Path::new(".env"))?;
        Self::resolve(dirs, flags, &dotenv, &env)
    }

    /// The pure part of [`Settings::load`]: everything but reading the process
    /// environment and `.env`, so tests can drive it.
    pub fn resolve(
        dirs: Dirs,
        flags: &Flags,
        dotenv: &[(String, String)],
        env: &[(String, String)],
    ) -> Result<Self, ConfigError> {
        let named_config = flags.config.clone().or_else(|| {
            env.iter()
                .find(|(k, v)| k == CONFIG_ENV && !v.is_empty())
                .map(|(_, v)| PathBuf::from(v))
        });
        let config_path = named_config
            .clone()
            .unwrap_or_else(|| dirs.config.join("config.toml"));
        let file = file::read(&config_path, named_config.is_some())?;
        let mut flag_layer = Layer::default();
        if let Some(db) = &flags.db {
            flag_layer.db = Some(Value {
                text: db.display().to_string(),
                origin: Origin::Flag("--db"),
            });
        }
        let layer = file
            .merge(Layer::from_vars(dotenv.iter().cloned(), true))
            .merge(Layer::from_vars(env.iter().cloned(), false))
            .merge(flag_layer);
        Self::from_layer(layer, dirs, config_path)
    }

    /// Settings from the text of a config file alone (no `.env`, environment
    /// or flags): the whole path a config file takes, without the disk.
    /// Public so the fuzzer can reach it.
    pub fn from_config_text(dirs: Dirs, path: &Path, text: &str) -> Result<Self, ConfigError> {
        let layer = file::parse(path, text)?;
        Self::from_layer(layer, dirs, path.to_path_buf())
    }

    fn from_layer(layer: Layer, dirs: Dirs, config_path: PathBuf) -> Result<Self, ConfigError> {
        let remote = |value: Option<Value>, default: &str| url_setting(value, default, true);
        let mut api_url = remote(layer.api_url, DEFAULT_API_URL)?;
        if !api_url.path().ends_with('/') {
            api_url.set_path(&format!("{}/", api_url.path()));
        }
        let db_path = match layer.db {
            // `db = ""` names no file; leaving the key out means the default.
            Some(value) if value.text.trim().is_empty() => {
                return Err(ConfigError::Invalid {
                    origin: value.origin,
                    message: "is empty: name the database file, or leave the key out for the \
                              default"
                        .into(),
                });
            }
            Some(value) => PathBuf::from(value.text),
            None => dirs.data.join("close-tui.db"),
        };
        Ok(Self {
            client_id: layer.client_id.map(|v| v.text),
            client_secret: layer.client_secret.map(|v| Secret::new(v.text)),
            redirect_uri: url_setting(layer.redirect_uri, DEFAULT_REDIRECT_URI, false)?,
            authorize_url: remote(layer.authorize_url, DEFAULT_AUTHORIZE_URL)?,
            token_url: remote(layer.token_url, DEFAULT_TOKEN_URL)?,
            revoke_url: remote(layer.revoke_url, DEFAULT_REVOKE_URL)?,
            api_url,
            api_key_origin: layer.api_key.as_ref().map(|v| v.origin.clone()),
            api_key: layer.api_key.map(|v| Secret::new(v.text)),
            browser: layer.browser.map(|v| v.text),
            db_path,
            config_path,
            dirs,
            keys: layer.keys.unwrap_or_default(),
        })
    }
}

/// Parses a URL setting. Endpoints that receive secrets (`secure`) must be
/// https, unless they point at this machine.
fn url_setting(value: Option<Value>, default: &str, secure: bool) -> Result<Url, ConfigError> {
    let value = value.unwrap_or_else(|| Value {
        text: default.to_owned(),
        origin: Origin::Default,
    });
    let invalid = |message: String| ConfigError::Invalid {
        origin: value.origin.clone(),
        message,
    };
    let url = Url::parse(value.text.trim())
        .map_err(|err| invalid(format!("`{}` is not a valid URL: {err}", value.text)))?;
    match url.scheme() {
        "https" => {}
        "http" if !secure || is_loopback(&url) => {}
        "http" => {
            return Err(invalid(format!(
                "`{url}` must use https: secrets are only sent over http to this machine"
            )));
        }
        other => return Err(invalid(format!("`{url}`: unsupported scheme `{other}`"))),
    }
    Ok(url)
}

/// True when the URL's host is this machine: `localhost`, 127.0.0.0/8 or ::1.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests;
