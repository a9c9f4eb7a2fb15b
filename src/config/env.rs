//! What the process environment and `./.env` say: only the variables that
//! configure us are read, whatever bytes the others hold.

use std::path::Path;

use super::{CONFIG_ENV, ConfigError, ENV_NAMES, Origin};

/// The process environment's variables that configure us. Others are none
/// of our business, whatever their bytes (`std::env::vars` panics on a
/// value that is not UTF-8); one of ours that is not UTF-8 is refused by
/// name.
pub(super) fn process_env() -> Result<Vec<(String, String)>, ConfigError> {
    let ours = ENV_NAMES.iter().map(|(name, _)| *name).chain([CONFIG_ENV]);
    let mut env = Vec::new();
    for name in ours {
        match std::env::var(name) {
            Ok(value) => env.push((name.to_owned(), value)),
            Err(std::env::VarError::NotPresent) => {}
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(ConfigError::Invalid {
                    origin: Origin::Env(name),
                    message: "is not valid UTF-8".into(),
                });
            }
        }
    }
    Ok(env)
}

/// The `(name, value)` pairs of a `.env` file; a missing file is empty.
pub(super) fn read_dotenv(path: &Path) -> Result<Vec<(String, String)>, ConfigError> {
    let iter = match dotenvy::from_path_iter(path) {
        Ok(iter) => iter,
        Err(dotenvy::Error::Io(err)) if err.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Vec::new());
        }
        Err(err) => {
            return Err(ConfigError::DotEnv {
                path: path.to_path_buf(),
                message: dotenv_message(&err),
            });
        }
    };
    iter.collect::<Result<Vec<_>, _>>()
        .map_err(|err| ConfigError::DotEnv {
            path: path.to_path_buf(),
            message: dotenv_message(&err),
        })
}

/// dotenvy's own message for a bad line quotes the line, which may hold a
/// secret; say where the problem is instead.
fn dotenv_message(err: &dotenvy::Error) -> String {
    match err {
        dotenvy::Error::LineParse(_, index) => {
            format!("a line cannot be parsed (at character {index}); expected NAME=value")
        }
        other => other.to_string(),
    }
}
