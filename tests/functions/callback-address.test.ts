/**
 * The callback address policy (functions/shared/callback-address.ts): which
 * literal addresses a callback may reach, and which URLs resolve to one.
 */
import { describe, expect, it } from 'vitest';
import { checkAddress, resolveTarget } from '../../functions/shared/callback-address.ts';
import { CallbackRefusedError } from '../../functions/shared/callback-errors.ts';

describe('Function: checkAddress', () => {
  it.each([
    '10.0.0.1',
    '10.255.255.255',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '127.0.0.1',
    '127.8.9.10',
    '169.254.169.254',
    '0.0.0.0',
    '100.64.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '0:0:0:0:0:0:0:1',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'fe80::1%eth0',
    'febf::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    '::ffff:10.0.0.1',
    '::127.0.0.1',
    '64:ff9b::10.0.0.1',
    'not-an-ip',
    '',
  ])('refuses %s', (address) => {
    expect(checkAddress(address).allowed).toBe(false);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '172.15.255.255', '192.169.0.1', '2606:4700::1111', '::ffff:8.8.8.8', 'fec0::1'])(
    'allows the public address %s',
    (address) => {
      expect(checkAddress(address)).toEqual({ allowed: true, loopback: false });
    },
  );

  it('allows loopback, and only loopback, when told', () => {
    expect(checkAddress('127.0.0.1', true)).toEqual({ allowed: true, loopback: true });
    expect(checkAddress('::1', true)).toEqual({ allowed: true, loopback: true });
    expect(checkAddress('::ffff:127.0.0.1', true)).toEqual({ allowed: true, loopback: true });
    expect(checkAddress('10.0.0.1', true).allowed).toBe(false);
    expect(checkAddress('169.254.169.254', true).allowed).toBe(false);
  });
});

describe('Function: resolveTarget', () => {
  it.each([
    ['https://127.0.0.1/hook', /127\.0\.0\.1/],
    ['https://[::1]/hook', /::1/],
    ['https://169.254.169.254/latest/meta-data', /169\.254/],
    ['https://[::ffff:7f00:1]/', /::ffff/],
    ['https://localhost/hook', /localhost resolves to/],
    ['https://user:pass@example.com/', /credentials/],
    ['ftp://example.com/', /scheme/],
    ['http://93.184.216.34/hook', /https/],
  ])('refuses %s', async (url, reason) => {
    await expect(resolveTarget(url, false)).rejects.toThrow(reason);
  });

  it('pins a public literal address, and takes plain http to loopback only when allowed', async () => {
    await expect(resolveTarget('https://93.184.216.34:8443/x', false)).resolves.toMatchObject({ address: '93.184.216.34', family: 4 });
    await expect(resolveTarget('http://127.0.0.1:9/x', true)).resolves.toMatchObject({ address: '127.0.0.1', family: 4 });
    await expect(resolveTarget('http://10.0.0.1/x', true)).rejects.toThrow(/10\.0\.0\.1/);
  });

  it('refuses with a CallbackRefusedError, which is not retried', async () => {
    const error = await resolveTarget('https://10.0.0.1/hook', false).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(CallbackRefusedError);
    expect((error as CallbackRefusedError).retryable).toBe(false);
  });
});
