#!/usr/bin/env node
// The checks `npm test` runs before the tests: lint, typecheck and build are independent, so they
// run side by side (about 45 s one after another, about 25 s together on two cores); each one's
// output is shown whole when it ends, and any failure fails the lot. Then the schema check, which
// reads the build.
import { spawn } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(script) {
  return new Promise((resolve) => {
    const child = spawn(npm, ['run', '--silent', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code, signal) => {
      const ok = code === 0;
      process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} npm run ${script}${ok ? '' : ` (${signal ?? `exit ${code}`})`}\n`);
      if (output.trim() !== '' && !ok) process.stdout.write(`${output.trimEnd()}\n`);
      resolve(ok);
    });
  });
}

const parallel = await Promise.all(['lint', 'typecheck', 'build'].map(run));
const ok = parallel.every(Boolean) && (await run('schema:check'));
process.exit(ok ? 0 : 1);
