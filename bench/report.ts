/** Prints the bench table and writes bench/results/latest.json. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../api/bundle.ts';

export interface Row {
  readonly measure: string;
  readonly value: string;
  readonly target: string;
  readonly pass: boolean;
}

export function printTable(rows: readonly Row[]): void {
  const header = { measure: 'measure', value: 'measured', target: 'target', pass: 'ok' };
  const widths = {
    measure: Math.max(header.measure.length, ...rows.map((row) => row.measure.length)),
    value: Math.max(header.value.length, ...rows.map((row) => row.value.length)),
    target: Math.max(header.target.length, ...rows.map((row) => row.target.length)),
  };
  const line = (measure: string, value: string, target: string, pass: string) =>
    `| ${measure.padEnd(widths.measure)} | ${value.padEnd(widths.value)} | ${target.padEnd(widths.target)} | ${pass.padEnd(4)} |`;
  console.log(line(header.measure, header.value, header.target, header.pass));
  console.log(`|${'-'.repeat(widths.measure + 2)}|${'-'.repeat(widths.value + 2)}|${'-'.repeat(widths.target + 2)}|------|`);
  for (const row of rows) console.log(line(row.measure, row.value, row.target, row.pass ? 'yes' : 'NO'));
}

export function writeResults(results: unknown): string {
  const dir = path.join(repoRoot, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'latest.json');
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
