#![allow(clippy::unwrap_used, clippy::expect_used)]
//! File modes after a real login: the database (and its WAL files), the key
//! file and the log are 0600, and the directories close-tui creates are
//! 0700, whatever the umask says.
#![cfg(unix)]

mod cli_support;

use std::{os::unix::fs::PermissionsExt, path::Path};

use cli_support::{Home, sandbox};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|err| panic!("{}: {err}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_leaves_owner_only_files_and_dirs_even_with_umask_000() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let home = Home::new(&sandbox);
    // The widest umask there is: every mode below comes from close-tui.
    let login = shell(&home, "umask 000; exec \"$0\" login")
        .spawn()
        .unwrap();
    let out = home.wait(login).await;
    out.assert_ok();

    // The WAL files exist while a connection is open; check them if a
    // process left them behind.
    let db = home.db();
    let mut files = vec![db.clone(), home.key_file(), home.log()];
    for suffix in ["db-wal", "db-shm"] {
        let extra = db.with_extension(suffix);
        if extra.exists() {
            files.push(extra);
        }
    }
    for file in files {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    for sub in ["config/close-tui", "data/close-tui", "state/close-tui"] {
        let dir = home.path().join(sub);
        assert_eq!(mode(&dir), 0o700, "{}", dir.display());
    }
    // The XDG bases did not exist either, so close-tui made them: 0700.
    for sub in ["config", "data", "state"] {
        let dir = home.path().join(sub);
        assert_eq!(mode(&dir), 0o700, "{}", dir.display());
    }
    // Nothing else readable by others anywhere under the three dirs.
    for sub in ["config", "data", "state"] {
        for entry in walk(&home.path().join(sub)) {
            assert_eq!(mode(&entry) & 0o077, 0, "{}", entry.display());
        }
    }
    sandbox.stop().await;
}

/// Files made loose by hand, a copy or a restored backup are made private
/// again by the next command that opens them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loose_files_are_made_private_when_next_opened() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let home = Home::new(&sandbox);
    home.login().await.assert_ok();
    let files = [home.db(), home.key_file(), home.log()];
    for file in &files {
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    home.run(&["status", "--offline"], None).await.assert_ok();
    for file in &files {
        assert_eq!(mode(file), 0o600, "{}", file.display());
    }
    sandbox.stop().await;
}

/// `sh -c SCRIPT` with the binary as `$0` and this home's environment.
fn shell(home: &Home, script: &str) -> tokio::process::Command {
    let mut command = tokio::process::Command::new("sh");
    command
        .args(["-c", script, env!("CARGO_BIN_EXE_close-tui")])
        .current_dir(home.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(home.vars().iter().map(|(k, v)| (k, v)))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    command
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(walk(&path));
        }
        found.push(path);
    }
    found
}
