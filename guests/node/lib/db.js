// The seeded SQLite file, read through sql.js: SQLite compiled to
// WebAssembly, installed from the npm registry alone (no native build, no
// binary download at install time; see README.md for why not better-sqlite3).
//
// Simplification on purpose: sql.js works on an in-memory copy of the file,
// read once at start-up. The guests only read World and Fortune, so a copy
// answers exactly what the file holds; a guest never writes. The file must
// be closed by its writer first (raw-server checkpoints its WAL on exit).
'use strict';

const fs = require('node:fs');
const initSqlJs = require('sql.js');

/** Opens `path` and returns the two reads the benchmark endpoints need. */
async function openDatabase(path) {
  const SQL = await initSqlJs();
  const db = new SQL.Database(fs.readFileSync(path));
  // Prepared once, as the Rust servers' statement cache does.
  const worldById = db.prepare('SELECT id, randomNumber FROM World WHERE id = ?');
  const allFortunes = db.prepare('SELECT id, message FROM Fortune');
  if (worldById.get([1]).length !== 2) throw new Error(`${path} has no World rows`);
  worldById.reset();
  return {
    /** One `World` row as `{ id, randomNumber }`, or null. */
    world(id) {
      worldById.bind([id]);
      const row = worldById.step() ? worldById.get() : null;
      worldById.reset();
      return row && { id: row[0], randomNumber: row[1] };
    },
    /** Every `Fortune` row as `{ id, message }`, in table order. */
    fortunes() {
      const rows = [];
      while (allFortunes.step()) {
        const [id, message] = allFortunes.get();
        rows.push({ id, message });
      }
      allFortunes.reset();
      return rows;
    },
  };
}

module.exports = { openDatabase };
