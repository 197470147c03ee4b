//! The database file on disk: created private to its owner, and watched so
//! that a file removed (or replaced) under a running server is noticed.
//!
//! After the first start, connections open the file **without**
//! `SQLITE_OPEN_CREATE`: a file that vanished must not come back as an
//! empty database answering "no such table" (or, worse, empty lists). But
//! connections already open keep working on a removed file (on Unix its
//! data lives on while a descriptor holds it), so that alone would let the
//! server carry on writing to a file nobody can see. Every query therefore
//! first checks that the path still names the file the server opened (same
//! device and inode), one `stat` call.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::Error;

/// What the client is told when the file is gone; never the path.
pub(super) const MISSING: &str = "the database is missing";

/// Creates the folders up to `path` (new ones `0700`) and, if there is no
/// file yet, an empty one (`0600`): the database holds user data, and
/// SQLite gives its `-wal` and `-shm` files the database file's mode.
/// An empty file is a valid empty database, which seeding then fills.
pub(super) fn create_private(path: &Path) -> io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        let mut folders = std::fs::DirBuilder::new();
        folders.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut folders, 0o700);
        folders.create(parent).map_err(|e| {
            let why = if parent.exists() && !parent.is_dir() {
                "it is not a folder".to_owned()
            } else {
                e.to_string()
            };
            io::Error::new(
                e.kind(),
                format!("cannot create its folder {}: {why}", parent.display()),
            )
        })?;
    }
    let mut file = std::fs::OpenOptions::new();
    file.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
    match file.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Which file a path named when the database was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Identity {
    device: u64,
    inode: u64,
}

impl Identity {
    fn of(path: &Path) -> io::Result<Identity> {
        let metadata = std::fs::metadata(path)?;
        #[cfg(unix)]
        let identity = {
            use std::os::unix::fs::MetadataExt;
            Identity {
                device: metadata.dev(),
                inode: metadata.ino(),
            }
        };
        #[cfg(not(unix))]
        let identity = {
            // No inode to compare: only a file that is gone is noticed.
            let _ = metadata;
            Identity {
                device: 0,
                inode: 0,
            }
        };
        Ok(identity)
    }
}

/// The database file as opened, and whether its loss was logged yet.
#[derive(Debug)]
pub(super) struct WatchedFile {
    path: PathBuf,
    opened: Identity,
    loss_logged: AtomicBool,
}

impl WatchedFile {
    /// Remembers which file `path` names now.
    pub(super) fn new(path: &Path) -> io::Result<WatchedFile> {
        Ok(WatchedFile {
            path: path.to_owned(),
            opened: Identity::of(path)?,
            loss_logged: AtomicBool::new(false),
        })
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// `Ok` while the path still names the opened file; `503` otherwise,
    /// logged once (with the path: the log is the operator's) so that a
    /// busy server does not repeat it for every request. A file put back
    /// later is a different file: the server must be restarted on it.
    pub(super) fn check(&self) -> Result<(), Error> {
        let now = Identity::of(&self.path);
        let lost = match &now {
            Ok(identity) => *identity != self.opened,
            Err(e) => e.kind() == io::ErrorKind::NotFound,
        };
        if !lost {
            return Ok(());
        }
        if !self.loss_logged.swap(true, Ordering::Relaxed) {
            tracing::error!(
                "the database file {} was removed or replaced while the server ran; \
                 database requests answer 503 until the server is restarted",
                self.path.display()
            );
        }
        Err(Error::Unavailable(MISSING.to_owned()))
    }
}
