//! The vocabulary the catalogue uses to state each endpoint's contract: its
//! parameters and their rules, the bodies it reads and writes, every status
//! it may answer with (and the problem types behind the errors), and how its
//! answers may be cached.
//!
//! The rules are stated with the same constants the parsers enforce
//! ([`crate::users::NAME_MAX_CHARS`], [`crate::delay::MAX_DELAY_MS`], ...), so
//! the OpenAPI document ([`crate::openapi`]) cannot promise a bound the
//! servers do not keep. The servers read [`CachePolicy`] to set their caching
//! headers; the rest is read by the document and the conformance suite.

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Query,
    Path,
}

/// What a parameter's value must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamRule {
    /// A whole number in `min..=max`; anything else is a `400`.
    Integer { min: i64, max: i64 },
    /// Any text. Used for the benchmark counts, which never fail: a value
    /// that is not a number in range is clamped (see [`crate::params`]).
    AnyText,
    /// The rest of the path below a mount point; may contain `/`.
    RestOfPath,
}

/// One parameter of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    pub name: &'static str,
    pub location: Location,
    pub required: bool,
    pub rule: ParamRule,
    pub description: &'static str,
}

/// The shape of a body an endpoint reads or writes; [`crate::openapi`] turns
/// each into a JSON Schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Plain text, no schema beyond the media type.
    Text,
    /// An HTML page.
    Html,
    /// Whatever the file holds (static files).
    File,
    /// `{"message": "Hello, World!"}`.
    Message,
    /// One `World` row, `{"id", "randomNumber"}`.
    World,
    /// A list of `World` rows.
    Worlds,
    /// `{"id", "name", "email"}`.
    User,
    /// A list of users.
    Users,
    /// The body of `POST /users` and `PUT /users/{id}` (request side).
    NewUser,
    /// The contact form (request side, urlencoded) and its echo.
    Contact,
    /// `{"visits": n}`.
    Visits,
    /// `{"delayed_ms": n}`.
    Delayed,
    /// `{"upstream_delayed_ms": n}`.
    Upstreamed,
    /// The request counters of `/admin/stats`.
    Stats,
    /// An OpenAPI document (any JSON object).
    Document,
    /// An RFC 9457 problem document.
    Problem,
    /// No body (`204`, `304`).
    Empty,
}

/// One status an endpoint may answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub status: u16,
    pub description: &'static str,
    /// The problem types (`urn:frameworth:problem:<kind>`) an error status
    /// carries; empty for successes.
    pub problems: &'static [&'static str],
}

/// How an endpoint's answers may be cached, sent as `Cache-Control` (and,
/// for [`CachePolicy::Revalidate`], an `ETag`) by both servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CachePolicy {
    /// The answer depends on the requester or changes on every request
    /// (a random row, a counter, a user that may change): no cache may keep it.
    NoStore,
    /// The answer is stable, so a cache may keep it but must ask first:
    /// `no-cache` plus a strong `ETag` over the body, and `304` when the
    /// client's `If-None-Match` still matches.
    Revalidate,
    /// Static files: `no-cache` plus the file's `Last-Modified`, which the
    /// file server already checks against `If-Modified-Since`.
    Files,
}

impl CachePolicy {
    /// The `Cache-Control` value this policy sends.
    pub const fn cache_control(self) -> &'static str {
        match self {
            CachePolicy::NoStore => "no-store",
            CachePolicy::Revalidate | CachePolicy::Files => "no-cache",
        }
    }
}

/// A bounded integer query parameter.
const fn integer(
    name: &'static str,
    required: bool,
    min: i64,
    max: i64,
    description: &'static str,
) -> Param {
    Param {
        name,
        location: Location::Query,
        required,
        rule: ParamRule::Integer { min, max },
        description,
    }
}

/// `?queries=` of `/queries` and `/updates`.
pub const QUERIES_PARAMS: &[Param] = &[Param {
    name: "queries",
    location: Location::Query,
    required: false,
    rule: ParamRule::AnyText,
    description: "How many rows, 1 to 500. Never rejected: a missing, non-numeric or \
                  too-small value means 1, a larger one 500 (the benchmark rules).",
}];

/// `?count=` of `/cached-queries`.
pub const COUNT_PARAMS: &[Param] = &[Param {
    name: "count",
    location: Location::Query,
    required: false,
    rule: ParamRule::AnyText,
    description: "How many rows, 1 to 500, clamped like `queries`.",
}];

/// The query string of `GET /users`.
pub const USERS_LIST_PARAMS: &[Param] = &[
    integer(
        "limit",
        false,
        1,
        crate::model::user::MAX_LIMIT as i64,
        "Page size (default 20).",
    ),
    integer("offset", false, 0, i64::MAX, "Users to skip (default 0)."),
    Param {
        name: "name",
        location: Location::Query,
        required: false,
        rule: ParamRule::AnyText,
        description: "Only users whose name contains this, ignoring ASCII case.",
    },
];

/// `{id}` of `/users/{id}`.
pub const USER_ID_PARAMS: &[Param] = &[Param {
    name: "id",
    location: Location::Path,
    required: true,
    rule: ParamRule::Integer {
        min: i64::MIN,
        max: i64::MAX,
    },
    description: "The user's id, a 64-bit integer.",
}];

/// `?ms=` of `/delay`.
pub const DELAY_PARAMS: &[Param] = &[integer(
    "ms",
    true,
    0,
    crate::delay::MAX_DELAY_MS as i64,
    "Milliseconds to wait.",
)];

/// `{path}` of `/static/{*path}`.
pub const STATIC_PARAMS: &[Param] = &[Param {
    name: "path",
    location: Location::Path,
    required: true,
    rule: ParamRule::RestOfPath,
    description: "The file's path below static/; may contain `/`.",
}];

/// Statuses every endpoint may answer with, whatever it does: a request
/// without exactly one `Host` header, a request over the time limit or
/// short of a resource, and a failure of our own.
pub const ANY_ENDPOINT: &[Outcome] = &[
    Outcome {
        status: 400,
        description: "Missing or repeated `Host` header.",
        problems: &["bad-host"],
    },
    Outcome {
        status: 500,
        description: "The server failed; the cause is logged, not shown.",
        problems: &["internal"],
    },
    Outcome {
        status: 503,
        description: "Over the request time limit, or a resource is busy; retry.",
        problems: &["timeout", "unavailable"],
    },
];

/// An endpoint that succeeds with `200` and fails only as any endpoint may.
pub const OK_ONLY: &[Outcome] = &[ok("The answer.")];

/// The benchmark counts: never out of range (they are clamped), but a
/// parameter given twice is ambiguous and refused, as on every endpoint.
pub const CLAMPED_OUTCOMES: &[Outcome] = &[
    ok("The rows."),
    Outcome {
        status: 400,
        description: "The count is given twice.",
        problems: &["invalid-query"],
    },
];

/// A `200` success.
pub const fn ok(description: &'static str) -> Outcome {
    Outcome {
        status: 200,
        description,
        problems: &[],
    }
}

const INVALID_QUERY: Outcome = Outcome {
    status: 400,
    description: "A query parameter is missing, repeated or out of range.",
    problems: &["invalid-query"],
};
const INVALID_PATH: Outcome = Outcome {
    status: 400,
    description: "The id is not a 64-bit integer.",
    problems: &["invalid-path-parameter"],
};
const NO_USER: Outcome = Outcome {
    status: 404,
    description: "There is no user with this id.",
    problems: &["resource-not-found"],
};
const EMAIL_TAKEN: Outcome = Outcome {
    status: 409,
    description: "Another user has this email address.",
    problems: &["email-taken"],
};
/// What a body-reading endpoint may answer besides its success.
const BODY_ERRORS: [Outcome; 4] = [
    Outcome {
        status: 400,
        description: "The body is unreadable or not valid JSON.",
        problems: &["bad-body", "invalid-json"],
    },
    Outcome {
        status: 413,
        description: "The body is larger than the server's limit.",
        problems: &["payload-too-large"],
    },
    Outcome {
        status: 415,
        description: "The body's `Content-Type` is missing or not the one required.",
        problems: &["unsupported-media-type"],
    },
    Outcome {
        status: 422,
        description: "Fields are missing or invalid; `errors` lists each.",
        problems: &["invalid-fields"],
    },
];
const UNAUTHORIZED: Outcome = Outcome {
    status: 401,
    description: "No valid `Authorization: Bearer <admin token>` header.",
    problems: &["unauthorized"],
};

pub const USERS_LIST_OUTCOMES: &[Outcome] = &[ok("A page of users."), INVALID_QUERY];
pub const USERS_CREATE_OUTCOMES: &[Outcome] = &[
    Outcome {
        status: 201,
        description: "The stored user; `Location` names it.",
        problems: &[],
    },
    BODY_ERRORS[0],
    BODY_ERRORS[1],
    BODY_ERRORS[2],
    BODY_ERRORS[3],
    EMAIL_TAKEN,
];
pub const USERS_SHOW_OUTCOMES: &[Outcome] = &[ok("The user."), INVALID_PATH, NO_USER];
pub const USERS_REPLACE_OUTCOMES: &[Outcome] = &[
    ok("The user as stored now."),
    INVALID_PATH,
    BODY_ERRORS[0],
    NO_USER,
    BODY_ERRORS[1],
    BODY_ERRORS[2],
    BODY_ERRORS[3],
    EMAIL_TAKEN,
];
pub const USERS_DELETE_OUTCOMES: &[Outcome] = &[
    Outcome {
        status: 204,
        description: "Deleted.",
        problems: &[],
    },
    INVALID_PATH,
    NO_USER,
];
pub const CONTACT_OUTCOMES: &[Outcome] = &[
    ok("The message as accepted."),
    BODY_ERRORS[0],
    BODY_ERRORS[1],
    BODY_ERRORS[2],
    BODY_ERRORS[3],
];
pub const DELAY_OUTCOMES: &[Outcome] = &[ok("Waited."), INVALID_QUERY];
pub const UPSTREAM_OUTCOMES: &[Outcome] = &[
    ok("The upstream service answered in time."),
    INVALID_QUERY,
    Outcome {
        status: 502,
        description: "The upstream service could not be reached or answered with an error.",
        problems: &["bad-gateway"],
    },
    Outcome {
        status: 504,
        description: "The upstream service took longer than `--upstream-timeout-ms`.",
        problems: &["gateway-timeout"],
    },
];
pub const STATIC_OUTCOMES: &[Outcome] = &[
    ok("The file (or the folder's index.html)."),
    Outcome {
        status: 206,
        description: "The one byte range asked for.",
        problems: &[],
    },
    Outcome {
        status: 304,
        description: "Not modified since `If-Modified-Since`.",
        problems: &[],
    },
    Outcome {
        status: 307,
        description: "A folder asked for without its trailing `/`.",
        problems: &[],
    },
    Outcome {
        status: 404,
        description: "No such file below static/.",
        problems: &["not-found"],
    },
    Outcome {
        status: 412,
        description: "Modified after `If-Unmodified-Since`.",
        problems: &["precondition-failed"],
    },
    Outcome {
        status: 416,
        description: "The `Range` cannot be served.",
        problems: &["range-not-satisfiable"],
    },
];
pub const REVALIDATE_OUTCOMES: &[Outcome] = &[
    ok("The answer."),
    Outcome {
        status: 304,
        description: "Unchanged since the `ETag` in `If-None-Match`.",
        problems: &[],
    },
];
pub const ADMIN_STATS_OUTCOMES: &[Outcome] = &[ok("The counters."), UNAUTHORIZED];
/// `/admin/panic` answers `500` by design: that is what it demonstrates.
pub const ADMIN_PANIC_OUTCOMES: &[Outcome] = &[
    Outcome {
        status: 500,
        description: "Always: the handler panics on purpose and the server keeps serving.",
        problems: &["internal"],
    },
    UNAUTHORIZED,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_store_is_for_answers_no_cache_may_keep_and_no_cache_for_stable_ones() {
        assert_eq!(CachePolicy::NoStore.cache_control(), "no-store");
        assert_eq!(CachePolicy::Revalidate.cache_control(), "no-cache");
        assert_eq!(CachePolicy::Files.cache_control(), "no-cache");
    }
}
