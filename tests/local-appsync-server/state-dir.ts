/**
 * State directories for the local AppSync servers of unit tests. A server's first start in an empty directory
 * makes its TLS material (a CA and a server certificate) and its user pool (a 2048-bit RSA key): ~0.4 CPU-s, the
 * most of a start. A test that is not about that first start takes a fresh directory holding a copy of what one
 * start made for the whole test worker, as a restart of `npm start` finds it; the server loads it as it would
 * its own. tests/local-appsync-server/tls.test.ts and the user-pool tests still make theirs from nothing.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadOrCreateTls } from '../../local/appsync/tls/certificates.ts';
import { openLocalUserPool } from '../../local/cognito/user-pool.ts';

/** The state one first start makes, by region (the pool's id names it); made once per worker, removed at its exit. */
const templates = new Map<string, Promise<string>>();

function template(region: string): Promise<string> {
  let made = templates.get(region);
  if (!made) {
    made = (async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'labelcast-appsync-state-template-'));
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
      await loadOrCreateTls(dir);
      // The origin only names the issuer of the tokens this pool object would sign; the server opens its own.
      openLocalUserPool({ stateDir: dir, region, origin: 'https://127.0.0.1' });
      return dir;
    })();
    templates.set(region, made);
  }
  return made;
}

/**
 * A new temporary directory (the caller removes it) with a copy of a started server's TLS material and user pool.
 *
 * @example
 * const stateDir = await startedStateDir('local-appsync-limits-', region);
 * const appsync = await startLocalAppSync({ stateDir, port: 0, region, ... });
 */
export async function startedStateDir(prefix: string, region: string): Promise<string> {
  const from = await template(region);
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  // cpSync keeps the modes the server gave them (0600 keys).
  cpSync(from, dir, { recursive: true });
  return dir;
}
