/**
 * State directories for the local AppSync servers of unit tests. A server's first start in an empty directory
 * makes its TLS material (a CA and a server certificate) and its user pool (a 2048-bit RSA key): ~0.4 CPU-s, the
 * most of a start. A test that is not about that first start takes a fresh directory holding a copy of what one
 * start made for the whole test worker, as a restart of `npm start` finds it; the server loads it as it would
 * its own. tests/local-appsync-server/tls.test.ts and the user-pool tests still make theirs from nothing. The unit
 * tests that start the stack's process only to see it refuse (a resolver, a port in use) take one too: the stack
 * reads the same files (local/state-files.ts).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadOrCreateTls } from '../../local/appsync/tls/certificates.ts';
import { openLocalUserPool } from '../../local/cognito/user-pool.ts';
import { StateModes } from '../../local/state-dir.ts';

/** A file of the state a first start made: its path in the state directory, its bytes and mode. */
interface StateFile {
  readonly name: string;
  readonly content: Buffer;
  readonly mode: number;
}

/**
 * The state one first start makes, by region (the pool's id names it), made once per worker and held in memory:
 * a directory left for later would outlive the worker, which vitest ends without an exit event.
 */
const made = new Map<string, Promise<readonly StateFile[]>>();

function firstStartState(region: string): Promise<readonly StateFile[]> {
  let files = made.get(region);
  if (!files) {
    files = (async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'labelcast-appsync-first-start-'));
      try {
        await loadOrCreateTls(dir);
        // The origin only names the issuer of the tokens this pool object would sign; the server opens its own.
        openLocalUserPool({ stateDir: dir, region, origin: 'https://127.0.0.1' });
        return readdirSync(dir, { recursive: true, encoding: 'utf8' })
          .filter((name) => statSync(path.join(dir, name)).isFile())
          .map((name) => ({ name, content: readFileSync(path.join(dir, name)), mode: statSync(path.join(dir, name)).mode & 0o777 }));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    })();
    made.set(region, files);
  }
  return files;
}

/**
 * A new temporary directory (the caller removes it) holding what a started server's first start made: its TLS
 * material and user pool, with their modes.
 *
 * @example
 * const stateDir = await startedStateDir('local-appsync-limits-', region);
 * const appsync = await startLocalAppSync({ stateDir, port: 0, region, ... });
 */
export async function startedStateDir(prefix: string, region: string): Promise<string> {
  const files = await firstStartState(region);
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  for (const file of files) {
    mkdirSync(path.dirname(path.join(dir, file.name)), { recursive: true, mode: StateModes.directory });
    writeFileSync(path.join(dir, file.name), file.content, { mode: file.mode });
  }
  return dir;
}
