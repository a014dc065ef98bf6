import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateTls } from '../../local/appsync/tls/certificates.ts';

describe('loadOrCreateTls', () => {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'appsync-tls-'));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('creates a CA and a server certificate for 127.0.0.1 and localhost, keys 0600', async () => {
    const tls = await loadOrCreateTls(stateDir);
    expect(tls.caPath).toBe(path.join(stateDir, 'tls', 'ca.pem'));
    const ca = new X509Certificate(tls.ca);
    const leaf = new X509Certificate(tls.cert);
    expect(ca.ca).toBe(true);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.checkHost('localhost')).toBe('localhost');
    for (const key of ['ca-key.pem', 'server-key.pem']) {
      expect(statSync(path.join(stateDir, 'tls', key)).mode & 0o777).toBe(0o600);
    }
  });

  it('reuses the stored material on later starts', async () => {
    const first = await loadOrCreateTls(stateDir);
    const second = await loadOrCreateTls(stateDir);
    expect(second).toEqual(first);
  });
});
