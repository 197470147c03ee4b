//! Where commands write, and the timestamps they stamp it with.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Now, as RFC 3339 UTC with seconds: `2026-05-01T12:00:00Z`.
pub fn timestamp() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

/// The default output folder: `reports/<timestamp>[-suffix]/`, with `:`
/// replaced so the name is valid everywhere.
pub fn default_out_dir(suffix: &str) -> PathBuf {
    let stamp = timestamp().replace(':', "-");
    PathBuf::from("reports").join(if suffix.is_empty() {
        stamp
    } else {
        format!("{stamp}-{suffix}")
    })
}

/// A path as printed for the user: absolute, so it can be pasted into a
/// browser from anywhere.
pub fn shown_path(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_folders_are_timestamped_under_reports_without_colons() {
        let folder = default_out_dir("cost");
        let name = folder.file_name().and_then(|n| n.to_str()).expect("utf-8");
        assert!(folder.starts_with("reports"));
        assert!(name.ends_with("-cost") && !name.contains(':'), "{name}");
    }
}
