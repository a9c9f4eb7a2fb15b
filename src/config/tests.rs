use std::path::Path;

use super::*;

fn dirs() -> Dirs {
    Dirs::under(Path::new("/nonexistent/close-tui-test"))
}

fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn with_file(text: &str) -> (tempfile::TempDir, Flags) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    let flags = Flags {
        config: Some(path),
        db: None,
    };
    (dir, flags)
}

#[test]
fn defaults_point_at_close_and_the_loopback_redirect() {
    let settings = Settings::resolve(dirs(), &Flags::default(), &[], &[]).unwrap();
    assert_eq!(settings.redirect_uri.as_str(), DEFAULT_REDIRECT_URI);
    assert_eq!(settings.authorize_url.as_str(), DEFAULT_AUTHORIZE_URL);
    assert_eq!(settings.token_url.as_str(), DEFAULT_TOKEN_URL);
    assert_eq!(settings.revoke_url.as_str(), DEFAULT_REVOKE_URL);
    assert_eq!(settings.api_url.as_str(), DEFAULT_API_URL);
    assert_eq!(settings.client_id, None);
    assert_eq!(settings.db_path, dirs().data.join("close-tui.db"));
}

#[test]
fn each_layer_overrides_the_one_below() {
    let (_dir, flags) = with_file(
        r#"
client_id = "from-file"
browser = "file-browser"
api_url = "https://file.example/api/v1/"
token_url = "https://file.example/token/"
db = "/file.db"
"#,
    );
    let dotenv = vars(&[
        ("CLOSE_CLIENT_ID", "from-dotenv"),
        ("BROWSER", "dotenv-browser"),
        ("CLOSE_API_URL", "https://dotenv.example/api/v1/"),
    ]);
    let env = vars(&[("CLOSE_CLIENT_ID", "from-env"), ("CLOSE_TUI_DB", "/env.db")]);
    let flags = Flags {
        db: Some("/flag.db".into()),
        ..flags
    };
    let settings = Settings::resolve(dirs(), &flags, &dotenv, &env).unwrap();
    assert_eq!(settings.client_id.as_deref(), Some("from-env"));
    assert_eq!(settings.browser.as_deref(), Some("dotenv-browser"));
    assert_eq!(settings.api_url.as_str(), "https://dotenv.example/api/v1/");
    assert_eq!(settings.token_url.as_str(), "https://file.example/token/");
    assert_eq!(settings.db_path, Path::new("/flag.db"));
}

#[test]
fn environment_beats_dotenv_and_empty_values_are_unset() {
    let dotenv = vars(&[("REDIRECT_URI", "https://127.0.0.1:9000/cb")]);
    let env = vars(&[("REDIRECT_URI", ""), ("CLOSE_CLIENT_SECRET", "s3cret")]);
    let settings = Settings::resolve(dirs(), &Flags::default(), &dotenv, &env).unwrap();
    assert_eq!(settings.redirect_uri.as_str(), "https://127.0.0.1:9000/cb");
    assert_eq!(settings.client_secret.unwrap().expose(), "s3cret");
}

#[test]
fn the_config_file_can_be_named_by_the_environment() {
    let (_dir, flags) = with_file("client_id = \"via-env-path\"\n");
    let path = flags.config.unwrap().display().to_string();
    let env = vars(&[(CONFIG_ENV, &path)]);
    let settings = Settings::resolve(dirs(), &Flags::default(), &[], &env).unwrap();
    assert_eq!(settings.client_id.as_deref(), Some("via-env-path"));
}

#[test]
fn api_url_gains_a_trailing_slash() {
    let env = vars(&[("CLOSE_API_URL", "http://127.0.0.1:4000/api/v1")]);
    let settings = Settings::resolve(dirs(), &Flags::default(), &[], &env).unwrap();
    assert_eq!(settings.api_url.as_str(), "http://127.0.0.1:4000/api/v1/");
}

#[test]
fn secrets_only_travel_over_https_except_to_loopback() {
    let env = vars(&[("CLOSE_TOKEN_URL", "http://close.example/oauth2/token/")]);
    let err = Settings::resolve(dirs(), &Flags::default(), &[], &env).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("CLOSE_TOKEN_URL (environment)"), "{text}");
    assert!(text.contains("https"), "{text}");

    let env = vars(&[("CLOSE_TOKEN_URL", "http://localhost:3000/oauth2/token/")]);
    Settings::resolve(dirs(), &Flags::default(), &[], &env).unwrap();
}

#[test]
fn an_invalid_url_names_its_origin() {
    let (_dir, flags) = with_file("client_id = \"x\"\n\nredirect_uri = \"not a url\"\n");
    let err = Settings::resolve(dirs(), &flags, &[], &[]).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("config.toml line 3, key `redirect_uri`"),
        "{text}"
    );
    assert!(text.contains("not a valid URL"), "{text}");
}

/// An empty `db` names no file: an error with its line, not "No such file
/// or directory" later (an empty `CLOSE_TUI_DB` is unset, as documented).
#[test]
fn an_empty_database_path_names_its_origin() {
    let (_dir, flags) = with_file("db = \"\"\n");
    let err = Settings::resolve(dirs(), &flags, &[], &[]).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("config.toml line 1, key `db`"), "{text}");
    assert!(text.contains("is empty"), "{text}");
    let (_dir, flags) = with_file("");
    let env = vars(&[("CLOSE_TUI_DB", "")]);
    let settings = Settings::resolve(dirs(), &flags, &[], &env).unwrap();
    assert!(settings.db_path.ends_with("close-tui.db"));
}

#[test]
fn a_type_error_names_the_file_line_and_key() {
    let (_dir, flags) = with_file("client_id = \"x\"\nclient_secret = 42\n");
    let err = Settings::resolve(dirs(), &flags, &[], &[]).unwrap_err();
    match &err {
        ConfigError::File {
            path, line, key, ..
        } => {
            assert!(path.ends_with("config.toml"));
            assert_eq!(*line, Some(2));
            assert_eq!(key.as_deref(), Some("client_secret"));
        }
        other => panic!("unexpected error {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("config.toml line 2, key `client_secret`"),
        "{text}"
    );
}

#[test]
fn an_unknown_key_is_an_error_not_ignored() {
    let (_dir, flags) = with_file("\nclinet_id = \"typo\"\n");
    let err = Settings::resolve(dirs(), &flags, &[], &[]).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("line 2"), "{text}");
    assert!(text.contains("clinet_id"), "{text}");
}

#[test]
fn a_syntax_error_names_the_line() {
    let (_dir, flags) = with_file("client_id = \"x\"\ntoken_url = \n");
    let err = Settings::resolve(dirs(), &flags, &[], &[]).unwrap_err();
    assert!(err.to_string().contains("line 2"), "{err}");
}

#[test]
fn a_named_config_file_must_exist_but_the_default_may_not() {
    let flags = Flags {
        config: Some("/nonexistent/close-tui/config.toml".into()),
        db: None,
    };
    let err = Settings::resolve(dirs(), &flags, &[], &[]).unwrap_err();
    assert!(matches!(err, ConfigError::Read { .. }), "{err:?}");
    Settings::resolve(dirs(), &Flags::default(), &[], &[]).unwrap();
}

#[test]
fn keybinding_tables_are_kept_for_the_keymap() {
    let (_dir, flags) = with_file("[keys.global]\nquit = \"Q\"\n");
    let settings = Settings::resolve(dirs(), &flags, &[], &[]).unwrap();
    assert!(settings.keys.contains_key("global"));
}

#[test]
fn dotenv_errors_do_not_quote_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".env");
    std::fs::write(&path, "CLOSE_CLIENT_SECRET='unterminated-secret-value\n").unwrap();
    let err = read_dotenv(&path).unwrap_err().to_string();
    assert!(!err.contains("unterminated-secret-value"), "{err}");
}

#[test]
fn settings_debug_hides_secrets() {
    let env = vars(&[
        ("CLOSE_CLIENT_SECRET", "client-secret-value"),
        ("CLOSE_API_KEY", "api_key_value_123"),
    ]);
    let settings = Settings::resolve(dirs(), &Flags::default(), &[], &env).unwrap();
    let shown = format!("{settings:?}");
    assert!(!shown.contains("client-secret-value"));
    assert!(!shown.contains("api_key_value_123"));
}
