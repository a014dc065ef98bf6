/**
 * A deployed function's asset, as `cdk synth` bundles it (infra/manifest-function.ts): its source map holds our own
 * sources only (the afterBundling hook, api/own-source-map.js), and an error in our code run from the asset with
 * --enable-source-maps, as the function's NODE_OPTIONS ask, still names our .ts files. One small function
 * (presignUpload: no native module to install) is bundled, with esbuild called without npx (esbuild-without-npx.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib/core';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/bundle.ts';
import { lambdaFunctions } from '../../api/manifest.ts';
import { ManifestFunction } from '../../infra/manifest-function.ts';
import { withEsbuildWithoutNpx } from './esbuild-without-npx.ts';

const outdir = mkdtempSync(path.join(tmpdir(), 'labelcast-function-bundling-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** The asset directory of the one function, holding index.mjs and its map. */
let asset: string;

// NodejsFunction bundles while the stack is built: under the hook's timeout, which fits 2 loaded cores.
beforeAll(() => {
  withEsbuildWithoutNpx(() => {
    const app = new App({ outdir });
    const stack = new Stack(app, 'Bundled');
    new ManifestFunction(stack, 'PresignUpload', { name: 'presignUpload', targets: { bucket: new Bucket(stack, 'Bucket') } });
    app.synth();
  });
  const assets = readdirSync(outdir).filter((name) => name.startsWith('asset.') && existsSync(path.join(outdir, name, 'index.mjs.map')));
  expect(assets).toHaveLength(1);
  asset = path.join(outdir, assets[0]!);
}, 120_000);

describe('Construct: ManifestFunction (bundled)', () => {
  it("ships a source map of our own sources only, the handler's among them", () => {
    // Act
    const mapFile = path.join(asset, 'index.mjs.map');
    const map = JSON.parse(readFileSync(mapFile, 'utf8')) as { sourceRoot?: string; sources: string[]; sourcesContent?: unknown };
    const sources = map.sources.map((source) => fileURLToPath(new URL(source, map.sourceRoot ?? pathToFileURL(mapFile).href)));

    // Assess
    expect(sources).toContain(path.join(repoRoot, lambdaFunctions.presignUpload.entry));
    expect(sources.filter((source) => source.split(path.sep).includes('node_modules'))).toEqual([]);
    expect(map.sourcesContent).toBeUndefined();
  });

  it('names our .ts files in the stack of an error from our code, run with --enable-source-maps', () => {
    // Act: a cold start without UPLOAD_BUCKET, which functions/shared/env.ts refuses
    const { UPLOAD_BUCKET: _bucket, ...environment } = process.env;
    const run = spawnSync(process.execPath, ['--enable-source-maps', path.join(asset, 'index.mjs')], { encoding: 'utf8', env: environment });

    // Assess
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/UPLOAD_BUCKET/);
    expect(run.stderr).toMatch(/functions\/shared\/env\.ts:\d+:\d+/);
    expect(run.stderr).toMatch(/functions\/presign-upload\/handler\.ts:\d+:\d+/);
  });
});
