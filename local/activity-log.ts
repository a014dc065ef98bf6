/**
 * What `npm start` prints while it runs, one line an event, so a developer
 * sees in the terminal what the functions do:
 *
 *   labelled 3f1c9a0e-…  LABELED  Cat 97%, Mammal 97%, Animal 97%  1834 ms  cat.jpg
 *
 * (labels strongest first, the specific before its parents on a tie, as the
 * CLI and the gallery order them: client-example/lib/label-order.ts)
 *   labelled 77b2e4d1-…  FAILED   InvalidImageFormatException: …  412 ms  notes.jpg
 *   labeler failed (attempt 1, retrying): Error: boom (see .labelcast/logs/labeler.log)
 *
 * `ms` is the image's createdAt to labeledAt: from requestUpload to the push.
 * `npm start -- --quiet` turns it off.
 */
import path from 'node:path';
// The order every client shows labels in; a pure module with no imports, so no client code comes with it.
import { strongestFirst, type OrderedLabel } from '../client-example/lib/label-order.ts';
import type { FunctionErrorReport } from './lambda/runtime.ts';

/** The fields of a publishImageLabeled payload this log reads; anything may be missing. */
interface EndedImage {
  readonly id?: string;
  readonly status?: string;
  readonly fileName?: string | null;
  readonly error?: string | null;
  readonly createdAt?: string;
  readonly labeledAt?: string | null;
  readonly labels?: readonly OrderedLabel[];
}

/** How many labels a line names. */
const topLabelCount = 3;

export function endedImageLine(payload: unknown): string {
  const image = (payload ?? {}) as EndedImage;
  const ms = image.createdAt && image.labeledAt ? Date.parse(image.labeledAt) - Date.parse(image.createdAt) : NaN;
  const labels = strongestFirst(image.labels ?? [])
    .slice(0, topLabelCount)
    .map((label) => `${label.name} ${Math.round(label.confidence)}%`);
  const what = image.status === 'FAILED' ? (image.error ?? 'no reason given') : labels.length ? labels.join(', ') : 'no labels';
  return [
    `labelled ${image.id ?? '?'}`,
    (image.status ?? '?').padEnd(7),
    what,
    Number.isFinite(ms) ? `${ms} ms` : undefined,
    image.fileName ?? undefined,
  ]
    .filter((part) => part !== undefined)
    .join('  ');
}

export function functionErrorLine(report: FunctionErrorReport, cwd = process.cwd()): string {
  const attempts = report.willRetry || report.attempt > 1 ? ` (attempt ${report.attempt}${report.willRetry ? ', retrying' : ', giving up'})` : '';
  const logFile = path.relative(cwd, report.logFile) || report.logFile;
  return `${report.functionName} failed${attempts}: ${report.errorType}: ${report.errorMessage.split('\n')[0]} (see ${logFile})`;
}

/**
 * `npm start --quiet` reaches us as npm's own loglevel (npm takes `--quiet`
 * for itself without `--`); `npm start -- --quiet` and `node local/start.js --quiet` as an argument.
 */
export function isQuiet(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): boolean {
  if (argv.includes('--quiet') || argv.includes('-q')) return true;
  return env.npm_lifecycle_event === 'start' && ['warn', 'error', 'silent'].includes(env.npm_config_loglevel ?? '');
}
