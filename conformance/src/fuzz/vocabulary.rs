//! The vocabulary the generator draws from: methods, paths, path pieces,
//! query values, header values and body pieces, each table a list of the
//! spellings that matter (see [`super::generate`] for how they combine).

pub(super) const ODD_METHODS: &[&str] = &[
    "OPTIONS",
    "PATCH",
    "TRACE",
    "CONNECT",
    "get",
    "Get",
    "FOO",
    "M-SEARCH",
    "PROPFIND",
    "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
];

pub(super) const COMMON_METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "DELETE"];

/// Extra seed paths beyond the catalogue's examples: the static folder's
/// real files and folders, and paths one step away from real ones.
pub(super) const EXTRA_PATHS: &[&str] = &[
    "/static/",
    "/static",
    "/static/guide",
    "/static/guide/",
    "/static/guide/notes.txt",
    "/static/style.css",
    "/static/logo.svg",
    "/static/pixel.png",
    "/static/missing.txt",
    "/users/2",
    "/users/3",
    "/users/10000",
    "/admin",
    "/admin/",
    "/admin/nope",
    "/nope",
];

/// Pieces spliced into paths: separators, dot segments in every spelling,
/// escapes that decode to NUL, to non-UTF-8 or overlong UTF-8, broken
/// escapes, and characters that need encoding.
pub(super) const PATH_PIECES: &[&str] = &[
    "/",
    "//",
    "..",
    ".",
    "%2e%2e",
    "%2E%2e",
    ".%2e",
    "%2f",
    "%2F",
    "%00",
    "%FF",
    "%C0%AF",
    "%E2%82",
    "%25",
    "%",
    "%G1",
    "%zz",
    "é",
    "%C3%A9",
    "\\",
    "..%5c",
    ";",
    "~",
    "*",
    "+",
    "%20",
    "@",
    ":",
    "%252e%252e",
    "a",
    "index.html",
    "..%2f",
    "%2e",
    "%c0%ae%c0%ae",
];

/// Values of a path parameter (`/users/{id}`): numbers and almost-numbers.
pub(super) const ID_VALUES: &[&str] = &[
    "1",
    "2",
    "0",
    "-1",
    "99999999999999999999",
    "9223372036854775807",
    "9223372036854775808",
    "1.5",
    "1e3",
    "+1",
    "%31",
    "%2B1",
    "abc",
    "0x1",
    "01",
    "%FF",
    "%00",
    "%20",
    "é",
    "1%2f2",
];

/// Values of numeric query parameters: valid, clamped, junk, huge.
pub(super) const NUMBER_VALUES: &[&str] = &[
    "1",
    "5",
    "20",
    "0",
    "-1",
    "500",
    "501",
    "99999999999999999999999",
    "1e3",
    "abc",
    "",
    "%31",
    "+1",
    "%20",
    "%FF",
    "1.0",
    "10",
    "-99999999999999999999",
    "2%30",
    " 3",
];

/// `ms` for `/delay`: waits of at most 5 ms, or values the endpoint
/// refuses (never a long wait, whatever the spelling).
pub(super) const DELAY_VALUES: &[&str] = &[
    "0",
    "1",
    "5",
    "%35",
    "10001",
    "99999999999999999999",
    "-1",
    "abc",
    "",
    "1.5",
    "+1",
    "%FF",
];

pub(super) const QUERY_KEYS: &[&str] = &[
    "queries",
    "count",
    "limit",
    "offset",
    "ms",
    "x",
    "",
    "q%75eries",
];

/// Junk spliced into query strings as it is.
pub(super) const QUERY_JUNK: &[&str] = &[
    "&&", "=", "==", "a=b=c", "%", "%zz", "&=&", ";", "+", "%26", "=1", "&", "%00=%00",
];

pub(super) const ACCEPT_ENCODINGS: &[&str] = &[
    "gzip",
    "x-gzip",
    "GZIP",
    "gzip;q=0",
    "gzip; q=0.5",
    "gzip;q=0.5, identity;q=0.6",
    "identity;q=0",
    "*",
    "*;q=0",
    "br",
    "deflate, gzip",
    "gzip;q=1.001",
    "gzip;q=",
    "gzip;level=1",
    "gzip;q=0.1234",
    ", ,",
    "gzip ; q=0.5",
    "gzip;Q=0.5",
    "identity",
    "gzip;q=0.000",
    "gzip, identity;q=1",
    "zstd",
    "gzip;q=1.0",
    "gzip;q=0.",
    "gzip;q=.5",
    "",
    "br;q=1, gzip;q=0.9",
];

pub(super) const CONTENT_TYPES: &[&str] = &[
    "application/json",
    "application/json; charset=utf-8",
    "application/problem+json",
    "application/vnd.api+json",
    "Application/JSON",
    "application/jsonx",
    "text/json",
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=utf-8",
    "application/x-www-form-urlencodedX",
    "Application/X-WWW-Form-Urlencoded",
    "multipart/form-data",
    "text/plain",
    "",
    ";;;",
    "application/",
    "application/json;",
    "application/json; charset=\"utf-8\"",
    "application/json ; q=1",
];

pub(super) const COOKIES: &[&str] = &[
    "visits=1",
    "visits=%33",
    "visits=abc",
    "visits=-1",
    "visits=99999999999999999999",
    "visits=1; visits=2",
    "visits",
    "=1",
    "visits=\"4\"",
    "  visits = 5 ",
    "visits=1;;",
    "other=1",
    "visits=18446744073709551615",
    "visits=%FF",
    "visits=%zz",
    "visits=1, visits=2",
    "visits=0",
];

pub(super) const AUTHORIZATIONS: &[&str] = &[
    "Bearer x",
    "bearer frameworth-local-admin",
    "Basic abc",
    "Bearer  frameworth-local-admin",
    "Bearer",
    "",
    "Bearer frameworth-local-admin ",
];

pub(super) const RANGES: &[&str] = &[
    "bytes=0-9",
    "bytes=-5",
    "bytes=5-",
    "bytes=0-0,2-3",
    "bytes=999999-",
    "items=0-1",
    "bytes=abc",
    "bytes=0-",
    "bytes=-0",
    "bytes= 0-1",
    "bytes=10-5",
    "bytes=-99999999999999999999",
];

pub(super) const DATES: &[&str] = &[
    "Thu, 01 Jan 1970 00:00:00 GMT",
    "Fri, 31 Dec 9999 23:59:59 GMT",
    "yesterday",
    "Sun, 06 Nov 1994 08:49:37 GMT",
    "",
];

pub(super) const REQUEST_IDS: &[&str] = &["fuzz-1", "abc 123", "", "é", "x"];

pub(super) const NAMES: &[&str] = &[
    "\"Ada\"",
    "\"\"",
    "1",
    "null",
    "[]",
    "{}",
    "\"   \"",
    "\"Grace Hopper\"",
    "true",
    "\"\\ud800\"",
    "\"é\"",
    "1e400",
    "123456789012345678901234567890",
];

pub(super) const EMAILS: &[&str] = &[
    "\"ada@example.com\"",
    "\"grace@example.com\"",
    "\"not-an-email\"",
    "\"\"",
    "1",
    "null",
    "\"a@b\"",
    "\"@example.com\"",
    "\"ada@\"",
    "\"x@example.com\"",
];
