// fastify: the benchmark endpoints on Fastify 5, idiomatic: routes declared
// with a response schema where Fastify's docs recommend one for speed (it
// compiles a serializer with fast-json-stringify instead of calling
// JSON.stringify), a hook for the header every answer carries, and Fastify's
// own not-found handler.
//
//   node guests/node/fastify.js --addr 127.0.0.1:0 --database PATH
'use strict';

const Fastify = require('fastify');
const { parseArgs, announce, stopOnSignals } = require('./lib/cli');
const { openDatabase } = require('./lib/db');
const bench = require('./lib/bench');

const WORLD = {
  type: 'object',
  properties: { id: { type: 'integer' }, randomNumber: { type: 'integer' } },
  required: ['id', 'randomNumber'],
};
const MESSAGE = { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] };
const TYPES = { text: 'text/plain; charset=utf-8', json: 'application/json', html: 'text/html; charset=utf-8' };
// Every method Fastify knows but GET and HEAD, answered with 405.
const OTHER_METHODS = ['DELETE', 'PATCH', 'POST', 'PUT', 'OPTIONS'];

// A path that does not percent-decode (`/%FF%FE`) matches no route: 404, as
// the Rust servers answer, instead of Fastify's own 400 (hooks do not run
// for it, hence the header here).
function badUrl(error, request, reply) {
  const path = request.url.split('?', 1)[0];
  reply.code(404).header('server', 'frameworth').type(bench.PROBLEM_TYPE).send(bench.notFound(path));
}

function createApp(db) {
  // Fastify's defaults already match the rules: case-sensitive paths, no
  // trailing-slash or double-slash folding, no logger unless asked.
  const app = Fastify({ logger: false, frameworkErrors: badUrl });

  // ANCHOR: hook
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('server', 'frameworth');
    done();
  });
  // ANCHOR_END: hook

  // ANCHOR: handlers
  function plaintextShow(request, reply) {
    reply.type(TYPES.text).send(bench.HELLO_WORLD);
  }

  function jsonShow(request, reply) {
    reply.type(TYPES.json).send({ message: bench.HELLO_WORLD });
  }

  function dbShow(request, reply) {
    reply.type(TYPES.json).send(db.world(bench.randomWorldId()));
  }

  function queriesList(request, reply) {
    const raw = request.query.queries;
    if (Array.isArray(raw)) {
      return reply.code(400).type(bench.PROBLEM_TYPE).send(bench.duplicateField('queries'));
    }
    const worlds = [];
    for (let i = bench.queryCount(raw); i > 0; i--) {
      worlds.push(db.world(bench.randomWorldId()));
    }
    reply.type(TYPES.json).send(worlds);
  }

  function fortunesPage(request, reply) {
    let html = '<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table>';
    html += '<tr><th>id</th><th>message</th></tr>';
    for (const fortune of bench.sortedFortunes(db.fortunes())) {
      html += `<tr><td>${fortune.id}</td><td>${bench.escapeHtml(fortune.message)}</td></tr>`;
    }
    reply.type(TYPES.html).send(`${html}</table></body></html>`);
  }
  // ANCHOR_END: handlers

  function methodNotAllowed(request, reply) {
    const path = request.url.split('?', 1)[0];
    reply
      .code(405)
      .header('allow', bench.ALLOW)
      .type(bench.PROBLEM_TYPE)
      .send(bench.methodNotAllowed(request.method, path));
  }

  // ANCHOR: routing
  // GET routes answer HEAD too (Fastify's `exposeHeadRoutes`).
  const routes = [
    ['/plaintext', plaintextShow, undefined],
    ['/json', jsonShow, { 200: MESSAGE }],
    ['/db', dbShow, { 200: WORLD }],
    ['/queries', queriesList, { 200: { type: 'array', items: WORLD } }],
    ['/fortunes', fortunesPage, undefined],
  ];
  // The endpoints' cache policy, on every answer a route gives.
  const noStore = (request, reply, done) => {
    reply.header('cache-control', bench.CACHE_CONTROL);
    done();
  };
  for (const [url, handler, response] of routes) {
    app.get(url, { schema: response && { response }, onRequest: noStore }, handler);
    app.route({ method: OTHER_METHODS, url, handler: methodNotAllowed });
  }
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0];
    reply.code(404).type(bench.PROBLEM_TYPE).send(bench.notFound(path));
  });
  // ANCHOR_END: routing
  return app;
}

async function main() {
  const { host, port, database } = parseArgs();
  const db = await openDatabase(database);
  const app = createApp(db);
  await app.listen({ host, port });
  announce(app.server.address());
  stopOnSignals(() => app.close());
}

main().catch((error) => {
  process.stderr.write(`fastify: ${error.stack || error}\n`);
  process.exit(1);
});
