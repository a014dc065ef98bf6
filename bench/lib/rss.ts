/** Resident memory of a process and all its descendants, from /proc. */
import { readdirSync, readFileSync } from 'node:fs';

function children(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

function rssBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function treeRssBytes(pid: number): number {
  return rssBytes(pid) + children(pid).reduce((sum, child) => sum + treeRssBytes(child), 0);
}

/**
 * Proportional set size: each page a process shares counted as its share. Summed over a tree, the node binary and
 * libraries that every function process maps (~53 MiB each) count once, where RSS counts them once a process.
 */
function pssBytes(pid: number): number {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function treePssBytes(pid: number): number {
  return pssBytes(pid) + children(pid).reduce((sum, child) => sum + treePssBytes(child), 0);
}

/** A process's name for a breakdown: the function name a function host runs, or the script's file name. */
function processName(pid: number): string {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const last = args[args.length - 1] ?? String(pid);
    return last.includes('/') ? (last.split('/').pop() ?? last) : last;
  } catch {
    return String(pid);
  }
}

/** RSS in MiB of a process and each descendant, by name (same-named processes summed). */
export function treeRssByProcessMiB(pid: number, into: Record<string, number> = {}): Record<string, number> {
  const name = processName(pid);
  into[name] = Math.round((into[name] ?? 0) + rssBytes(pid) / 1024 / 1024);
  for (const child of children(pid)) treeRssByProcessMiB(child, into);
  return into;
}
