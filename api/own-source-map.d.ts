/** Types of ./own-source-map.js (plain JavaScript: node runs it as a bundling hook's command, without a loader). */

/** A source map (version 3), as esbuild writes it. */
export interface SourceMap {
  readonly version: number;
  readonly file?: string;
  readonly sourceRoot?: string;
  readonly sources: readonly (string | null)[];
  readonly sourcesContent?: readonly (string | null)[];
  readonly names: readonly string[];
  readonly mappings: string;
  readonly ignoreList?: readonly number[];
}

/** Whether `file` (absolute) is one of the repo's own sources: inside `repoRoot`, not under a node_modules of it. */
export function isOwnSource(repoRoot: string, file: string): boolean;
/** `map`, lying at `mapFile`, with the mappings and names of the repo's own sources only; a dropped run of mappings leaves an unmapped segment. */
export function ownSourcesOnly(map: SourceMap, where: { readonly repoRoot: string; readonly mapFile: string }): SourceMap;
/** Rewrites each `*.map` file directly in `directory` with the repo's own sources only; returns the files rewritten. Throws for a map left with no source. */
export function keepOwnSourcesIn(repoRoot: string, directory: string): string[];
