#!/usr/bin/env node
/**
 * `labelcast …`: the package's bin (`npx labelcast`, and `npm run cli`).
 * Runs client-example/cli.ts, bundled (./cli-bundle.js), in a child Node that
 * trusts the local stack's CA.
 *
 * Why a child: Node reads NODE_EXTRA_CA_CERTS once, at start, into the
 * default CA set that both fetch (undici: the HTTPS queries and S3 PUTs) and
 * `ws` (Amplify's WSS subscriptions) use; Node 20 cannot add to it later.
 * The variable is set only when the CA file exists, so a fresh clone gets no
 * "ignoring extra certs" warning, just the CLI's own line saying to run
 * `npm start`.
 *
 * Plain JavaScript, run by node itself, so `npx labelcast` needs no loader.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';
import { freshCliBundle } from './cli-bundle.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const stateDir = path.resolve(process.env.LABELCAST_STATE_DIR ?? path.join(repoRoot, '.labelcast'));
const caPath = path.join(stateDir, 'tls', 'ca.pem');

/**
 * NODE_EXTRA_CA_CERTS names one file. One already set (a company CA, a system bundle) is kept: joined with ours
 * in a bundle beside it in the state directory, rewritten at each run so it follows both.
 */
function extraCaCerts() {
  const theirs = process.env.NODE_EXTRA_CA_CERTS;
  if (!existsSync(caPath)) return theirs;
  if (!theirs || path.resolve(theirs) === caPath || !existsSync(theirs)) return caPath;
  const bundle = path.join(stateDir, 'tls', 'node-extra-ca-certs.pem');
  writeFileSync(bundle, `${readFileSync(theirs, 'utf8').trimEnd()}\n${readFileSync(caPath, 'utf8')}`, { mode: 0o600 });
  return bundle;
}

const env = { ...process.env };
const extra = extraCaCerts();
if (extra) env.NODE_EXTRA_CA_CERTS = extra;

// The CLI's bundle (./cli-bundle.js says why); its sources under tsx when no bundle can be built or kept. tsx by its
// resolved URL: `--import tsx` would resolve from the working directory, wherever the user runs us.
const bundle = await freshCliBundle(repoRoot, 'client-example/cli.ts');
const cli = bundle ? [bundle] : ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL('../cli.ts', import.meta.url))];
const child = spawn(process.execPath, [...cli, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env,
});

// A terminal's Ctrl-C reaches the child by itself (same process group); a signal sent to us alone is passed on.
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => process.exit(code ?? 128 + (signal ? constants.signals[signal] : 1)));
