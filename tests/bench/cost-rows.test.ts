/**
 * npm run bench's write-units row (bench/measures/cost.ts): issue 14's 40 WCU is held to every bench photo, not the
 * mean alone, and the row names the largest photo beside the mean; WAF's share in the money rows.
 */
import { describe, expect, it } from 'vitest';
import { costRows, type CostPerImage, type PhotoWrites } from '../../bench/measures/cost.ts';

const photo = (source: string, writeUnits: number, names: number): PhotoWrites => ({
  source,
  imageId: `${source}-${writeUnits}`,
  labels: names,
  names,
  entries: names * 2,
  writeUnits,
  writeUnitsByTarget: { 'labelcast-images': writeUnits - 3, byOwner: 1, byStatus: 2 },
});

/** A measure of these photos; all but the write units are placeholders. */
function costOf(photos: PhotoWrites[], unattributedWriteUnits = 0): CostPerImage {
  const mean = photos.reduce((total, { writeUnits }) => total + writeUnits, 0) / photos.length;
  return {
    images: photos.length,
    writeUnits: mean,
    writeUnitsByTarget: { 'labelcast-images': mean - 3, byOwner: 1, byStatus: 2 },
    photos,
    unattributedWriteUnits,
    readUnits: 2,
    storedBytes: 3000,
    s3Requests: { PUT: 3 },
    appSyncRequests: 2,
    realtimeMessages: 1,
    lambdaGbSeconds: 0.3,
    lambdaInvocations: 2,
    rekognitionCalls: 2,
    dollarsPerThousand: { rekognition: 2, dynamoDb: 0.01, s3: 0.01, appSync: 0.01, waf: 0.002, lambda: 0.01, rest: 0.042 },
  };
}

const writeRow = (cost: CostPerImage) => costRows(cost, '2026-11-29')[0]!;

describe('Function: costRows, the write units row', () => {
  it('fails when one photo writes more than 40 WCU though the mean is under it, naming that photo', () => {
    // Act
    const row = writeRow(costOf([photo('astronaut.jpg', 41, 7), photo('rocket.jpg', 7, 0)]));

    // Assess
    expect(row.pass).toBe(false);
    expect(row.value).toMatch(/^max 41 WCU \(astronaut\.jpg, photo 1: 7 names, 14 entries\); mean 24\.0 WCU/);
    expect(row.target).toBe('each <= 40 WCU');
  });

  it('passes when every photo writes at most 40 WCU', () => {
    expect(writeRow(costOf([photo('cat.jpg', 24, 5), photo('coffee.jpg', 40, 7)])).pass).toBe(true);
  });

  it('fails, and says so, when some units of the run are no photo’s', () => {
    // Act
    const row = writeRow(costOf([photo('cat.jpg', 24, 5)], 3));

    // Assess
    expect(row.pass).toBe(false);
    expect(row.value).toContain("3.0 WCU of the run no photo's");
  });
});

describe('Function: costRows, the money rows', () => {
  it('counts WAF\'s requests in all else, and its web ACL and rule as a fixed monthly cost', () => {
    // Act
    const rows = costRows(costOf([photo('cat.jpg', 24, 5)]), '2026-11-29');

    // Assess
    expect(rows.find((row) => row.measure.startsWith('$ per 1,000 images: all else'))?.value).toBe(
      '$0.0420 = 2.1% (DDB $0.0100, S3 $0.0100, AppSync $0.0100, WAF $0.0020, Lambda $0.0100)',
    );
    expect(rows.find((row) => row.measure.startsWith('$ a month whatever the traffic: WAF'))?.value).toBe('$6.00');
  });
});
