// node-http: the benchmark endpoints on Node's `http` module and nothing
// else, to be read beside raw-server: the route table, the query string,
// the headers and the HTML escaping are all written here by hand, as
// raw-server writes them on bare hyper. Node's `http` does the framing
// (and the `Date` header, cached per second, as hyper does).
//
//   node guests/node/node-http.js --addr 127.0.0.1:0 --database PATH
'use strict';

const http = require('node:http');
const { parseArgs, announce, stopOnSignals } = require('./lib/cli');
const { openDatabase } = require('./lib/db');
const bench = require('./lib/bench');

// ANCHOR: send
/** Every answer goes out here: the headers the rules want, nothing else. */
function send(res, status, contentType, body, extra) {
  const bytes = Buffer.from(body);
  const headers = {
    'content-type': contentType,
    server: 'frameworth',
    'content-length': bytes.length,
    ...extra,
  };
  res.writeHead(status, headers);
  res.end(bytes); // Node drops the body itself when the request was HEAD.
}
// ANCHOR_END: send

/**
 * The value of `name` in a raw query string, percent-decoded (`+` is a
 * space), or undefined; `{ duplicate: true }` when it appears twice.
 * Undecodable values (`%ZZ`, `%FF%FE`) count as junk: the caller clamps.
 */
function queryParam(query, name) {
  let found;
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (key !== name) continue;
    if (found !== undefined) return { duplicate: true };
    const raw = eq < 0 ? '' : pair.slice(eq + 1).replace(/\+/g, ' ');
    try {
      found = decodeURIComponent(raw);
    } catch {
      found = null;
    }
  }
  return { value: found ?? undefined };
}

// ANCHOR: handlers
function plaintextShow(req, res) {
  send(res, 200, 'text/plain; charset=utf-8', bench.HELLO_WORLD);
}

function jsonShow(req, res) {
  send(res, 200, 'application/json', JSON.stringify({ message: bench.HELLO_WORLD }));
}

function dbShow(req, res, db) {
  send(res, 200, 'application/json', JSON.stringify(db.world(bench.randomWorldId())));
}

function queriesList(req, res, db, query) {
  const param = queryParam(query, 'queries');
  if (param.duplicate) {
    return send(res, 400, bench.PROBLEM_TYPE, bench.duplicateField('queries'));
  }
  const worlds = [];
  for (let i = bench.queryCount(param.value); i > 0; i--) {
    worlds.push(db.world(bench.randomWorldId()));
  }
  send(res, 200, 'application/json', JSON.stringify(worlds));
}

function fortunesPage(req, res, db) {
  let html = '<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table>';
  html += '<tr><th>id</th><th>message</th></tr>';
  for (const fortune of bench.sortedFortunes(db.fortunes())) {
    html += `<tr><td>${fortune.id}</td><td>${bench.escapeHtml(fortune.message)}</td></tr>`;
  }
  html += '</table></body></html>';
  send(res, 200, 'text/html; charset=utf-8', html);
}
// ANCHOR_END: handlers

// ANCHOR: routing
/** The route table, in catalogue order: exact paths, GET and HEAD only. */
const ROUTES = new Map([
  ['/plaintext', plaintextShow],
  ['/json', jsonShow],
  ['/db', dbShow],
  ['/queries', queriesList],
  ['/fortunes', fortunesPage],
]);

function route(req, res, db) {
  const question = req.url.indexOf('?');
  const path = question < 0 ? req.url : req.url.slice(0, question);
  const query = question < 0 ? '' : req.url.slice(question + 1);
  const handler = ROUTES.get(path);
  if (handler === undefined) {
    return send(res, 404, bench.PROBLEM_TYPE, bench.notFound(path));
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const body = bench.methodNotAllowed(req.method, path);
    return send(res, 405, bench.PROBLEM_TYPE, body, { allow: bench.ALLOW });
  }
  res.setHeader('cache-control', bench.CACHE_CONTROL);
  handler(req, res, db, query);
}
// ANCHOR_END: routing

async function main() {
  const { host, port, database } = parseArgs();
  const db = await openDatabase(database);
  const server = http.createServer((req, res) => route(req, res, db));
  server.listen(port, host, () => announce(server.address()));
  stopOnSignals(
    () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeIdleConnections();
      }),
  );
}

main().catch((error) => {
  process.stderr.write(`node-http: ${error.stack || error}\n`);
  process.exit(1);
});
