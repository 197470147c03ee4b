//! The seed rows both backends write on first start: 10,000 `World` rows
//! (random numbers drawn here, in Rust, so both backends draw them alike),
//! the 12 fortunes of the benchmark rules, and the demo user.

/// Rows in table `World`, ids `1..=WORLD_ROWS`.
pub const WORLD_ROWS: i32 = 10_000;

/// The 12 fortunes of the benchmark rules (`../shared/METHOD.md`).
pub const FORTUNES: [(i32, &str); 12] = [
    (1, "fortune: No such file or directory"),
    (
        2,
        "A computer scientist is someone who fixes things that aren't broken.",
    ),
    (3, "After enough decimal places, nobody gives a damn."),
    (
        4,
        "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    ),
    (
        5,
        "A computer program does what you tell it to do, not what you want it to do.",
    ),
    (
        6,
        "Emacs is a nice operating system, but I prefer UNIX. \u{2014} Tom Christaensen",
    ),
    (7, "Any program that runs right is obsolete."),
    (
        8,
        "A list is only as strong as its weakest link. \u{2014} Donald Knuth",
    ),
    (9, "Feature: A bug with seniority."),
    (10, "Computers make very fast, very accurate mistakes."),
    (
        11,
        "<script>alert(\"This should not be displayed in a browser alert box.\");</script>",
    ),
    (12, "フレームワークのベンチマーク"),
];

/// The demo user, so that `/users/1` (the catalogue's example) answers on a
/// fresh database: its name and email.
pub const DEMO_USER: (&str, &str) = ("Ada Lovelace", "ada@example.com");
