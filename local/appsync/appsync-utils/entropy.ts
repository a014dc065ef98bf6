/**
 * Random bytes for util.autoId/autoUlid/autoKsuid. The resolver sandbox's vm
 * context has no `crypto`, so the sandbox installs a source backed by the
 * host's CSPRNG that hands over only a hex string (a primitive: no host object
 * ever reaches resolver code). Outside the sandbox (unit tests), Web Crypto.
 */

type HexSource = (byteCount: number) => string;

let installed: HexSource | undefined;

/** Called once by the sandbox bootstrap, before any resolver code runs. */
export function installEntropySource(source: HexSource): void {
  installed = source;
}

export function randomBytes(byteCount: number): number[] {
  if (!installed) return [...globalThis.crypto.getRandomValues(new Uint8Array(byteCount))];
  const hex = installed(byteCount);
  const bytes: number[] = [];
  for (let i = 0; i < byteCount * 2; i += 2) bytes.push(parseInt(hex.slice(i, i + 2), 16));
  return bytes;
}
