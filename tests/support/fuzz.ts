/**
 * The fuzz test's tools: a seeded random source (so a failing case is the
 * same case on every run), raw request bytes no HTTP client would send, and
 * a raw exchange over `net`/`tls` that reports the status line the server
 * answered (if any) and never waits past a bound.
 */
import net from 'node:net';
import tls from 'node:tls';

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)];

/** `length` random bytes, any value 0–255 (NUL, CR, LF and non-UTF-8 included). */
export const randomBytes = (random: () => number, length: number): Buffer => Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));

/** A port to throw requests at. */
export interface FuzzTarget {
  readonly name: string;
  readonly port: number;
  readonly tls: boolean;
  /** Paths the service serves, so cases also reach its handlers and not only its 404s. */
  readonly paths: readonly string[];
  /** Headers that get a request past the first checks (API key, content type, target). */
  readonly headers: Readonly<Record<string, string>>;
}

/** One request as raw bytes, sent in the given pieces; `halfClose` ends the client's side after the last piece. */
export interface FuzzCase {
  readonly name: string;
  readonly pieces: readonly Buffer[];
  readonly halfClose: boolean;
}

export interface Exchange {
  /** The status of the first response line; undefined when the server closed or stayed silent. */
  readonly status?: number;
  /** The first bytes of the answer, for a failure message. */
  readonly head: string;
}

/** Sends a case and reads until the server closes or `timeoutMs` passes (then the socket is destroyed). */
export function exchange(target: FuzzTarget, fuzzCase: FuzzCase, timeoutMs: number): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = target.tls
      ? tls.connect({ host: '127.0.0.1', port: target.port, rejectUnauthorized: false })
      : net.connect({ host: '127.0.0.1', port: target.port });
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const head = Buffer.concat(chunks).subarray(0, 300).toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      resolve({ status: match ? Number(match[1]) : undefined, head });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on(target.tls ? 'secureConnect' : 'connect', () => {
      for (const piece of fuzzCase.pieces) socket.write(piece);
      if (fuzzCase.halfClose) socket.end();
    });
    socket.on('data', (chunk: Buffer) => {
      if (size < 4096) chunks.push(chunk);
      size += chunk.length;
    });
    socket.on('error', () => undefined);
    socket.on('close', finish);
  });
}

const crlf = '\r\n';
const request = (head: string, body: Buffer | string = ''): Buffer => Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(crlf), typeof body === 'string' ? Buffer.from(body, 'latin1') : body]);
const headerLines = (headers: Readonly<Record<string, string>>) => Object.entries(headers).map(([name, value]) => `${name}: ${value}${crlf}`).join('');

/** JSON nested `depth` levels deep: `[[[…]]]` or `{"a":{"a":…}}`. */
export const deepJson = (depth: number, kind: 'array' | 'object'): string =>
  kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** A WebSocket upgrade request; `protocols` and `key` left out when undefined. */
function upgrade(target: FuzzTarget, path: string, extra: Record<string, string | undefined>): Buffer {
  const headers = Object.fromEntries(
    Object.entries({
      host: `127.0.0.1:${target.port}`,
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      ...extra,
    }).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return request(`GET ${path} HTTP/1.1${crlf}${headerLines(headers)}`);
}

/**
 * The fixed corpus for one target: malformed paths, headers, methods,
 * upgrades, bodies, JSON and content lengths, each a case found to crash,
 * stall or confuse a server somewhere.
 */
export function fixedCases(target: FuzzTarget, realtimePath: string | undefined): FuzzCase[] {
  const host = `127.0.0.1:${target.port}`;
  const base = { host, ...target.headers };
  const get = (path: string, headers: Record<string, string> = {}) =>
    request(`GET ${path} HTTP/1.1${crlf}${headerLines({ ...base, ...headers })}`);
  const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    request(`POST ${path} HTTP/1.1${crlf}${headerLines({ ...base, 'content-length': String(Buffer.byteLength(body)), ...headers })}`, body);
  const cases: FuzzCase[] = [];
  const add = (name: string, pieces: Buffer | Buffer[], halfClose = true) => cases.push({ name, pieces: Array.isArray(pieces) ? pieces : [pieces], halfClose });

  // Paths
  for (const path of ['/%ff', '//[', '/%', '/%zz', '/%00', '/..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd', '//evil.example/x', '/?%ff=%ff', '*', 'http://[/x', '/\u00ff\u00fe']) {
    add(`GET ${JSON.stringify(path)}`, get(path));
    add(`POST ${JSON.stringify(path)}`, post(path, '{}'));
  }
  for (const path of target.paths) {
    add(`GET ${path}%ff`, get(`${path}%ff`));
    add(`GET ${path}?%ff=%zz&&=&x`, get(`${path}?%ff=%zz&&=&x`));
  }
  add('a 12 KB path', get(`/${'a'.repeat(12 * 1024)}`));
  add('a 100 KB path', get(`/${'%ff'.repeat(34 * 1024)}`));
  add('NUL in the path', request(`GET /a\0b HTTP/1.1${crlf}host: ${host}${crlf}`));
  add('no path', request(`GET HTTP/1.1${crlf}host: ${host}${crlf}`));

  // Headers
  add('a 64 KB header', get('/', { 'x-big': 'a'.repeat(64 * 1024) }));
  add('2000 headers', request(`GET / HTTP/1.1${crlf}host: ${host}${crlf}${Array.from({ length: 2000 }, (_, i) => `x-h${i}: ${i}${crlf}`).join('')}`));
  add('a header without a colon', request(`GET / HTTP/1.1${crlf}host: ${host}${crlf}no colon here${crlf}`));
  add('a folded header', request(`GET / HTTP/1.1${crlf}host: ${host}${crlf}x-a: b${crlf} folded${crlf}`));
  add('a bad header name', request(`GET / HTTP/1.1${crlf}host: ${host}${crlf}x(a): b${crlf}`));
  add('NUL and bytes ≥ 0x80 in a header', request(`GET / HTTP/1.1${crlf}host: ${host}${crlf}x-a: \0\u00ff\u0080${crlf}`));
  add('two Host headers', request(`GET / HTTP/1.1${crlf}host: a${crlf}host: b${crlf}`));
  add('no Host header', request(`GET / HTTP/1.1${crlf}`));
  add('HTTP/1.0 and no host', request(`GET / HTTP/1.0${crlf}`));
  add('HTTP/9.9', request(`GET / HTTP/9.9${crlf}host: ${host}${crlf}`));
  add('a bare LF request', Buffer.from(`GET / HTTP/1.1\nhost: ${host}\n\n`));
  for (const path of target.paths) {
    for (const [name, value] of [
      ['authorization', 'AWS4-HMAC-SHA256 Credential=%ff/\0/x, SignedHeaders=, Signature='],
      ['authorization', `AWS4-HMAC-SHA256 ${'Credential=a,'.repeat(500)}`],
      ['authorization', 'Bearer a.b.c'],
      ['x-api-key', 'x'.repeat(8000)],
      ['x-amz-date', '99999999T999999Z'],
      ['x-amz-target', 'DynamoDB_20120810.__proto__'],
      ['x-amz-target', 'RekognitionService.constructor'],
      ['content-type', 'application/json; charset=utf-32'],
      ['x-amz-content-sha256', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD'],
    ] as const) {
      add(`POST ${path} with ${name}: ${value.slice(0, 30)}`, post(path, '{}', { [name]: value }));
    }
  }

  // Methods
  for (const method of ['FOO', 'get', 'CONNECT', 'TRACE', 'PROPFIND', 'M'.repeat(5000), 'GET\0']) {
    add(`method ${JSON.stringify(method.slice(0, 12))}`, request(`${method} ${target.paths[0] ?? '/'} HTTP/1.1${crlf}host: ${host}${crlf}`));
  }
  add('CONNECT authority', request(`CONNECT 127.0.0.1:1 HTTP/1.1${crlf}host: ${host}${crlf}`));

  // Upgrades, at every port (most have no upgrade listener) and at the realtime path
  for (const path of [realtimePath ?? '/', '//[', '/%ff', '//[/graphql/realtime']) {
    add(`upgrade ${path} without a key`, upgrade(target, path, {}));
    add(`upgrade ${path} with version 99`, upgrade(target, path, { 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '99' }));
  }
  if (realtimePath) {
    const key = 'dGhlIHNhbXBsZSBub25jZQ==';
    const headerProtocol = (json: string) => `graphql-ws, header-${Buffer.from(json).toString('base64url')}`;
    for (const [name, protocols] of [
      ['an empty protocol list', ',,,'],
      ['a bad protocol token', 'graphql-ws, a b, (c)'],
      ['a header- protocol that is not base64', 'graphql-ws, header-%%%'],
      ['a header- protocol that is not JSON', headerProtocol('{')],
      ['a header- protocol with deep JSON', headerProtocol(deepJson(3000, 'object'))],
      ['a header- protocol with a JSON array', headerProtocol('[1,2]')],
      ['a header- protocol with a huge API key', headerProtocol(JSON.stringify({ host, 'x-api-key': 'k'.repeat(6000) }))],
      ['a header- protocol with a forged JWT', headerProtocol(JSON.stringify({ host, Authorization: 'eyJhbGciOiJub25lIn0.e30.' }))],
    ] as const) {
      add(`upgrade with ${name}`, upgrade(target, realtimePath, { 'sec-websocket-key': key, 'sec-websocket-protocol': protocols }));
    }
    for (const query of ['?header=%ff&payload=%zz', '?header=e30&payload=////', `?header=${'A'.repeat(9000)}`, '?header=&header=e30=']) {
      add(`upgrade ${realtimePath}${query.slice(0, 30)}`, upgrade(target, `${realtimePath}${query}`, { 'sec-websocket-key': key, 'sec-websocket-protocol': 'graphql-ws' }));
    }
    add('upgrade with a bad key', upgrade(target, realtimePath, { 'sec-websocket-key': 'short', 'sec-websocket-protocol': 'graphql-ws' }));
    add('upgrade to h2c', upgrade(target, realtimePath, { upgrade: 'h2c', 'sec-websocket-key': key }));
    add('upgrade, then the client goes away', upgrade(target, realtimePath, { 'sec-websocket-key': key }), false);
    add('upgrade with a body', [upgrade(target, realtimePath, { 'sec-websocket-key': key, 'content-length': '5' }), Buffer.from('\x81\x85garbage')]);
  }

  // Bodies and content lengths
  for (const path of target.paths.length > 0 ? target.paths : ['/']) {
    const head = (headers: Record<string, string>) => request(`POST ${path} HTTP/1.1${crlf}${headerLines({ ...base, ...headers })}`).subarray(0, -2);
    add(`${path}: a truncated body`, [head({ 'content-length': '1000' }), Buffer.from(`${crlf}{"query":"{`)]);
    add(`${path}: a truncated body, connection left open`, [head({ 'content-length': '1000' }), Buffer.from(`${crlf}{"query":"{`)], false);
    add(`${path}: content-length -1`, post(path, '{}', { 'content-length': '-1' }));
    add(`${path}: content-length abc`, post(path, '{}', { 'content-length': 'abc' }));
    add(`${path}: content-length 1e20`, post(path, '{}', { 'content-length': '100000000000000000000' }));
    add(`${path}: two content-lengths`, [head({}), Buffer.from(`content-length: 2${crlf}content-length: 3${crlf}${crlf}{}`)]);
    add(`${path}: content-length and chunked`, [head({ 'content-length': '2', 'transfer-encoding': 'chunked' }), Buffer.from(`${crlf}{}`)]);
    add(`${path}: a bad chunk size`, [head({ 'transfer-encoding': 'chunked' }), Buffer.from(`${crlf}zz${crlf}{}${crlf}0${crlf}${crlf}`)]);
    add(`${path}: a huge chunk size`, [head({ 'transfer-encoding': 'chunked' }), Buffer.from(`${crlf}fffffffffffffffffff${crlf}{}`)]);
    add(`${path}: a truncated chunked body`, [head({ 'transfer-encoding': 'chunked' }), Buffer.from(`${crlf}10${crlf}{"a"`)]);
    add(`${path}: a 2 MB body`, post(path, `{"a":"${'x'.repeat(2 * 1024 * 1024)}"}`));
    add(`${path}: an empty body`, post(path, ''));
    add(`${path}: expect 100-continue, no body`, [head({ expect: '100-continue', 'content-length': '10' }), Buffer.from(crlf)]);
    for (const [name, body] of [
      ['invalid JSON', '{"query": '],
      ['a JSON string', '"query"'],
      ['JSON null', 'null'],
      ['JSON with __proto__', '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"query":"{__typename}"}'],
      ['a number out of range', '{"query":"{__typename}","variables":{"a":1e400},"Limit":1e400,"MaxLabels":-1e400}'],
      ['deep JSON arrays', deepJson(100_000, 'array')],
      ['deep JSON objects', deepJson(20_000, 'object')],
      ['deep variables', `{"query":"query Q($a: String) { __typename }","variables":${deepJson(20_000, 'object')}}`],
      ['deep DynamoDB attribute values', `{"TableName":"x","Item":{"k":${'{"M":{"k":'.repeat(5000)}{"S":"v"}${'}}'.repeat(5000)}}}`],
      ['a wrong-typed GraphQL body', '{"query":["{__typename}"],"variables":"x","operationName":{}}'],
      ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x71, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x22, 0x7d])],
    ] as const) {
      add(`${path}: ${name}`, post(path, body));
    }
  }
  return cases;
}

/** Random mutations of the fixed cases' raw bytes: flipped bytes, cuts, inserted junk, all from the seed. */
export function mutatedCases(random: () => number, from: readonly FuzzCase[], count: number): FuzzCase[] {
  return Array.from({ length: count }, (_, index) => {
    const source = pick(random, from);
    const bytes = Buffer.concat(source.pieces.map((piece) => piece.subarray(0, 64 * 1024)));
    const edits = 1 + Math.floor(random() * 8);
    let result = Buffer.from(bytes);
    for (let edit = 0; edit < edits; edit += 1) {
      const at = Math.floor(random() * result.length);
      const kind = Math.floor(random() * 3);
      if (kind === 0) result[at] = Math.floor(random() * 256);
      else if (kind === 1) result = result.subarray(0, at);
      else result = Buffer.concat([result.subarray(0, at), randomBytes(random, 1 + Math.floor(random() * 64)), result.subarray(at)]);
    }
    return { name: `mutation ${index} of ${source.name}`, pieces: [result], halfClose: random() < 0.8 };
  });
}
