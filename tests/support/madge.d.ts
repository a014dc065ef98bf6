/** The part of madge's API (it ships no types) that tests/source/import-cycles.test.ts uses. */
declare module 'madge' {
  interface MadgeConfig {
    readonly baseDir?: string;
    readonly fileExtensions?: readonly string[];
    readonly tsConfig?: string;
    readonly excludeRegExp?: readonly RegExp[];
  }
  interface MadgeResult {
    /** Each module and the modules it imports, by path relative to baseDir. */
    obj(): Record<string, string[]>;
    /** Each cycle as the modules along it. */
    circular(): string[][];
    warnings(): { skipped: string[] };
  }
  export default function madge(paths: string | readonly string[], config?: MadgeConfig): Promise<MadgeResult>;
}
