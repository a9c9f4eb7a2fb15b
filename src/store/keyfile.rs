//! The key file: private from its first byte, replaced atomically.
//!
//! A new file is created with `create_new` and mode 0600 (never chmod'ed
//! afterwards, so there is no moment when others could read it), written and
//! fsynced. Replacing a key goes through a 0600 temp file and a rename, so a
//! crash leaves either the old key or the new one, never half of each.

use std::{
    fs,
    io::{self, Read, Write},
    path::{Path, PathBuf},
};

use zeroize::Zeroizing;

use crate::paths::{create_private_dir, keep_private};

/// The file's text, or `None` when there is no file.
pub(crate) fn read(path: &Path) -> io::Result<Option<Zeroizing<String>>> {
    let mut file = match fs::File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err),
    };
    // A file someone else owns (or on a read-only mount) cannot be made
    // private; it is still the key, and is used.
    if let Err(err) = keep_private(&file) {
        tracing::warn!(%err, path = %path.display(), "the key file is readable by others");
    }
    let mut text = Zeroizing::new(String::new());
    // A key file is ~45 bytes; a huge one is not ours, so read a bounded
    // prefix and let decoding reject it.
    (&mut file).take(4096).read_to_string(&mut text)?;
    Ok(Some(text))
}

/// Writes `contents` as the key file, creating its directory (0700) first.
pub(crate) fn write(path: &Path, contents: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let temp = temp_path(path);
    let result = write_new(&temp, contents).and_then(|()| fs::rename(&temp, path));
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result?;
    // Make the rename itself durable.
    fs::File::open(dir)?.sync_all()
}

/// Creates `path` (which must not exist) with mode 0600, writes, fsyncs.
pub(crate) fn write_new(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut file = create_new_private(path)?;
    file.write_all(contents)?;
    file.write_all(b"\n")?;
    file.sync_all()
}

/// `create_new` with mode 0600 from creation.
pub(crate) fn create_new_private(path: &Path) -> io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

pub(crate) fn delete(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(
        ".tmp-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    path.with_file_name(name)
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn key_file_is_0600_in_a_0700_dir_and_replaceable() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("cfg/deeper/store.key");
        assert!(read(&path).unwrap().is_none());
        write(&path, b"first").unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        assert_eq!(mode(&root.path().join("cfg")), 0o700);
        write(&path, b"second").unwrap();
        assert_eq!(read(&path).unwrap().unwrap().as_str(), "second\n");
        assert_eq!(mode(&path), 0o600);
        let leftovers = fs::read_dir(path.parent().unwrap()).unwrap().count();
        assert_eq!(leftovers, 1, "no temp file is left behind");
        delete(&path).unwrap();
        delete(&path).unwrap();
    }
}
