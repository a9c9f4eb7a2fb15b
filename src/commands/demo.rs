//! `close-tui demo`: the sandbox in this process on a free loopback port,
//! with its own database and key file in a fresh directory (never the real
//! ones), and the terminal app pointed at it.

use std::{
    fs::{self, File},
    io,
    path::{Path, PathBuf},
};

use super::{CommandResult, fail};
use crate::{
    config::{Flags, Settings},
    logging, paths,
    sandbox::{self, SandboxArgs},
    store::{KeyConfig, KeyMode},
    tui::{self, AppOptions, model::Screen},
};

#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// How many leads the sandbox generates
    #[arg(long, default_value_t = 500, value_parser = crate::sandbox::lead_count())]
    pub leads: usize,
    /// The sandbox approves logins by itself, as its first user: no browser
    /// is needed to connect
    #[arg(long)]
    pub auto_approve: bool,
    /// The screen the terminal app opens on: connection, account, leads,
    /// contacts, opportunities or tasks
    #[arg(long, value_name = "NAME", value_parser = super::tui::parse_screen)]
    pub screen: Option<Screen>,
}

pub async fn run(flags: &Flags, args: DemoArgs, screen: Option<Screen>) -> CommandResult {
    super::tui::require_terminal()?;
    let screen = args.screen.or(screen);
    if flags.db.is_some() {
        note!("The demo keeps a database of its own, removed when it ends; --db is not used.");
    }
    let tmp = std::env::temp_dir();
    let demo = DemoDir::claim(&tmp).map_err(|e| {
        fail(format!(
            "cannot create a demo directory in {}: {e}",
            tmp.display()
        ))
    })?;
    sweep_stale(&tmp, &demo);
    let root = demo.root.clone();
    let dirs = paths::Dirs::under(&root);
    let _log = logging::init(&dirs.state).ok();
    let sandbox = sandbox::start(SandboxArgs {
        leads: args.leads,
        auto_approve: args.auto_approve,
        ..SandboxArgs::defaults()
    })
    .await
    .map_err(fail)?;
    let env = sandbox.info.client_env().map(|(k, v)| (k.to_owned(), v));
    // The user's key bindings still apply; nothing else of theirs is read.
    let keys = Settings::load(flags).map(|s| s.keys).unwrap_or_default();
    let demo_flags = Flags {
        config: None,
        db: Some(dirs.data.join("demo.db")),
    };
    let mut settings = Settings::resolve(dirs.clone(), &demo_flags, &[], &env).map_err(fail)?;
    settings.keys = keys;
    let options = AppOptions {
        screen,
        auto_approve: args.auto_approve,
        demo: true,
        target: Some(format!("demo sandbox at {}", sandbox.info.base_url)),
        keys: Some(KeyConfig::new(KeyMode::File, &dirs.config)),
    };
    let result = tui::run(settings, options).await;
    sandbox.stop().await;
    // The demo leaves nothing behind; a failure to clean up is harmless,
    // and a killed demo's directory goes at the next demo's start.
    drop(demo);
    let _ = fs::remove_dir_all(&root);
    Ok(result?.exit_code())
}

const PREFIX: &str = "close-tui-demo-";
const LOCK: &str = ".lock";

/// A fresh directory per run under the system's temp dir, locked (an
/// advisory file lock the kernel drops when the process dies) for as long
/// as the demo runs.
struct DemoDir {
    root: PathBuf,
    _lock: File,
}

impl DemoDir {
    /// Makes a directory no one else has made: the temp dir is shared, and
    /// one prepared by another user (open to all, or with a link where the
    /// lock goes) must not become the demo's.
    fn claim(tmp: &Path) -> io::Result<DemoDir> {
        let mut builder = fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        let mut tries = 0;
        let root = loop {
            let name = format!(
                "{PREFIX}{}-{:016x}",
                std::process::id(),
                rand::random::<u64>()
            );
            let root = tmp.join(name);
            match builder.create(&root) {
                Ok(()) => break root,
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists && tries < 8 => tries += 1,
                Err(err) => return Err(err),
            }
        };
        // Locked before it has its name, so a sweep never sees it unlocked.
        let pending = root.join(".lock.new");
        let lock = File::create_new(&pending)?;
        lock.try_lock().map_err(io::Error::other)?;
        fs::rename(&pending, root.join(LOCK))?;
        Ok(DemoDir { root, _lock: lock })
    }
}

/// Removes the directories of demos that were killed: those of this user
/// whose lock nobody holds. A directory without a lock file may be one
/// being made right now, so it stays.
fn sweep_stale(tmp: &Path, ours: &DemoDir) {
    let Ok(entries) = fs::read_dir(tmp) else {
        return;
    };
    let owner = |path: &Path| {
        #[cfg(unix)]
        return fs::symlink_metadata(path)
            .ok()
            .filter(|meta| meta.is_dir())
            .map(|meta| std::os::unix::fs::MetadataExt::uid(&meta));
        #[cfg(not(unix))]
        return fs::symlink_metadata(path)
            .ok()
            .filter(|meta| meta.is_dir())
            .map(|_| 0);
    };
    let me = owner(&ours.root);
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(PREFIX) {
            continue;
        }
        let dir = entry.path();
        if dir == ours.root || me.is_none() || owner(&dir) != me {
            continue;
        }
        let stale = File::open(dir.join(LOCK)).is_ok_and(|lock| lock.try_lock().is_ok());
        if stale {
            tracing::info!(dir = %dir.display(), "removing a killed demo's directory");
            let _ = fs::remove_dir_all(&dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sweep_removes_only_directories_nobody_holds() {
        let tmp = tempfile::tempdir().unwrap();
        let live = DemoDir::claim(tmp.path()).unwrap();
        let killed = tmp.path().join(format!("{PREFIX}4000000001"));
        fs::create_dir(&killed).unwrap();
        File::create(killed.join(LOCK)).unwrap();
        let unlocked_new = tmp.path().join(format!("{PREFIX}4000000002"));
        fs::create_dir(&unlocked_new).unwrap();
        let other = tmp.path().join("someone-else");
        fs::create_dir(&other).unwrap();
        File::create(other.join(LOCK)).unwrap();

        sweep_stale(tmp.path(), &live);

        assert!(!killed.exists(), "a killed demo's directory is removed");
        assert!(live.root.join(LOCK).exists(), "a running demo's stays");
        assert!(unlocked_new.exists(), "one still being made stays");
        assert!(other.exists(), "other programs' directories stay");
        drop(live);
    }

    #[test]
    fn a_claim_never_reuses_a_directory_someone_prepared() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let victim = tmp.path().join("victim");
        fs::write(&victim, "keep me").unwrap();
        // What the old name (the pid alone) would have been, made ready.
        let prepared = tmp.path().join(format!("{PREFIX}{}", std::process::id()));
        fs::create_dir(&prepared).unwrap();
        fs::set_permissions(&prepared, fs::Permissions::from_mode(0o777)).unwrap();
        std::os::unix::fs::symlink(&victim, prepared.join(".lock.new")).unwrap();

        let first = DemoDir::claim(tmp.path()).unwrap();
        let second = DemoDir::claim(tmp.path()).unwrap();
        assert_ne!(first.root, second.root);
        for demo in [&first, &second] {
            assert_ne!(demo.root, prepared);
            let mode = fs::metadata(&demo.root).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep me");
    }

    #[test]
    fn a_sweep_leaves_other_users_directories() {
        let tmp = tempfile::tempdir().unwrap();
        let live = DemoDir::claim(tmp.path()).unwrap();
        let theirs = tmp.path().join(format!("{PREFIX}4000000003"));
        fs::create_dir(&theirs).unwrap();
        File::create(theirs.join(LOCK)).unwrap();
        // Only a privileged test run can give it to someone else.
        if std::os::unix::fs::chown(&theirs, Some(65534), None).is_err() {
            return;
        }
        sweep_stale(tmp.path(), &live);
        assert!(theirs.exists());
    }
}
