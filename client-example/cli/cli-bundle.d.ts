/** Types of ./cli-bundle.js (plain JavaScript, so the launcher runs without a loader). */
export function freshCliBundle(repoRoot: string, entry: string): Promise<string | undefined>;
