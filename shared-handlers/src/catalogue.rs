//! The endpoint catalogue: **one table** listing every endpoint of frameworth.
//!
//! Both servers, the conformance suite, the docs and the bench harness read
//! this table; nothing lists the endpoints a second time by hand.
//!
//! - raw-server matches incoming paths against [`Endpoint::path`] itself and
//!   dispatches on [`Endpoint::id`] with an exhaustive `match`, so the
//!   compiler refuses a catalogue entry the raw server does not handle;
//! - framework-server registers each entry's `path` in its axum `Router`;
//! - the conformance suite checks that both servers answer every entry with
//!   its method, and answer `405` with the right `Allow` header otherwise.
//!
//! Each row also states the endpoint's contract in the vocabulary of
//! [`crate::contract`]: its parameters and their rules, the shape of what it
//! reads and answers, every status it may answer with, and how its answers
//! may be cached. The OpenAPI document is generated from these, and both
//! servers set their caching headers from [`Endpoint::cache`].
//!
//! Path patterns use axum 0.8's syntax (`/users/{id}`), which the raw server's
//! hand-written matcher understands too.

use crate::contract::*;

/// The HTTP methods the catalogue uses.
///
/// A `GET` endpoint also answers `HEAD` (same headers, no body), on both
/// servers; that is HTTP's rule (RFC 9110 section 9.3.2), not a catalogue entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    /// The method's name as it appears on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// Whether requests with this method carry a body the server must read.
    pub const fn has_request_body(self) -> bool {
        matches!(self, Method::Post | Method::Put)
    }
}

/// Identifies an endpoint independently of its path, so code can `match` on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndpointId {
    Plaintext,
    Json,
    Db,
    Queries,
    Updates,
    CachedQueries,
    Fortunes,
    UsersList,
    UsersCreate,
    UsersShow,
    UsersReplace,
    UsersDelete,
    ContactSubmit,
    VisitsShow,
    DelayShow,
    UpstreamShow,
    Home,
    OpenApi,
    StaticFiles,
    AdminStats,
    AdminPanic,
}

/// The content types the endpoints answer with, spelled once.
pub mod content_type {
    /// What axum's `&'static str` responder sends, and so what raw-server sends too.
    pub const TEXT_PLAIN: &str = "text/plain; charset=utf-8";
    pub const JSON: &str = "application/json";
    pub const HTML: &str = "text/html; charset=utf-8";
    /// An `.html` file from the static folder. tower-http's `ServeDir` takes
    /// the type from `mime_guess`, which names no charset; the files declare
    /// theirs in a `<meta charset>` tag.
    pub const HTML_FILE: &str = "text/html";
    /// RFC 9457 problem details, used for every error.
    pub const PROBLEM_JSON: &str = "application/problem+json";
    /// An HTML form's body (request side only).
    pub const FORM: &str = "application/x-www-form-urlencoded";
    /// The endpoint answers with no body and so no `Content-Type` (`204`).
    pub const NONE: &str = "";
}

/// The body an endpoint reads, for the catalogue's example request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestBody {
    /// The `Content-Type` the endpoint requires.
    pub content_type: &'static str,
    /// A body that the endpoint accepts on a fresh database.
    pub example: &'static str,
    /// What the body must hold.
    pub shape: Shape,
}

// ANCHOR: endpoint
/// One row of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    pub id: EndpointId,
    /// Short stable name used in reports and on the command line (`--endpoints`).
    pub name: &'static str,
    pub method: Method,
    /// Path pattern in axum 0.8 syntax.
    pub path: &'static str,
    /// One line for the home page, the docs and the OpenAPI document.
    pub summary: &'static str,
    /// `Content-Type` of a successful response ([`content_type::NONE`] when
    /// it has no body; for `/static/...`, which answers with each file's own
    /// type, the type of [`Endpoint::example`]).
    pub content_type: &'static str,
    /// A concrete request target a load generator can send (path and query).
    /// On a fresh database, sent in catalogue order, every example succeeds
    /// (`/upstream`'s when the server has an upstream to call).
    pub example: &'static str,
    /// The body the endpoint reads, if it reads one (`POST`, `PUT`).
    pub request_body: Option<RequestBody>,
    /// Whether this is one of the TechEmpower-style benchmark endpoints.
    pub benchmark: bool,
    /// Whether the servers may compress this endpoint's answers (gzip, when
    /// the client asks and the body is worth it). Never for the benchmark
    /// endpoints: TechEmpower's rules forbid compressed responses there, and
    /// its verifier sends `Accept-Encoding: gzip, deflate` to catch them.
    pub compress: bool,
    /// The parameters (path and query) and their rules.
    pub params: &'static [Param],
    /// Every status this endpoint answers with on purpose; the statuses any
    /// endpoint may answer with ([`ANY_ENDPOINT`]) come on top.
    pub outcomes: &'static [Outcome],
    /// The shape of a successful answer's body.
    pub shape: Shape,
    /// How the answers may be cached (`Cache-Control`, validators).
    pub cache: CachePolicy,
}
// ANCHOR_END: endpoint

impl Endpoint {
    /// For a path ending in a wildcard (`/static/{*path}`), the prefix the
    /// endpoint is mounted at (`/static`); `None` for other paths.
    ///
    /// axum mounts such an endpoint with `Router::nest_service`, which also
    /// answers the prefix itself and the prefix plus `/`; raw-server's router
    /// does the same (see its `match_path`).
    pub fn mount_point(&self) -> Option<&'static str> {
        let path: &'static str = self.path;
        path.find("/{*").map(|end| &path[..end])
    }
}

pub const PLAINTEXT: Endpoint = Endpoint {
    id: EndpointId::Plaintext,
    name: "plaintext",
    method: Method::Get,
    path: "/plaintext",
    summary: "The 13 bytes `Hello, World!` as plain text.",
    content_type: content_type::TEXT_PLAIN,
    example: "/plaintext",
    request_body: None,
    benchmark: true,
    compress: false,
    params: &[],
    outcomes: OK_ONLY,
    shape: Shape::Text,
    cache: CachePolicy::NoStore,
};

pub const JSON: Endpoint = Endpoint {
    id: EndpointId::Json,
    name: "json",
    method: Method::Get,
    path: "/json",
    summary: "A JSON object `{\"message\":\"Hello, World!\"}`, serialized on every request.",
    content_type: content_type::JSON,
    example: "/json",
    request_body: None,
    benchmark: true,
    compress: false,
    params: &[],
    outcomes: OK_ONLY,
    shape: Shape::Message,
    cache: CachePolicy::NoStore,
};

pub const DB: Endpoint = Endpoint {
    id: EndpointId::Db,
    name: "db",
    method: Method::Get,
    path: "/db",
    summary: "One random row of table World, read from SQLite.",
    content_type: content_type::JSON,
    example: "/db",
    request_body: None,
    benchmark: true,
    compress: false,
    params: &[],
    outcomes: OK_ONLY,
    shape: Shape::World,
    cache: CachePolicy::NoStore,
};

pub const QUERIES: Endpoint = Endpoint {
    id: EndpointId::Queries,
    name: "queries",
    method: Method::Get,
    path: "/queries",
    summary: "`queries` random World rows (1..=500), one single-row query each.",
    content_type: content_type::JSON,
    example: "/queries?queries=20",
    request_body: None,
    benchmark: true,
    compress: false,
    params: QUERIES_PARAMS,
    outcomes: CLAMPED_OUTCOMES,
    shape: Shape::Worlds,
    cache: CachePolicy::NoStore,
};

pub const UPDATES: Endpoint = Endpoint {
    id: EndpointId::Updates,
    name: "updates",
    method: Method::Get,
    path: "/updates",
    summary: "Like /queries, then gives each row a new randomNumber and persists it.",
    content_type: content_type::JSON,
    example: "/updates?queries=20",
    request_body: None,
    benchmark: true,
    compress: false,
    params: QUERIES_PARAMS,
    outcomes: CLAMPED_OUTCOMES,
    shape: Shape::Worlds,
    cache: CachePolicy::NoStore,
};

pub const CACHED_QUERIES: Endpoint = Endpoint {
    id: EndpointId::CachedQueries,
    name: "cached-queries",
    method: Method::Get,
    path: "/cached-queries",
    summary: "`count` random World rows (1..=500) from an in-process cache.",
    content_type: content_type::JSON,
    example: "/cached-queries?count=20",
    request_body: None,
    benchmark: true,
    compress: false,
    params: COUNT_PARAMS,
    outcomes: CLAMPED_OUTCOMES,
    shape: Shape::Worlds,
    cache: CachePolicy::NoStore,
};

pub const FORTUNES: Endpoint = Endpoint {
    id: EndpointId::Fortunes,
    name: "fortunes",
    method: Method::Get,
    path: "/fortunes",
    summary: "All Fortune rows plus one added at request time, sorted, as an HTML table.",
    content_type: content_type::HTML,
    example: "/fortunes",
    request_body: None,
    benchmark: true,
    compress: false,
    params: &[],
    outcomes: OK_ONLY,
    shape: Shape::Html,
    cache: CachePolicy::NoStore,
};

pub const USERS_LIST: Endpoint = Endpoint {
    id: EndpointId::UsersList,
    name: "users-list",
    method: Method::Get,
    path: "/users",
    summary: "A page of users ordered by id: `limit` 1..=100 (20), `offset` (0), `name` substring filter.",
    content_type: content_type::JSON,
    example: "/users?limit=10&offset=0",
    request_body: None,
    benchmark: false,
    compress: true,
    params: USERS_LIST_PARAMS,
    outcomes: USERS_LIST_OUTCOMES,
    shape: Shape::Users,
    cache: CachePolicy::NoStore,
};

pub const USERS_CREATE: Endpoint = Endpoint {
    id: EndpointId::UsersCreate,
    name: "users-create",
    method: Method::Post,
    path: "/users",
    summary: "Stores a user from a JSON `{name, email}`; answers `201` with `Location` and the user.",
    content_type: content_type::JSON,
    example: "/users",
    request_body: Some(RequestBody {
        content_type: content_type::JSON,
        example: r#"{"name":"Grace Hopper","email":"grace@example.com"}"#,
        shape: Shape::NewUser,
    }),
    benchmark: false,
    compress: true,
    params: &[],
    outcomes: USERS_CREATE_OUTCOMES,
    shape: Shape::User,
    cache: CachePolicy::NoStore,
};

pub const USERS_SHOW: Endpoint = Endpoint {
    id: EndpointId::UsersShow,
    name: "users-show",
    method: Method::Get,
    path: "/users/{id}",
    summary: "One user by id (user 1 is a demo user stored on first start).",
    content_type: content_type::JSON,
    example: "/users/1",
    request_body: None,
    benchmark: false,
    compress: true,
    params: USER_ID_PARAMS,
    outcomes: USERS_SHOW_OUTCOMES,
    shape: Shape::User,
    cache: CachePolicy::NoStore,
};

pub const USERS_REPLACE: Endpoint = Endpoint {
    id: EndpointId::UsersReplace,
    name: "users-replace",
    method: Method::Put,
    path: "/users/{id}",
    summary: "Replaces a user's name and email (same rules as creating one).",
    content_type: content_type::JSON,
    example: "/users/1",
    request_body: Some(RequestBody {
        content_type: content_type::JSON,
        example: r#"{"name":"Ada King","email":"ada@example.com"}"#,
        shape: Shape::NewUser,
    }),
    benchmark: false,
    compress: true,
    params: USER_ID_PARAMS,
    outcomes: USERS_REPLACE_OUTCOMES,
    shape: Shape::User,
    cache: CachePolicy::NoStore,
};

pub const USERS_DELETE: Endpoint = Endpoint {
    id: EndpointId::UsersDelete,
    name: "users-delete",
    method: Method::Delete,
    path: "/users/{id}",
    summary: "Deletes a user; answers `204` with no body.",
    content_type: content_type::NONE,
    example: "/users/1",
    request_body: None,
    benchmark: false,
    compress: true,
    params: USER_ID_PARAMS,
    outcomes: USERS_DELETE_OUTCOMES,
    shape: Shape::Empty,
    cache: CachePolicy::NoStore,
};

pub const CONTACT_SUBMIT: Endpoint = Endpoint {
    id: EndpointId::ContactSubmit,
    name: "contact-submit",
    method: Method::Post,
    path: "/contact",
    summary: "An urlencoded form `name`, `email`, `message`, validated and echoed as JSON.",
    content_type: content_type::JSON,
    example: "/contact",
    request_body: Some(RequestBody {
        content_type: content_type::FORM,
        example: "name=Ada&email=ada%40example.com&message=Hello%21",
        shape: Shape::Contact,
    }),
    benchmark: false,
    compress: true,
    params: &[],
    outcomes: CONTACT_OUTCOMES,
    shape: Shape::Contact,
    cache: CachePolicy::NoStore,
};

pub const VISITS_SHOW: Endpoint = Endpoint {
    id: EndpointId::VisitsShow,
    name: "visits-show",
    method: Method::Get,
    path: "/visits",
    summary: "Counts your visits in a `visits` cookie: answers `{\"visits\":n}` and sets the cookie.",
    content_type: content_type::JSON,
    example: "/visits",
    request_body: None,
    benchmark: false,
    compress: true,
    params: &[],
    outcomes: OK_ONLY,
    shape: Shape::Visits,
    cache: CachePolicy::NoStore,
};

pub const DELAY_SHOW: Endpoint = Endpoint {
    id: EndpointId::DelayShow,
    name: "delay-show",
    method: Method::Get,
    path: "/delay",
    summary: "Waits `ms` milliseconds (0..=10000), then answers `{\"delayed_ms\":ms}`: slow I/O.",
    content_type: content_type::JSON,
    example: "/delay?ms=10",
    request_body: None,
    benchmark: false,
    compress: true,
    params: DELAY_PARAMS,
    outcomes: DELAY_OUTCOMES,
    shape: Shape::Delayed,
    cache: CachePolicy::NoStore,
};

pub const UPSTREAM_SHOW: Endpoint = Endpoint {
    id: EndpointId::UpstreamShow,
    name: "upstream-show",
    method: Method::Get,
    path: "/upstream",
    summary: "Calls the upstream service's `/delay?ms=` (from `--upstream`), answers `{\"upstream_delayed_ms\":ms}`; 502 when it fails, 504 when it is slower than the timeout.",
    content_type: content_type::JSON,
    example: "/upstream?ms=1",
    request_body: None,
    benchmark: false,
    compress: true,
    // The same `ms` as `/delay`, passed on to the upstream.
    params: DELAY_PARAMS,
    outcomes: UPSTREAM_OUTCOMES,
    shape: Shape::Upstreamed,
    cache: CachePolicy::NoStore,
};

pub const HOME: Endpoint = Endpoint {
    id: EndpointId::Home,
    name: "home",
    method: Method::Get,
    path: "/",
    summary: "This page: every endpoint with its method and summary, linking the GET ones.",
    content_type: content_type::HTML,
    example: "/",
    request_body: None,
    benchmark: false,
    compress: true,
    params: &[],
    outcomes: REVALIDATE_OUTCOMES,
    shape: Shape::Html,
    cache: CachePolicy::Revalidate,
};

pub const OPENAPI: Endpoint = Endpoint {
    id: EndpointId::OpenApi,
    name: "openapi",
    method: Method::Get,
    path: "/openapi.json",
    summary: "An OpenAPI 3.1 document describing every endpoint, generated from this catalogue.",
    content_type: content_type::JSON,
    example: "/openapi.json",
    request_body: None,
    benchmark: false,
    compress: true,
    params: &[],
    outcomes: REVALIDATE_OUTCOMES,
    shape: Shape::Document,
    cache: CachePolicy::Revalidate,
};

pub const STATIC_FILES: Endpoint = Endpoint {
    id: EndpointId::StaticFiles,
    name: "static",
    method: Method::Get,
    path: "/static/{*path}",
    summary: "Files from the static/ folder: type by extension, Last-Modified, If-Modified-Since, one Range.",
    content_type: content_type::HTML_FILE,
    example: "/static/index.html",
    request_body: None,
    benchmark: false,
    compress: true,
    params: STATIC_PARAMS,
    outcomes: STATIC_OUTCOMES,
    shape: Shape::File,
    cache: CachePolicy::Files,
};

pub const ADMIN_STATS: Endpoint = Endpoint {
    id: EndpointId::AdminStats,
    name: "admin-stats",
    method: Method::Get,
    path: "/admin/stats",
    summary: "Request counters per endpoint. Needs `Authorization: Bearer <admin token>`.",
    content_type: content_type::JSON,
    example: "/admin/stats",
    request_body: None,
    benchmark: false,
    compress: true,
    params: &[],
    outcomes: ADMIN_STATS_OUTCOMES,
    shape: Shape::Stats,
    cache: CachePolicy::NoStore,
};

pub const ADMIN_PANIC: Endpoint = Endpoint {
    id: EndpointId::AdminPanic,
    name: "admin-panic",
    method: Method::Get,
    path: "/admin/panic",
    summary: "Panics on purpose: the server answers 500 and keeps serving. Needs the admin token.",
    content_type: content_type::PROBLEM_JSON,
    example: "/admin/panic",
    request_body: None,
    benchmark: false,
    compress: true,
    params: &[],
    outcomes: ADMIN_PANIC_OUTCOMES,
    shape: Shape::Problem,
    cache: CachePolicy::NoStore,
};

/// Every endpoint, in the order the route tables and the docs list them.
pub const ENDPOINTS: &[Endpoint] = &[
    PLAINTEXT,
    JSON,
    DB,
    QUERIES,
    UPDATES,
    CACHED_QUERIES,
    FORTUNES,
    USERS_LIST,
    USERS_CREATE,
    USERS_SHOW,
    USERS_REPLACE,
    USERS_DELETE,
    CONTACT_SUBMIT,
    VISITS_SHOW,
    DELAY_SHOW,
    UPSTREAM_SHOW,
    HOME,
    OPENAPI,
    STATIC_FILES,
    ADMIN_STATS,
    ADMIN_PANIC,
];

/// Looks an endpoint up by its short [`Endpoint::name`].
pub fn by_name(name: &str) -> Option<&'static Endpoint> {
    ENDPOINTS.iter().find(|endpoint| endpoint.name == name)
}

/// The endpoint a `(method, path pattern)` pair names, as a router that has
/// already matched the pattern reports it. `HEAD` finds the `GET` endpoint.
///
/// A mounted endpoint (`/static/{*path}`) is also found by any path under
/// its mount point (`/static`, `/static/app.css`): a router that mounts a
/// whole service there may report the concrete path, or a pattern of its
/// own, rather than ours.
pub fn by_route(method: &str, pattern: &str) -> Option<&'static Endpoint> {
    let method = if method == "HEAD" { "GET" } else { method };
    let mounted_at = |endpoint: &Endpoint| {
        endpoint.mount_point().is_some_and(|mount| {
            pattern == mount
                || pattern
                    .strip_prefix(mount)
                    .is_some_and(|rest| rest.starts_with('/'))
        })
    };
    ENDPOINTS.iter().find(|endpoint| {
        endpoint.method.as_str() == method && (endpoint.path == pattern || mounted_at(endpoint))
    })
}

/// The `Allow` header value for a path pattern: every method the catalogue
/// lists for it, in catalogue order, with `HEAD` right after `GET`.
///
/// axum builds its `Allow` header the same way (in the order methods were
/// registered), which is why the route tables follow catalogue order.
pub fn allow_header(path: &str) -> String {
    let mut methods: Vec<&str> = Vec::new();
    for endpoint in ENDPOINTS.iter().filter(|endpoint| endpoint.path == path) {
        methods.push(endpoint.method.as_str());
        if endpoint.method == Method::Get {
            methods.push("HEAD");
        }
    }
    methods.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_and_method_path_pairs_are_unique() {
        let names: HashSet<_> = ENDPOINTS.iter().map(|e| e.name).collect();
        assert_eq!(names.len(), ENDPOINTS.len());
        let routes: HashSet<_> = ENDPOINTS.iter().map(|e| (e.method, e.path)).collect();
        assert_eq!(routes.len(), ENDPOINTS.len());
    }

    #[test]
    fn every_example_targets_its_own_path() {
        for endpoint in ENDPOINTS {
            let example_path = endpoint.example.split('?').next().unwrap_or_default();
            assert!(
                !endpoint.path.contains('{') || example_path != endpoint.path,
                "{}: parameterised paths need a concrete example",
                endpoint.name
            );
            if !endpoint.path.contains('{') {
                assert_eq!(example_path, endpoint.path, "{}", endpoint.name);
            }
        }
    }

    #[test]
    fn routes_are_found_by_pattern_and_mounted_ones_by_prefix() {
        assert_eq!(
            by_route("HEAD", "/plaintext").map(|e| e.id),
            Some(EndpointId::Plaintext)
        );
        assert_eq!(by_route("POST", "/plaintext"), None);
        assert_eq!(
            by_route("GET", "/static/css/app.css").map(|e| e.id),
            Some(EndpointId::StaticFiles)
        );
        assert_eq!(
            by_route("GET", "/static").map(|e| e.id),
            Some(EndpointId::StaticFiles)
        );
        assert_eq!(by_route("GET", "/staticx"), None);
    }

    #[test]
    fn allow_header_lists_head_after_get() {
        assert_eq!(allow_header("/plaintext"), "GET,HEAD");
        assert_eq!(allow_header("/users"), "GET,HEAD,POST");
        assert_eq!(allow_header("/users/{id}"), "GET,HEAD,PUT,DELETE");
        assert_eq!(allow_header("/nowhere"), "");
        assert_eq!(allow_header(STATIC_FILES.path), "GET,HEAD");
    }

    #[test]
    fn only_wildcard_paths_have_a_mount_point() {
        assert_eq!(STATIC_FILES.mount_point(), Some("/static"));
        assert_eq!(PLAINTEXT.mount_point(), None);
    }

    #[test]
    fn benchmark_endpoints_are_never_compressed_and_the_others_may_be() {
        for endpoint in ENDPOINTS {
            assert_eq!(endpoint.compress, !endpoint.benchmark, "{}", endpoint.name);
        }
        let benchmarks = ENDPOINTS.iter().filter(|e| e.benchmark).count();
        assert_eq!(benchmarks, 7);
    }

    #[test]
    fn exactly_the_endpoints_that_read_a_body_have_an_example_body() {
        for endpoint in ENDPOINTS {
            assert_eq!(
                endpoint.request_body.is_some(),
                endpoint.method.has_request_body(),
                "{}",
                endpoint.name
            );
        }
    }
}
