/** What npm start prints while it runs (local/activity-log.ts). */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { endedImageLine, functionErrorLine, isQuiet } from '../../local/activity-log.ts';

describe('Function: endedImageLine', () => {
  it('names the id, status, top three labels by confidence, ms from request to push, and the file', () => {
    const line = endedImageLine({
      id: 'img-1',
      status: 'LABELED',
      fileName: 'cat.jpg',
      createdAt: '2026-11-29T10:00:00.000Z',
      labeledAt: '2026-11-29T10:00:01.834Z',
      labels: [
        { name: 'Mammal', confidence: 90.2 },
        { name: 'Cat', confidence: 97.4 },
        { name: 'Pet', confidence: 60 },
        { name: 'Animal', confidence: 95 },
      ],
    });
    expect(line).toBe('labelled img-1  LABELED  Cat 97%, Animal 95%, Mammal 90%  1834 ms  cat.jpg');
  });

  it('gives a FAILED image its error', () => {
    const line = endedImageLine({ id: 'img-2', status: 'FAILED', error: 'InvalidImageFormatException: not an image', createdAt: '2026-11-29T10:00:00Z', labeledAt: '2026-11-29T10:00:00.5Z', labels: [] });
    expect(line).toBe('labelled img-2  FAILED   InvalidImageFormatException: not an image  500 ms');
  });
});

describe('Function: functionErrorLine', () => {
  it('names the function, the error, the attempt and the log file', () => {
    const report = { functionName: 'labeler', errorType: 'Error', errorMessage: 'boom\nmore', logFile: '/repo/.labelcast/logs/labeler.log', attempt: 1, willRetry: true } as const;
    expect(functionErrorLine(report, '/repo')).toBe(`labeler failed (attempt 1, retrying): Error: boom (see ${path.join('.labelcast', 'logs', 'labeler.log')})`);
    expect(functionErrorLine({ ...report, attempt: 1, willRetry: false }, '/repo')).toBe(`labeler failed: Error: boom (see ${path.join('.labelcast', 'logs', 'labeler.log')})`);
  });
});

describe('Function: isQuiet', () => {
  it.each([
    [['--quiet'], {}, true],
    [[], { npm_lifecycle_event: 'start', npm_config_loglevel: 'warn' }, true],
    [[], { npm_lifecycle_event: 'start', npm_config_loglevel: 'notice' }, false],
    [[], {}, false],
  ])('argv %j, env %j: %s', (argv, env, quiet) => {
    expect(isQuiet(argv, env)).toBe(quiet);
  });
});
