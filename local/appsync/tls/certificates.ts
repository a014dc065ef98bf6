/**
 * The local AppSync's TLS material: a CA made once per state directory and a
 * server certificate for 127.0.0.1 and localhost signed by it. Clients trust
 * the CA (NODE_EXTRA_CA_CERTS=<stateDir>/tls/ca.pem), never the leaf, so the
 * leaf can be renewed without touching clients.
 *
 * `selfsigned` (with @peculiar/x509 and its ASN.1 stack, about 0.2 s of CPU to load) is imported only when a
 * certificate is made: a start on a state dir that already holds usable ones, as most do, never loads it.
 */
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface TlsMaterial {
  /** Where the CA certificate (PEM) is, for clients to trust. */
  readonly caPath: string;
  readonly ca: string;
  /** Server certificate chain (leaf then CA) and its key, PEM. */
  readonly cert: string;
  readonly key: string;
}

/** Names the server certificate covers. */
export const serverNames = { dns: ['localhost'], ips: ['127.0.0.1', '::1'] } as const;

const DAY_MS = 24 * 60 * 60 * 1000;
/** Browsers reject leaves valid longer than 398 days. */
const serverValidityDays = 397;
const caValidityDays = 10 * 365;
/** Renew the leaf this long before it expires. */
const renewBeforeDays = 30;

const files = (stateDir: string) => {
  const dir = path.join(stateDir, 'tls');
  return {
    dir,
    ca: path.join(dir, 'ca.pem'),
    caKey: path.join(dir, 'ca-key.pem'),
    cert: path.join(dir, 'server.pem'),
    key: path.join(dir, 'server-key.pem'),
  };
};

const writePrivate = (file: string, pem: string) => {
  writeFileSync(file, pem, { mode: 0o600 });
  chmodSync(file, 0o600); // writeFileSync keeps an existing file's mode
};

async function createCa(): Promise<{ cert: string; key: string }> {
  const { generate } = await import('selfsigned');
  const notBeforeDate = new Date(Date.now() - DAY_MS);
  const pems = await generate([{ name: 'commonName', value: 'labelcast local CA' }, { name: 'organizationName', value: 'labelcast' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + caValidityDays * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

async function createServerCertificate(ca: { cert: string; key: string }): Promise<{ cert: string; key: string }> {
  const { generate } = await import('selfsigned');
  const notBeforeDate = new Date(Date.now() - DAY_MS);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + serverValidityDays * DAY_MS),
    ca,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...serverNames.dns.map((value) => ({ type: 2 as const, value })),
          ...serverNames.ips.map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** Whether a stored leaf is still good: signed by this CA, covers our names, not near expiry. */
function serverCertificateUsable(certPem: string, caPem: string): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
    if (new Date(cert.validTo).getTime() - Date.now() < renewBeforeDays * DAY_MS) return false;
    return serverNames.dns.every((name) => cert.checkHost(name) !== undefined) && serverNames.ips.every((ip) => cert.checkIP(ip) !== undefined);
  } catch {
    return false;
  }
}

function caUsable(caPem: string): boolean {
  try {
    const ca = new X509Certificate(caPem);
    return ca.ca && new Date(ca.validTo).getTime() - Date.now() > renewBeforeDays * DAY_MS;
  } catch {
    return false;
  }
}

/**
 * Loads the CA and server certificate from `<stateDir>/tls/`, creating what
 * is missing or no longer usable. Keys are written with mode 0600.
 */
export async function loadOrCreateTls(stateDir: string): Promise<TlsMaterial> {
  const paths = files(stateDir);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });

  let ca: { cert: string; key: string } | undefined;
  if (existsSync(paths.ca) && existsSync(paths.caKey)) {
    const stored = { cert: readFileSync(paths.ca, 'utf8'), key: readFileSync(paths.caKey, 'utf8') };
    if (caUsable(stored.cert)) ca = stored;
  }
  let caCreated = false;
  if (!ca) {
    ca = await createCa();
    writePrivate(paths.caKey, ca.key);
    writeFileSync(paths.ca, ca.cert);
    caCreated = true;
  }

  let server: { cert: string; key: string } | undefined;
  if (!caCreated && existsSync(paths.cert) && existsSync(paths.key)) {
    const stored = { cert: readFileSync(paths.cert, 'utf8'), key: readFileSync(paths.key, 'utf8') };
    if (serverCertificateUsable(stored.cert, ca.cert)) server = stored;
  }
  if (!server) {
    server = await createServerCertificate(ca);
    writePrivate(paths.key, server.key);
    writeFileSync(paths.cert, server.cert);
  }

  return { caPath: paths.ca, ca: ca.cert, cert: `${server.cert.trim()}\n${ca.cert.trim()}\n`, key: server.key };
}
