// express4: express.js's app, unchanged, on Express 4 (installed under the
// name `express4`): the version most existing applications, and most of the
// figures quoted about Express, run on.
//
//   node guests/node/express4.js --addr 127.0.0.1:0 --database PATH
'use strict';

const { main } = require('./express');

main(require('express4'), 'express4').catch((error) => {
  process.stderr.write(`express4: ${error.stack || error}\n`);
  process.exit(1);
});
