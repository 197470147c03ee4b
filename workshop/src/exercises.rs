//! The exercises, one row each: where the learner works, which package
//! holds the tests, and a hint for each test that usually fails first.

/// One exercise of the workshop.
#[derive(Debug)]
pub(crate) struct Exercise {
    pub(crate) number: u8,
    pub(crate) title: &'static str,
    /// The Cargo package whose tests decide.
    pub(crate) package: &'static str,
    /// The file the learner edits, from the repository root.
    pub(crate) starter: &'static str,
    /// One answer, from the repository root.
    pub(crate) solution: &'static str,
    /// `(part of a test name, hint)`: shown under a failing test.
    pub(crate) hints: &'static [(&'static str, &'static str)],
}

pub(crate) const EXERCISES: &[Exercise] = &[
    Exercise {
        number: 1,
        title: "add GET /health to both servers",
        package: "workshop-health",
        starter: "workshop/exercises/01-health/src/starter.rs",
        solution: "workshop/exercises/01-health/src/solution.rs",
        hints: &[
            (
                "catalogue",
                "add `Health` to `EndpointId` and `(EndpointId::Health, \"/health\")` to `CATALOGUE`; the compiler then shows you the raw `match` that needs an arm",
            ),
            (
                "405",
                "in axum, a route answers other methods through its `MethodRouter`'s `.fallback(...)`: give /health the same one as /plaintext",
            ),
            (
                "ok_as_plain_text",
                "both servers: `common::ok(TEXT, \"ok\")`; a 404 means the path is not routed yet on that server",
            ),
        ],
    },
    Exercise {
        number: 2,
        title: "read cookies by hand, as axum-extra's CookieJar does",
        package: "workshop-cookies",
        starter: "workshop/exercises/02-cookies/src/starter.rs",
        solution: "workshop/exercises/02-cookies/src/solution.rs",
        hints: &[
            (
                "several_headers",
                "a request may carry more than one `Cookie` header: walk all of them (`HeaderMap::get_all`)",
            ),
            (
                "last",
                "the jar keeps one cookie per name and replaces as it goes: the *last* one wins",
            ),
            (
                "percent",
                "`cookie::Cookie::parse_encoded` decodes `%xx` and skips what does not parse, as the jar does",
            ),
            (
                "spaces",
                "pieces are split at `;` and trimmed; a piece without `=` is not a cookie",
            ),
            (
                "visible_ascii",
                "`HeaderValue::to_str` fails on bytes outside visible ASCII: skip that header and go on, as the jar does",
            ),
        ],
    },
    Exercise {
        number: 3,
        title: "an x-response-time middleware, by hand and as an axum layer",
        package: "workshop-response-time",
        starter: "workshop/exercises/03-response-time/src/starter.rs",
        solution: "workshop/exercises/03-response-time/src/solution.rs",
        hints: &[
            (
                "raw",
                "in `raw_step`, take `Instant::now()` before `inner(request)` and set the header on the response it returns",
            ),
            (
                "axum",
                "`router.layer(axum::middleware::from_fn(...))` runs for every answer, 404 and 405 included; `route_layer` would skip the fallback",
            ),
            (
                "(format)",
                "the value is milliseconds with three decimals and the unit: `format!(\"{:.3}ms\", seconds * 1000.0)`",
            ),
        ],
    },
    Exercise {
        number: 4,
        title: "where do the framework's extra instructions go?",
        package: "workshop-cost-profile",
        starter: "workshop/exercises/04-cost-profile/src/starter.rs",
        solution: "workshop/exercises/04-cost-profile/src/solution.rs",
        hints: &[
            (
                "extra",
                "open docs/sample-report/cost.txt: the `fw - raw` column is framework minus raw, per request",
            ),
            (
                "ratio",
                "the `fw/raw` column, or framework ÷ raw from the two instruction columns",
            ),
            (
                "share",
                "extra ÷ framework: the part of each framework request that raw-server does not execute",
            ),
            (
                "function",
                "under \"json on framework\" in cost.txt (or `top_functions` in cost.json), the functions are sorted by inclusive cost: take the first whose name starts with `axum::` or `<axum::`, and a part of its name no other listed function has",
            ),
        ],
    },
    Exercise {
        number: 5,
        title: "bring your own server: /plaintext and /json in any language",
        package: "workshop-byo",
        starter: "workshop/exercises/05-byo/starter/server.py",
        solution: "workshop/exercises/05-byo/solution/server.py",
        hints: &[(
            "hello",
            "run `cargo run --release -p conformance -- --target http://127.0.0.1:PORT --groups hello` against your server: each FAIL line says what differs",
        )],
    },
    Exercise {
        number: 6,
        title: "is the database the bottleneck?",
        package: "workshop-database",
        starter: "workshop/exercises/06-database/src/starter.rs",
        solution: "workshop/exercises/06-database/src/solution.rs",
        hints: &[
            (
                "share",
                "(framework − raw) ÷ framework: the part of framework-server's cost that raw-server does not have",
            ),
            (
                "sample",
                "each server's `median.server_cpu_us_per_request` per endpoint is in docs/sample-report/results.json (and in report.md's table)",
            ),
            (
                "smallest",
                "compute the share on every endpoint, then take the smallest and the largest",
            ),
        ],
    },
];

/// The exercise numbered `number`.
pub(crate) fn find(number: u8) -> Option<&'static Exercise> {
    EXERCISES.iter().find(|e| e.number == number)
}
