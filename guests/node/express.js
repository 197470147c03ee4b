// express: the benchmark endpoints on Express 5, as its guide teaches: a
// router with one route per path, a middleware for the header every answer
// carries, `res.json`, `res.render` through a template engine (EJS) for the
// fortunes page, and a last middleware for 404. express4.js runs this same
// app on Express 4.
//
//   node guests/node/express.js --addr 127.0.0.1:0 --database PATH
'use strict';

const path = require('node:path');
const { parseArgs, announce, stopOnSignals } = require('./lib/cli');
const { openDatabase } = require('./lib/db');
const bench = require('./lib/bench');

/** The app, on whichever Express module `express` is (5, or 4 for express4.js). */
function createApp(express, db) {
  const app = express();
  // Express's defaults differ from the rules here: it matches `/PLAINTEXT`
  // and `/plaintext/`, announces itself, and hashes every body for an ETag.
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('views', path.join(__dirname, 'views'));
  app.set('view engine', 'ejs');
  app.set('view cache', true); // what NODE_ENV=production turns on
  // askama's escaping (decimal references), so the page is byte for byte
  // the Rust servers' one; EJS would write `&lt;` and `&amp;`.
  app.set('view options', { escape: bench.escapeHtml });

  // ANCHOR: middleware
  app.use((req, res, next) => {
    res.set('Server', 'frameworth');
    next();
  });
  // ANCHOR_END: middleware

  // ANCHOR: handlers
  function plaintextShow(req, res) {
    res.type('text/plain').send(bench.HELLO_WORLD);
  }

  function jsonShow(req, res) {
    res.json({ message: bench.HELLO_WORLD });
  }

  function dbShow(req, res) {
    res.json(db.world(bench.randomWorldId()));
  }

  function queriesList(req, res) {
    const raw = req.query.queries;
    if (Array.isArray(raw)) {
      return res.status(400).type(bench.PROBLEM_TYPE).send(bench.duplicateField('queries'));
    }
    const worlds = [];
    for (let i = bench.queryCount(raw); i > 0; i--) {
      worlds.push(db.world(bench.randomWorldId()));
    }
    res.json(worlds);
  }

  function fortunesPage(req, res) {
    res.render('fortunes', { fortunes: bench.sortedFortunes(db.fortunes()) });
  }
  // ANCHOR_END: handlers

  function methodNotAllowed(req, res) {
    res
      .status(405)
      .set('Allow', bench.ALLOW)
      .type(bench.PROBLEM_TYPE)
      .send(bench.methodNotAllowed(req.method, req.path));
  }

  /** The endpoints' cache policy, on every answer a route gives. */
  function noStore(req, res, next) {
    res.set('Cache-Control', bench.CACHE_CONTROL);
    next();
  }

  // ANCHOR: routing
  // GET routes answer HEAD too; every other method gets 405.
  app.route('/plaintext').get(noStore, plaintextShow).all(methodNotAllowed);
  app.route('/json').get(noStore, jsonShow).all(methodNotAllowed);
  app.route('/db').get(noStore, dbShow).all(methodNotAllowed);
  app.route('/queries').get(noStore, queriesList).all(methodNotAllowed);
  app.route('/fortunes').get(noStore, fortunesPage).all(methodNotAllowed);
  app.use((req, res) => {
    res.status(404).type(bench.PROBLEM_TYPE).send(bench.notFound(req.path));
  });
  // ANCHOR_END: routing
  return app;
}

/** Starts the app built on `express` with the command-line flags. */
async function main(express, name) {
  const { host, port, database } = parseArgs();
  const db = await openDatabase(database);
  const server = createApp(express, db).listen(port, host, () => announce(server.address()));
  stopOnSignals(
    () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeIdleConnections();
      }),
  );
  return name;
}

if (require.main === module) {
  main(require('express'), 'express').catch((error) => {
    process.stderr.write(`express: ${error.stack || error}\n`);
    process.exit(1);
  });
}

module.exports = { createApp, main };
