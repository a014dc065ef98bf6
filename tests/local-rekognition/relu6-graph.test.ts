/**
 * relu6-graph.ts: the exact rewrite of Keras's ReLU6 chains that halves
 * faceres's CPU time. On made-up graphs (which chains are rewritten and which
 * are left alone), and on faceres's own model files (its 27 chains, and the
 * constants read from its float16 weights). That the rewritten faceres gives
 * the same ages, genders and smiles is checked through the engine by
 * people.test.ts's photos.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { artifactsWithRelu6, scalarWeights, withRelu6, type GraphNode, type GraphTopology } from '../../local/rekognition/engine/relu6-graph.ts';

const T = { T: { type: 'DT_FLOAT' } };
/** conv → Relu → Minimum(6) → Maximum(0) → reader, as Keras exports ReLU6; `six`/`zero` name the constants. */
const chain = (prefix: string, input: string): GraphNode[] => [
  { name: `${prefix}/Relu`, op: 'Relu', input: [input], attr: T },
  { name: `${prefix}/Minimum`, op: 'Minimum', input: [`${prefix}/Relu`, `${prefix}/six`], attr: T },
  { name: `${prefix}/clip`, op: 'Maximum', input: [`${prefix}/Minimum`, `${prefix}/zero`], attr: T },
  { name: `${prefix}/six`, op: 'Const' },
  { name: `${prefix}/zero`, op: 'Const' },
];
const graph = (...nodes: GraphNode[][]): GraphTopology => ({ node: nodes.flat() });
const input: GraphNode = { name: 'input', op: 'Placeholder' };
const reader = (name: string, from: string): GraphNode => ({ name, op: 'Conv2D', input: [from, 'kernel'] });
const kernel: GraphNode = { name: 'kernel', op: 'Const' };
const constants = (name: string) => (name.endsWith('/six') ? 6 : name.endsWith('/zero') ? 0 : undefined);
const ops = (topology: GraphTopology) => topology.node.map((node) => `${node.op} ${node.name}`);

describe('Function: withRelu6', () => {
  it('turns each Relu → Minimum(6) → Maximum(0) into one Relu6 named as the chain, which its reader still reads', () => {
    const topology = graph([input, kernel], chain('a', 'input'), [reader('conv', 'a/clip')], chain('b', 'conv'), [reader('out', 'b/clip')]);

    const rewritten = withRelu6(topology, constants);

    expect(ops(rewritten)).toEqual(['Placeholder input', 'Const kernel', 'Relu6 a/clip', 'Conv2D conv', 'Relu6 b/clip', 'Conv2D out']);
    expect(rewritten.node.find((node) => node.name === 'a/clip')).toEqual({ name: 'a/clip', op: 'Relu6', input: ['input'], attr: T });
    expect(rewritten.node.find((node) => node.name === 'b/clip')?.input).toEqual(['conv']);
  });

  it('leaves a chain alone whose constants are not 6 and 0, or whose intermediate value another node reads', () => {
    const notSix = (name: string) => (name.endsWith('/six') ? 5 : constants(name));
    const minimumReadTwice = graph([input, kernel], chain('a', 'input'), [reader('out', 'a/clip'), reader('other', 'a/Minimum')]);
    const maximumOfSomethingElse = graph([input, kernel], chain('a', 'input'), [reader('out', 'a/clip')]).node.map((node) =>
      node.name === 'a/clip' ? { ...node, op: 'Minimum' } : node,
    );

    expect(withRelu6(graph([input, kernel], chain('a', 'input'), [reader('out', 'a/clip')]), notSix).node.map((node) => node.op)).toContain('Minimum');
    expect(withRelu6(minimumReadTwice, constants)).toBe(minimumReadTwice);
    expect(withRelu6({ node: maximumOfSomethingElse }, constants).node).toBe(maximumOfSomethingElse);
  });

  it("leaves a chain alone whose Relu or Minimum is one of the model's declared outputs", () => {
    const topology = graph([input, kernel], chain('a', 'input'), [reader('out', 'a/clip')]);

    expect(withRelu6(topology, constants, new Set(['a/Relu']))).toBe(topology);
    expect(withRelu6(topology, constants, new Set(['a/Minimum']))).toBe(topology);
    expect(ops(withRelu6(topology, constants, new Set(['out'])))).toContain('Relu6 a/clip');
  });

  it('reads the declared outputs from the signature of the artifacts', () => {
    const topology = graph([input, kernel, { name: 'm', op: 'Minimum', input: ['x', 'y'] }], chain('a', 'input'), [reader('out', 'a/clip')]);
    const weightSpecs: tfTypes.io.WeightsManifestEntry[] = [
      { name: 'a/six', shape: [], dtype: 'float32' },
      { name: 'a/zero', shape: [], dtype: 'float32' },
    ];
    const artifacts = { modelTopology: topology, weightSpecs, weightData: new Float32Array([6, 0]).buffer };
    const withSignature = { ...artifacts, signature: { outputs: { relu: { name: 'a/Relu:0' } } } };

    expect(ops(artifactsWithRelu6(artifacts).modelTopology as GraphTopology)).toContain('Relu6 a/clip');
    expect(artifactsWithRelu6(withSignature).modelTopology).toBe(topology);
  });

  it('keeps a constant another node still reads', () => {
    const shared = graph([input, kernel], chain('a', 'input'), [reader('out', 'a/clip'), { name: 'add', op: 'Add', input: ['out', 'a/six'] }]);

    expect(ops(withRelu6(shared, constants))).toContain('Const a/six');
    expect(ops(withRelu6(shared, constants))).not.toContain('Const a/zero');
  });
});

describe("faceres's model files", () => {
  const modelDirectory = path.resolve(import.meta.dirname, '../../node_modules/@vladmandic/human/models');
  const modelJson = JSON.parse(readFileSync(path.join(modelDirectory, 'faceres.json'), 'utf8')) as tfTypes.io.ModelJSON;
  const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
  const weightData = new Uint8Array(Buffer.concat(modelJson.weightsManifest.flatMap((group) => group.paths).map((file) => readFileSync(path.join(modelDirectory, file))))).buffer;

  it("reads its ReLU6 clip constants (float16) as 6 and 0", () => {
    const scalars = scalarWeights(weightSpecs, weightData);

    expect(scalars.get('conv1_relu/Cast')).toBe(6);
    expect(scalars.get('conv1_relu/Const_1')).toBe(0);
    expect(scalars.get('conv_pw_13_relu/Cast')).toBe(6);
    expect(scalars.get('conv_pw_13_relu/Const_1')).toBe(0);
  });

  it('loads with its 27 ReLU6 chains as Relu6 nodes and no Minimum, Maximum or Relu left', () => {
    const artifacts = artifactsWithRelu6({ modelTopology: modelJson.modelTopology, format: modelJson.format, weightSpecs, weightData });

    const count = (topology: unknown, op: string) => (topology as GraphTopology).node.filter((node) => node.op === op).length;
    expect(['Relu6', 'Minimum', 'Maximum', 'Relu'].map((op) => count(modelJson.modelTopology, op))).toEqual([0, 27, 27, 27]);
    expect(['Relu6', 'Minimum', 'Maximum', 'Relu'].map((op) => count(artifacts.modelTopology, op))).toEqual([27, 0, 0, 0]);
    // The clip constants are gone with the chains, so none becomes a model output.
    expect((artifacts.modelTopology as GraphTopology).node.some((node) => node.name === 'conv1_relu/Cast')).toBe(false);
  });
});
