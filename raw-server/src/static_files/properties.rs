//! Property tests of the two hand-written parsers behind `/static/...`:
//! the path resolver and the `Range` parser. Generated input is built from
//! the pieces attackers and odd clients use (every spelling of `..`, `/`,
//! `%00`, overlong and non-UTF-8 escapes), plus arbitrary strings.

use std::path::{Component, Path};

use proptest::prelude::*;

use super::{resolve, single_range};

/// Pieces of a path below `/static`, in every spelling that matters.
fn path_piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "/",
        "//",
        ".",
        "..",
        "%2e",
        "%2E",
        "%2e%2e",
        ".%2e",
        "%2f",
        "%2F",
        "%5c",
        "\\",
        "%00",
        "%FF",
        "%C0%AF",
        "%c0%ae",
        "%25",
        "%252e",
        "%",
        "a",
        "b.txt",
        "c:",
        "C:%5c",
        "~",
        "é",
        "%C3%A9",
        "index.html",
        "guide",
    ])
}

/// Pieces of a `Range` header value: the unit, numbers (huge ones too),
/// separators and the junk a strict parser must refuse.
fn range_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "bytes=",
            "bytes",
            "items=",
            "-",
            ",",
            " ",
            "+",
            "0",
            "00",
            "=",
            "99999999999999999999999",
        ])
        .prop_map(str::to_owned),
        any::<u64>().prop_map(|n| n.to_string()),
        (0u64..200).prop_map(|n| n.to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn a_resolved_path_never_leaves_the_static_folder(
        pieces in prop::collection::vec(path_piece(), 0..10),
    ) {
        let base = Path::new("/srv/static");
        let below = format!("/{}", pieces.concat());

        let resolved = resolve(base, &below);

        if let Some(path) = resolved {
            let rest = path.strip_prefix(base);
            prop_assert!(rest.is_ok(), "{below:?} resolved to {path:?}");
            let plain = rest
                .expect("checked just above")
                .components()
                .all(|c| matches!(c, Component::Normal(_)));
            prop_assert!(plain, "{below:?} resolved to {path:?}");
        }
    }

    #[test]
    fn resolving_any_string_returns_without_panicking(below in "\\PC*") {
        let base = Path::new("/srv/static");

        let resolved = resolve(base, &below);

        prop_assert!(resolved.is_none_or(|path| path.starts_with(base)));
    }

    #[test]
    fn a_served_range_lies_within_a_non_empty_file(
        pieces in prop::collection::vec(range_piece(), 0..6),
        size in prop_oneof![1u64..300, any::<u64>().prop_map(|n| n.max(1))],
    ) {
        let header = pieces.concat();

        let range = single_range(&header, size);

        if let Some(range) = range {
            prop_assert!(range.start() <= range.end(), "{header:?} of {size}: {range:?}");
            prop_assert!(*range.end() < size, "{header:?} of {size}: {range:?}");
        }
    }

    #[test]
    fn any_range_header_is_parsed_without_panicking(header in "\\PC*", size in any::<u64>()) {
        let range = single_range(&header, size);

        prop_assert!(range.is_none_or(|range| range.start() <= range.end()));
    }
}
