// Reads a `node --cpu-prof` profile and prints where the time went: the
// functions with the most self time, and the share of each package (Node's
// own internals, express, router, ejs...), for the chapter "Node http vs
// Express vs hyper vs axum". Self time: samples whose innermost frame is the
// function; a package's share adds up its functions' self time.
//
//   node guests/node/top-frames.js CPU.*.cpuprofile [how-many]
'use strict';

const fs = require('node:fs');

function where(url) {
  if (!url) return '(native / V8)';
  if (url.startsWith('wasm')) return 'sql.js (WebAssembly)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return 'node internals';
  return 'guest code';
}

function main() {
  const [file, count = '15'] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node top-frames.js PROFILE.cpuprofile [how-many]\n');
    process.exit(2);
  }
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfSamples = new Map();
  for (const id of profile.samples) selfSamples.set(id, (selfSamples.get(id) || 0) + 1);
  const total = profile.samples.length;
  const functions = new Map();
  const packages = new Map();
  for (const [id, samples] of selfSamples) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    if (functionName === '(idle)' || functionName === '(program)' || functionName === '(garbage collector)') {
      functions.set(functionName, (functions.get(functionName) || 0) + samples);
      continue;
    }
    const name = `${functionName || '(anonymous)'} ${where(url)}${url ? `:${lineNumber + 1}` : ''}`;
    functions.set(name, (functions.get(name) || 0) + samples);
    packages.set(where(url), (packages.get(where(url)) || 0) + samples);
  }
  const busy = total - (functions.get('(idle)') || 0);
  const percent = (n) => `${((100 * n) / busy).toFixed(1).padStart(5)}%`;
  console.log(`${total} samples, ${busy} not idle; shares of the non-idle samples`);
  console.log('\nby package:');
  for (const [name, n] of [...packages].sort((a, b) => b[1] - a[1])) console.log(`  ${percent(n)}  ${name}`);
  console.log(`\ntop ${count} functions by self time:`);
  const top = [...functions].filter(([name]) => name !== '(idle)').sort((a, b) => b[1] - a[1]);
  for (const [name, n] of top.slice(0, Number(count))) console.log(`  ${percent(n)}  ${name}`);
}

main();
