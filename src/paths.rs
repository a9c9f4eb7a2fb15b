//! Where close-tui keeps its files, following the XDG base directories.
//!
//! Every directory is created with mode 0700, because the database, the key
//! file and the log all live under one of them.

use std::{
    fs, io,
    path::{Path, PathBuf},
};

use directories::ProjectDirs;

/// The three per-user directories close-tui uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dirs {
    /// config.toml and the key file (when no keyring answers).
    pub config: PathBuf,
    /// The database and the loopback TLS certificate.
    pub data: PathBuf,
    /// The log file.
    pub state: PathBuf,
}

impl Dirs {
    /// The platform's directories for close-tui. On Linux these honour
    /// `XDG_CONFIG_HOME`, `XDG_DATA_HOME` and `XDG_STATE_HOME`.
    pub fn discover() -> io::Result<Self> {
        let project = ProjectDirs::from("", "", "close-tui").ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                "no home directory found: set HOME, or pass --db and --config",
            )
        })?;
        let data = project.data_dir().to_path_buf();
        let state = project
            .state_dir()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| data.clone());
        Ok(Self {
            config: project.config_dir().to_path_buf(),
            data,
            state,
        })
    }

    /// All three directories under one root; for the demo and for tests.
    pub fn under(root: &Path) -> Self {
        Self {
            config: root.join("config"),
            data: root.join("data"),
            state: root.join("state"),
        }
    }
}

/// Creates `dir` and its missing parents. The directories this call creates
/// get mode 0700; existing ones are left as they are.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|err| {
        // A file where a directory should be comes back as "File exists"
        // or a bare "Not a directory"; name the file that is in the way.
        if !matches!(
            err.kind(),
            io::ErrorKind::AlreadyExists | io::ErrorKind::NotADirectory
        ) {
            return err;
        }
        let blocker = dir
            .ancestors()
            .find(|p| fs::metadata(p).is_ok_and(|m| !m.is_dir()));
        let message = match blocker {
            Some(file) if file == dir => "a file, not a directory".to_owned(),
            Some(file) => format!("{} is a file, not a directory", file.display()),
            None => return err,
        };
        io::Error::new(io::ErrorKind::NotADirectory, message)
    })
}

/// Opens `path` for appending, creating it with mode 0600 when it is new, so
/// a file that may hold anything private is never readable by others, not
/// even for a moment; one found readable by others is made private.
pub fn open_private_append(path: &Path) -> io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    keep_private(&file)?;
    Ok(file)
}

/// Takes the group's and others' access away from an open file that has
/// it (made by hand, copied, or restored from a backup).
pub fn keep_private(file: &fs::File) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = file.metadata()?;
        if meta.is_file() && meta.permissions().mode() & 0o077 != 0 {
            file.set_permissions(fs::Permissions::from_mode(0o600))?;
        }
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn private_dirs_and_files_have_owner_only_modes() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        create_private_dir(&dir).unwrap();
        let mode = fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        let file = dir.join("f.log");
        open_private_append(&file).unwrap();
        let mode = fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn a_file_in_the_way_is_named() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("f");
        fs::write(&file, "x").unwrap();
        let err = create_private_dir(&file).unwrap_err();
        assert_eq!(err.to_string(), "a file, not a directory");
        let err = create_private_dir(&file.join("a/b")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotADirectory);
        assert_eq!(
            err.to_string(),
            format!("{} is a file, not a directory", file.display())
        );
    }
}
