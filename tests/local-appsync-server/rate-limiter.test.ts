/** The offline WAF rate-based rule's counter (local/appsync/server/rate-limit.ts): exact to the second, bounded. */
import { describe, expect, it } from 'vitest';
import { ApiRateLimitSetting } from '../../api/rate-limit.ts';
import { defaultLabelingQuotas } from '../../api/labeling-queue.ts';
import { createRateLimiter } from '../../local/appsync/server/rate-limit.ts';

const signed = 'AWS4-HMAC-SHA256 Credential=LKIA/20261201/us-east-1/appsync/aws4_request, SignedHeaders=host, Signature=00';
/** A POST with these headers, as the limiter reads a request. */
const post = (headers: Record<string, string>) => ({ method: 'POST', header: (name: string) => headers[name] });
const unsigned = post({});

function clock(startMs = 1_780_000_000_000) {
  let now = startMs;
  return { now: () => now, advance: (seconds: number) => (now += seconds * 1000) };
}

describe('Function: createRateLimiter', () => {
  it('admits `limit` requests of an address in the window and refuses the next, and the ones after', () => {
    const time = clock();
    const limiter = createRateLimiter({ limit: 10, windowSeconds: 60 }, { now: time.now });
    const answers = Array.from({ length: 12 }, () => limiter.admit('192.0.2.1', unsigned));
    expect(answers).toEqual([...Array<boolean>(10).fill(true), false, false]);
  });

  it('counts each address apart', () => {
    const limiter = createRateLimiter({ limit: 10, windowSeconds: 60 }, { now: clock().now });
    for (let i = 0; i < 10; i++) limiter.admit('192.0.2.1', unsigned);
    expect(limiter.admit('192.0.2.1', unsigned)).toBe(false);
    expect(limiter.admit('192.0.2.2', unsigned)).toBe(true);
  });

  it('neither counts nor blocks a SigV4-signed request', () => {
    const limiter = createRateLimiter({ limit: 10, windowSeconds: 60 }, { now: clock().now });
    for (let i = 0; i < 50; i++) expect(limiter.admit('192.0.2.1', post({ authorization: signed }))).toBe(true);
    for (let i = 0; i < 10; i++) expect(limiter.admit('192.0.2.1', post({ authorization: 'api-key' }))).toBe(true);
    expect(limiter.admit('192.0.2.1', unsigned)).toBe(false);
    expect(limiter.admit('192.0.2.1', post({ authorization: signed }))).toBe(true);
  });

  it('lets a request leave the count once the window has passed since its second, blocked requests included', () => {
    const time = clock();
    const limiter = createRateLimiter({ limit: 10, windowSeconds: 60 }, { now: time.now });
    for (let i = 0; i < 5; i++) limiter.admit('192.0.2.1', unsigned);
    time.advance(30);
    for (let i = 0; i < 5; i++) limiter.admit('192.0.2.1', unsigned);
    // 10 in the last 60 s: the 11th is refused, and counts too.
    expect(limiter.admit('192.0.2.1', unsigned)).toBe(false);
    time.advance(29);
    expect(limiter.admit('192.0.2.1', unsigned)).toBe(false);
    // 60 s after the first five: they leave; 5 + 2 refused + this one = 8.
    time.advance(1);
    expect(limiter.admit('192.0.2.1', unsigned)).toBe(true);
    expect(limiter.admit('192.0.2.1', unsigned)).toBe(true);
    expect(limiter.admit('192.0.2.1', unsigned)).toBe(true);
    expect(limiter.admit('192.0.2.1', unsigned)).toBe(false);
    // Long after, nothing is left of any of it.
    time.advance(3600);
    expect(Array.from({ length: 10 }, () => limiter.admit('192.0.2.1', unsigned)).every(Boolean)).toBe(true);
  });

  it('holds at most its bound of addresses, evicting the one seen least recently, within its byte budget', () => {
    const limiter = createRateLimiter({ limit: 10, windowSeconds: 600 }, { now: clock().now, budgetBytes: 64 * 1024 });
    // 600 one-second counters of 4 bytes and the overhead: 24 addresses in 64 KiB.
    expect(limiter.maxAddresses).toBe(24);
    for (let i = 0; i < 11; i++) limiter.admit('198.51.100.1', unsigned);
    for (let n = 0; n < 1000; n++) {
      limiter.admit(`203.0.113.${n % 250}.${n}`, unsigned);
      // The blocked address keeps sending: it stays the most recent, and blocked.
      expect(limiter.admit('198.51.100.1', unsigned)).toBe(false);
    }
    expect(limiter.trackedAddresses).toBe(24);
  });

  it('never evicts a blocked address to make room: rotating new addresses does not unblock it', () => {
    // Arrange: room for 3 addresses (60 one-second counters of 4 bytes and the overhead each), one of them blocked.
    const time = clock();
    const limiter = createRateLimiter({ limit: 10, windowSeconds: 60 }, { now: time.now, budgetBytes: 3 * (60 * 4 + 256) });
    expect(limiter.maxAddresses).toBe(3);
    for (let i = 0; i < 11; i++) limiter.admit('198.51.100.1', unsigned);

    // Act: 100 other addresses, one request each, while the blocked one sends nothing.
    for (let n = 0; n < 100; n++) limiter.admit(`127.0.${n}.1`, unsigned);

    // Assess
    expect(limiter.trackedAddresses).toBe(3);
    expect(limiter.admit('198.51.100.1', unsigned)).toBe(false);
  });

  it('counts new addresses together, as one, while every address it holds is over the limit, and tracks them once one has fallen back', () => {
    // Arrange: room for 3 addresses, all 3 blocked.
    const time = clock();
    const limiter = createRateLimiter({ limit: 10, windowSeconds: 60 }, { now: time.now, budgetBytes: 3 * (60 * 4 + 256) });
    for (const address of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) for (let i = 0; i < 11; i++) limiter.admit(address, unsigned);

    // Act: two new addresses send more than the limit between them; the blocked ones are asked again.
    const untracked = Array.from({ length: 20 }, (_, i) => limiter.admit(i % 2 === 0 ? '203.0.113.9' : '203.0.113.10', unsigned));
    const blocked = ['198.51.100.1', '198.51.100.2', '198.51.100.3'].map((address) => limiter.admit(address, unsigned));

    // Assess: bounded, the blocked stay blocked, the new ones share one allowance.
    expect(untracked).toEqual([...Array<boolean>(10).fill(true), ...Array<boolean>(10).fill(false)]);
    expect(blocked).toEqual([false, false, false]);
    expect(limiter.trackedAddresses).toBe(3);

    // Act: a window later the least recently seen blocked address has fallen back under the limit and makes room.
    time.advance(60);
    const tracked = Array.from({ length: 11 }, () => limiter.admit('203.0.113.9', unsigned));

    // Assess
    expect(tracked).toEqual([...Array<boolean>(10).fill(true), false]);
    expect(limiter.trackedAddresses).toBe(3);
  });

  it('never holds more than WAF\'s 10,000 addresses, however large the budget', () => {
    expect(createRateLimiter({ limit: 10, windowSeconds: 60 }, { budgetBytes: 1024 ** 3 }).maxAddresses).toBe(10_000);
  });

  it('lets one gallery user drop 500 photos under the default rule while two more tabs at the address follow the labeler', () => {
    // Arrange: the requests of api/rate-limit.ts's count, all within one window: the drop (a requestUpload per photo,
    // a re-read per photo still pending at one reconnect, 50 page reads and searches) and two more tabs each re-reading
    // every photo the labeler labels at cdk.json's Rekognition quota (5 a second, 1,500 in 5 minutes).
    const labelledInWindow = defaultLabelingQuotas.rekognitionTps * ApiRateLimitSetting.defaults.windowSeconds;
    const time = clock();
    const limiter = createRateLimiter(ApiRateLimitSetting.defaults, { now: time.now });
    const requests = 500 + 500 + 50 + 2 * labelledInWindow;

    // Act
    let refused = 0;
    for (let i = 0; i < requests; i++) {
      if (!limiter.admit('192.0.2.1', unsigned)) refused += 1;
      if (i % 20 === 0) time.advance(1);
    }

    // Assess
    expect(refused).toBe(0);
  });
});
