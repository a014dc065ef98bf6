/** Types of ./esbuild-looked-up.js (plain JavaScript, so the launchers run without a loader). */

/**
 * What esbuild looked up besides `inputs` (absolute paths of the files it bundled): configuration files, present or
 * not, and the directories of our own inputs (their listings). Never one of `inputs`.
 */
export function lookedUpBy(inputs: readonly string[]): string[];
