// The benchmark rules every guest follows, written once as shared-handlers
// does for the Rust servers: the `/queries` count clamping, the random row
// ids, the fortune added at request time and the sort, and the problem
// documents (RFC 9457, `urn:frameworth:problem:<kind>`) with the Rust
// servers' exact wording, so that both ecosystems answer byte for byte.
'use strict';

const HELLO_WORLD = 'Hello, World!';
const ADDED_FORTUNE = 'Additional fortune added at request time.';
const MIN_QUERIES = 1;
const MAX_QUERIES = 500;

/**
 * The row count from the raw parameter value (already percent-decoded):
 * missing, empty, not an integer or below 1 -> 1; above 500 -> 500. An
 * optional `+` or `-` sign and digits only, as Rust's `str::parse::<i64>`.
 */
function queryCount(raw) {
  if (typeof raw !== 'string' || !/^[+-]?[0-9]+$/.test(raw)) return MIN_QUERIES;
  // Any length of digits: a number too large for a double is still > 500.
  const n = Number(raw);
  return Math.min(MAX_QUERIES, Math.max(MIN_QUERIES, n));
}

/** A `World` id in 1..=10000. */
function randomWorldId() {
  return 1 + Math.floor(Math.random() * 10000);
}

/**
 * The fortunes plus one added now, sorted by message. JavaScript compares
 * UTF-16 code units, which orders like UTF-8 bytes for every character
 * outside U+E000..U+FFFF paired against astral ones: none in the table.
 */
function sortedFortunes(rows) {
  rows.push({ id: 0, message: ADDED_FORTUNE });
  return rows.sort((a, b) => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
}

/** Escapes the five HTML specials as askama does: decimal references. */
function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A problem document's bytes, members in the Rust servers' order. */
function problem(kind, title, status, detail) {
  return JSON.stringify({ type: `urn:frameworth:problem:${kind}`, title, status, detail });
}

const notFound = (path) =>
  problem('not-found', 'Not Found', 404, `no endpoint matches the path ${path}; see the endpoint catalogue`);

const methodNotAllowed = (method, path) =>
  problem(
    'method-not-allowed',
    'Method Not Allowed',
    405,
    `method ${method} is not allowed on ${path}; the Allow header lists the methods that are`,
  );

const duplicateField = (name) =>
  problem('invalid-query', 'Invalid query string', 400, `Failed to deserialize query string: duplicate field \`${name}\``);

/** The methods every benchmark endpoint allows, as the Rust servers' `Allow`. */
const ALLOW = 'GET,HEAD';

// Every answer of a matched endpoint (not the 404s and 405s) says no cache
// may keep it, as the Rust servers' catalogue says of these endpoints: a
// random row must not be served twice from a shared cache.
const CACHE_CONTROL = 'no-store';

const PROBLEM_TYPE = 'application/problem+json';

module.exports = {
  CACHE_CONTROL,
  HELLO_WORLD,
  ALLOW,
  PROBLEM_TYPE,
  queryCount,
  randomWorldId,
  sortedFortunes,
  escapeHtml,
  notFound,
  methodNotAllowed,
  duplicateField,
};
