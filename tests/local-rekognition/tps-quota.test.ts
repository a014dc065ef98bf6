/** The local Rekognition's per-operation TPS quota (local/rekognition/tps-quota.ts), on a clock the tests move. */
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/bundle.ts';
import { configFromEnv, LocalConfigError } from '../../local/config.ts';
import { TpsQuotaError } from '../../local/rekognition/errors.ts';
import { overQuotaError, TpsQuota, tpsQuotaFromEnv } from '../../local/rekognition/tps-quota.ts';

function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('Class: TpsQuota', () => {
  describe('Method: take', () => {
    it('admits one call a second at 1 TPS, per operation', () => {
      // Prepare
      const time = clock();
      const quota = new TpsQuota(1, time.now);

      // Act / Assess
      expect(quota.take('DetectLabels')).toBe(true);
      expect(quota.take('DetectLabels')).toBe(false);
      expect(quota.take('DetectModerationLabels')).toBe(true);
      time.advance(999);
      expect(quota.take('DetectLabels')).toBe(false);
      time.advance(1);
      expect(quota.take('DetectLabels')).toBe(true);
      expect(quota.throttled).toBe(2);
    });

    it('admits a call every two seconds at 0.5 TPS', () => {
      const time = clock();
      const quota = new TpsQuota(0.5, time.now);

      expect(quota.take('DetectLabels')).toBe(true);
      time.advance(1000);
      expect(quota.take('DetectLabels')).toBe(false);
      time.advance(1000);
      expect(quota.take('DetectLabels')).toBe(true);
    });

    it('admits a burst of at most the quota, then the quota per second', () => {
      // Prepare
      const time = clock();
      const quota = new TpsQuota(5, time.now);

      // Act
      const burst = Array.from({ length: 8 }, () => quota.take('DetectLabels')).filter(Boolean).length;
      time.advance(10_000);
      const afterIdle = Array.from({ length: 8 }, () => quota.take('DetectLabels')).filter(Boolean).length;
      time.advance(400);
      const afterFifth = Array.from({ length: 8 }, () => quota.take('DetectLabels')).filter(Boolean).length;

      // Assess
      expect(burst).toBe(5);
      expect(afterIdle).toBe(5);
      expect(afterFifth).toBe(2);
    });
  });

  it('refuses a quota that is no positive number', () => {
    for (const tps of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => new TpsQuota(tps)).toThrow(TpsQuotaError);
  });
});

describe('Function: overQuotaError', () => {
  it("is Rekognition's ThrottlingException, in its JSON 1.1 shape", () => {
    const error = overQuotaError();

    expect(error.code).toBe('ThrottlingException');
    expect(error.body('req-1')).toEqual({ __type: 'ThrottlingException', Message: 'Rate exceeded', Code: 'ThrottlingException', Logref: 'req-1' });
  });
});

describe('Function: tpsQuotaFromEnv', () => {
  it('reads a positive number, fractions allowed; nothing when unset or empty', () => {
    expect(tpsQuotaFromEnv('1')).toBe(1);
    expect(tpsQuotaFromEnv(' 0.25 ')).toBe(0.25);
    expect(tpsQuotaFromEnv(undefined)).toBeUndefined();
    expect(tpsQuotaFromEnv('')).toBeUndefined();
  });

  it('refuses anything else in one line naming the variable', () => {
    for (const value of ['0', '-2', 'fast', '1e999', 'NaN']) {
      expect(() => tpsQuotaFromEnv(value)).toThrow(TpsQuotaError);
      expect(() => tpsQuotaFromEnv(value)).toThrow(/^LABELCAST_REKOGNITION_TPS must be a positive number[^\n]*$/);
    }
  });
});

describe('LABELCAST_REKOGNITION_TPS at start', () => {
  it('is read into the stack config', () => {
    expect(configFromEnv({ LABELCAST_REKOGNITION_TPS: '0.5' }).rekognitionTps).toBe(0.5);
    expect(configFromEnv({}).rekognitionTps).toBeUndefined();
    expect(() => configFromEnv({ LABELCAST_REKOGNITION_TPS: 'fast' })).toThrow(LocalConfigError);
  });

  it('stops `npm start` with exit code 1 and one line naming the variable when it is no positive number', () => {
    // Act
    // What `npm start` runs (package.json), the stack's bundle launcher: no tsx transform of main.ts's imports.
    const run = spawnSync(process.execPath, ['local/start.js'], {
      cwd: repoRoot,
      env: { ...process.env, LABELCAST_REKOGNITION_TPS: '-3', LABELCAST_STATE_DIR: path.join(tmpdir(), 'labelcast-never-started') },
      encoding: 'utf8',
      timeout: 60_000,
    });

    // Assess
    expect(run.status).toBe(1);
    const lines = run.stderr.split('\n').filter((line) => line.trim() !== '' && !/NodeVersionSupportWarning|node >=22|upgrade to node|a\.co\/|trace-warnings|versions published|security updates/.test(line));
    expect(lines).toEqual(['labelcast cannot start: LABELCAST_REKOGNITION_TPS must be a positive number of calls per second per operation (fractions allowed, e.g. 0.5), got "-3"']);
  }, 90_000);
});
