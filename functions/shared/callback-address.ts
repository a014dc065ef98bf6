/**
 * Where a completion callback may connect (SSRF guard): the callbackUrl's
 * host is resolved once, every address is checked against private,
 * loopback, link-local and other non-public ranges (IPv4-mapped, -compatible
 * and NAT64 IPv6 included), and the connection is pinned to the checked
 * address, so a DNS answer that changes between check and connect cannot
 * redirect it. Loopback (and plain http to it) is allowed only when the
 * environment says so, which only the offline stack does.
 */
import { lookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { CallbackDeadlineError, CallbackRefusedError } from './callback-errors.ts';

/** IPv4 dotted quad → its 4 bytes, or undefined. */
function ipv4Bytes(address: string): number[] | undefined {
  if (isIP(address) !== 4) return undefined;
  return address.split('.').map(Number);
}

/** Any IPv6 text form (`::`, embedded IPv4, zone id) → its 16 bytes, or undefined. */
function ipv6Bytes(address: string): number[] | undefined {
  let text = address.split('%')[0] ?? '';
  if (isIP(text) !== 6) return undefined;
  // An embedded dotted quad (::ffff:127.0.0.1) becomes its two hex groups.
  const lastColon = text.lastIndexOf(':');
  const embedded = ipv4Bytes(text.slice(lastColon + 1));
  if (embedded) {
    const [a = 0, b = 0, c = 0, d = 0] = embedded;
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const groupsOf = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const headGroups = groupsOf(head);
  const tailGroups = tail === undefined ? [] : groupsOf(tail);
  const zeros = new Array<number>(8 - headGroups.length - tailGroups.length).fill(0);
  return [...headGroups, ...zeros, ...tailGroups].flatMap((group) => [group >> 8, group & 0xff]);
}

const inPrefix = (bytes: readonly number[], prefix: readonly number[], bits: number) => {
  for (let bit = 0; bit < bits; bit += 1) {
    const byte = Math.floor(bit / 8);
    const mask = 0x80 >> bit % 8;
    if (((bytes[byte] ?? 0) & mask) !== ((prefix[byte] ?? 0) & mask)) return false;
  }
  return true;
};

/** IPv4 ranges no callback may reach: RFC 1918, loopback, link-local, "this network", CGNAT, multicast, reserved. */
const forbiddenV4: readonly (readonly [readonly number[], number])[] = [
  [[0, 0, 0, 0], 8],
  [[10, 0, 0, 0], 8],
  [[100, 64, 0, 0], 10],
  [[127, 0, 0, 0], 8],
  [[169, 254, 0, 0], 16],
  [[172, 16, 0, 0], 12],
  [[192, 0, 0, 0], 24],
  [[192, 168, 0, 0], 16],
  [[198, 18, 0, 0], 15],
  [[224, 0, 0, 0], 4],
  [[240, 0, 0, 0], 4],
];

/** IPv6 ranges: unspecified, loopback, unique local fc00::/7, link-local fe80::/10, multicast ff00::/8. */
const forbiddenV6: readonly (readonly [readonly number[], number])[] = [
  [new Array<number>(16).fill(0), 128],
  [[...new Array<number>(15).fill(0), 1], 128],
  [[0xfc], 7],
  [[0xfe, 0x80], 10],
  [[0xff], 8],
];

/** The IPv4 address an IPv6 one stands for: IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96). */
function embeddedV4(bytes: readonly number[]): number[] | undefined {
  const head = bytes.slice(0, 12);
  const zeros10 = head.slice(0, 10).every((byte) => byte === 0);
  if (zeros10 && head[10] === 0xff && head[11] === 0xff) return bytes.slice(12);
  if (head.every((byte) => byte === 0) && !(bytes[12] === 0 && bytes[13] === 0 && bytes[14] === 0)) return bytes.slice(12);
  if (inPrefix(bytes, [0, 0x64, 0xff, 0x9b], 32) && head.slice(4).every((byte) => byte === 0)) return bytes.slice(12);
  return undefined;
}

const isLoopbackBytes = (v4: readonly number[] | undefined, v6: readonly number[] | undefined) =>
  (v4 !== undefined && v4[0] === 127) || (v6 !== undefined && inPrefix(v6, [...new Array<number>(15).fill(0), 1], 128));

export interface AddressVerdict {
  readonly allowed: boolean;
  readonly loopback: boolean;
}

/**
 * Whether a callback may connect to this literal address. Anything that is
 * not a well-formed public address is refused; loopback only with `allowLoopback`.
 */
export function checkAddress(address: string, allowLoopback = false): AddressVerdict {
  const v6 = ipv6Bytes(address);
  const v4 = ipv4Bytes(address) ?? (v6 ? embeddedV4(v6) : undefined);
  if (!v4 && !v6) return { allowed: false, loopback: false };
  const loopback = isLoopbackBytes(v4, v6);
  if (loopback) return { allowed: allowLoopback, loopback };
  if (v4) return { allowed: !forbiddenV4.some(([prefix, bits]) => inPrefix(v4, prefix, bits)), loopback };
  return { allowed: !forbiddenV6.some(([prefix, bits]) => inPrefix(v6 ?? [], prefix, bits)), loopback };
}

export interface ResolvedTarget {
  readonly url: URL;
  readonly address: string;
  readonly family: 4 | 6;
}

/** Settles with `work`, or rejects with CallbackDeadlineError once `deadlineMs` has passed (a DNS lookup cannot be aborted, only stopped waiting for). */
function withinDeadline<T>(work: Promise<T>, deadlineMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new CallbackDeadlineError(deadlineMs)), deadlineMs);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Resolves the URL's host (within `lookupDeadlineMs`) and checks every
 * address it has; the first is the one to connect to. Rejects with
 * CallbackRefusedError when the URL or any address is not allowed.
 */
export async function resolveTarget(rawUrl: string, allowLoopback: boolean, lookupDeadlineMs = 5000): Promise<ResolvedTarget> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new CallbackRefusedError('callbackUrl is not a URL');
  }
  if (url.username !== '' || url.password !== '') throw new CallbackRefusedError('callbackUrl must not carry credentials');
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new CallbackRefusedError(`scheme ${url.protocol} is not allowed`);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) as 4 | 6 }] : await withinDeadline(lookup(host, { all: true, verbatim: true }), lookupDeadlineMs);
  if (addresses.length === 0) throw new CallbackRefusedError(`${host} has no address`);
  const verdicts = addresses.map(({ address }) => ({ address, ...checkAddress(address, allowLoopback) }));
  const refused = verdicts.find((verdict) => !verdict.allowed);
  // Any non-public address refuses the host: a round-robin answer must not smuggle one in.
  if (refused) throw new CallbackRefusedError(`${host} resolves to ${refused.address}, which callbacks may not reach`);
  if (url.protocol === 'http:' && !verdicts.every((verdict) => verdict.loopback)) {
    throw new CallbackRefusedError('callbacks use https; plain http only to an allowed loopback address');
  }
  const [first] = addresses;
  return { url, address: first!.address, family: first!.family as 4 | 6 };
}

/** A lookup that always answers the checked address: the socket connects where the check looked. */
export const pinnedLookup =
  (address: string, family: 4 | 6): LookupFunction =>
  (_hostname, options, callback) => {
    if (options.all) (callback as (error: null, addresses: { address: string; family: number }[]) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
