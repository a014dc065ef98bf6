/**
 * A one-line progress bar on stderr, redrawn in place; only on a terminal,
 * so piped or --json output stays clean.
 */
import { printLine, terminalSafe } from './terminal.ts';

export interface Progress {
  update(done: number, note?: string): void;
  /** Prints a line above the bar. */
  log(line: string): void;
  finish(): void;
}

const width = 28;

export function progressBar(total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update: () => undefined, log: (line) => printLine(line), finish: () => undefined };
  let last = '';
  const draw = () => stream.write(`\r\x1b[2K${last}`);
  return {
    update(done, note = '') {
      const filled = total === 0 ? width : Math.round((done / total) * width);
      last = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}${note ? `  ${terminalSafe(note)}` : ''}`;
      draw();
    },
    log(line) {
      stream.write('\r\x1b[2K');
      printLine(line);
      draw();
    },
    finish() {
      stream.write('\r\x1b[2K');
    },
  };
}
