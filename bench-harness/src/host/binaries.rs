//! How big each server's binary is: the standalone `raw-server` and
//! `framework-server` executables built beside the harness (in the same
//! `target/release/`; a debug harness reports none), as built and stripped
//! of symbols. A framework costs code size too; the stripped figure is the
//! one that ships.
//!
//! The servers under `compare` run inside the harness binary
//! (`bench-harness serve`), so their own executables are only measured,
//! never run. `strip` (binutils) writes a stripped copy into a temporary
//! folder; without it the stripped size is `None`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

/// The size of one server's executable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BinarySize {
    pub path: PathBuf,
    pub bytes: u64,
    pub stripped_bytes: Option<u64>,
}

/// The size of executable `name` next to the running harness, if built
/// and if the harness runs from a `release` folder: a debug binary is
/// several times larger and is not what ships, so a debug run reports no
/// size rather than a misleading one.
pub fn beside_harness(name: &str) -> Option<BinarySize> {
    let dir = std::env::current_exe().ok()?.parent()?.to_path_buf();
    in_release_folder(&dir, name)
}

/// [`measure`] of `dir/name`, only when `dir` is a `release` profile folder.
fn in_release_folder(dir: &Path, name: &str) -> Option<BinarySize> {
    if dir.file_name()? != "release" {
        return None;
    }
    measure(&dir.join(name))
}

/// The size of the executable at `path`, and of a stripped copy.
pub fn measure(path: &Path) -> Option<BinarySize> {
    let bytes = std::fs::metadata(path).ok().filter(|m| m.is_file())?.len();
    Some(BinarySize {
        path: path.to_path_buf(),
        bytes,
        stripped_bytes: stripped(path),
    })
}

fn stripped(path: &Path) -> Option<u64> {
    let folder = tempfile::tempdir().ok()?;
    let copy = folder.path().join("stripped");
    let status = Command::new("strip")
        .arg("-o")
        .arg(&copy)
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    status
        .success()
        .then(|| std::fs::metadata(&copy).ok().map(|m| m.len()))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_executable_has_no_size() {
        assert_eq!(measure(Path::new("/nonexistent/raw-server")), None);
    }

    #[test]
    fn only_an_executable_in_a_release_folder_is_measured() {
        let root = tempfile::tempdir().expect("temporary folder");
        for profile in ["debug", "release"] {
            let dir = root.path().join(profile);
            std::fs::create_dir(&dir).expect("profile folder");
            std::fs::write(dir.join("raw-server"), b"not really an executable").expect("file");
        }

        let debug = in_release_folder(&root.path().join("debug"), "raw-server");
        let release = in_release_folder(&root.path().join("release"), "raw-server");

        assert_eq!(debug, None);
        assert_eq!(release.map(|size| size.bytes), Some(24));
    }

    #[test]
    fn the_running_test_binary_has_a_size_and_stripping_never_grows_it() {
        let me = std::env::current_exe().expect("own path");
        let size = measure(&me).expect("own size");
        assert!(size.bytes > 0);
        if let Some(stripped) = size.stripped_bytes {
            assert!(stripped <= size.bytes);
        }
    }
}
