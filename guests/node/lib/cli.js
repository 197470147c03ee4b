// The part every guest shares below the request layer, as connection-layer
// is for the Rust servers: the flags (`--addr 127.0.0.1:0 --database PATH`),
// the one `listening on http://IP:PORT` line the harness and the tests read,
// and a clean stop on SIGTERM. Node runs one event loop on one thread, so
// there is no runtime to choose; the harness pins the process to one core.
'use strict';

/** Reads `--addr HOST:PORT` and `--database PATH`; exits with a usage line otherwise. */
function parseArgs(argv = process.argv.slice(2)) {
  const flags = { addr: '127.0.0.1:3000', database: null };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if ((name !== '--addr' && name !== '--database') || value === undefined) {
      usage(`unexpected argument ${JSON.stringify(name)}`);
    }
    flags[name.slice(2)] = value;
  }
  if (!flags.database) usage('--database PATH is required (a database seeded by raw-server)');
  // `[::1]:3000` or `127.0.0.1:3000`: the port is after the last colon.
  const colon = flags.addr.lastIndexOf(':');
  const host = flags.addr.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(flags.addr.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    usage(`--addr ${JSON.stringify(flags.addr)} is not HOST:PORT`);
  }
  return { host, port, database: flags.database };
}

function usage(problem) {
  process.stderr.write(`${problem}\nusage: node <guest>.js --addr HOST:PORT --database PATH\n`);
  process.exit(2);
}

/** The line the Rust servers print, from the address the system gave. */
function announce(address) {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  process.stdout.write(`listening on http://${host}:${address.port}\n`);
}

/**
 * On SIGTERM (and Ctrl-C): stop accepting, let in-flight requests finish,
 * then exit 0. `close` is the guest's own way to close its server and
 * resolves once it is closed.
 */
function stopOnSignals(close) {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    Promise.resolve(close()).then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`stopping failed: ${error}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

module.exports = { parseArgs, announce, stopOnSignals };
