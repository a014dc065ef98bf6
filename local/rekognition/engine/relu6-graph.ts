/**
 * An exact speed-up of a TensorFlow.js graph model, applied as it loads: a
 * Keras ReLU6 exported as `Relu → Minimum(x, 6) → Maximum(x, 0)` becomes one
 * `Relu6` node. faceres (Human's face description model, a Keras MobileNet)
 * has 27 of them; the wasm backend runs Minimum and Maximum against a scalar
 * on its broadcasting path, about 3 times the cost of Relu6 on the same
 * tensor, so they were half of faceres's CPU time (about 210 → 110 ms a face).
 *
 * max(min(relu(x), 6), 0) is relu6(x) for every float: min and max round
 * nothing, so the outputs are bit for bit the ones of the graph as shipped
 * (compared on random inputs and on the faces of 18 photos of people when
 * this was written; tests/local-rekognition/relu6-graph.test.ts checks which
 * chains are rewritten, on faceres's own files too). A chain is
 * rewritten only when its constants really are 6 and 0, no other node
 * reads its intermediate values and none of them is one of the model's
 * declared outputs; anything else is left as it is.
 */
import type * as tfTypes from '@tensorflow/tfjs';

/** The part of a GraphDef node the rewrite reads (the rest is carried over untouched). */
export interface GraphNode {
  readonly name: string;
  readonly op: string;
  readonly input?: readonly string[];
  readonly attr?: Readonly<Record<string, unknown>>;
}

export interface GraphTopology {
  readonly node: readonly GraphNode[];
}

const isGraphTopology = (value: unknown): value is GraphTopology =>
  typeof value === 'object' && value !== null && Array.isArray((value as { node?: unknown }).node);

/**
 * The topology with each exact `Relu → Minimum(6) → Maximum(0)` chain as one Relu6 node named as the chain's
 * last node (so its readers are unchanged), and the constants only those chains read dropped (a constant no
 * node reads would become one of the model's outputs). `scalar` gives a Const node's value, or undefined
 * when it is not a known scalar. `outputs` names the nodes the model declares as outputs (its signature): a chain
 * whose Relu or Minimum is one stays, since removing it would take away a value the model answers with.
 */
export function withRelu6(topology: GraphTopology, scalar: (constName: string) => number | undefined, outputs: ReadonlySet<string> = new Set()): GraphTopology {
  const readers = new Map<string, GraphNode[]>();
  for (const node of topology.node) for (const input of node.input ?? []) readers.set(input, [...(readers.get(input) ?? []), node]);
  const byName = new Map(topology.node.map((node) => [node.name, node]));
  const soleReader = (name: string, op: string) => {
    const nodes = readers.get(name) ?? [];
    return nodes.length === 1 && nodes[0].op === op ? nodes[0] : undefined;
  };
  // The other input of a two-input node, when it is a Const holding `value`.
  const constantBeside = (node: GraphNode, operand: string, value: number) => {
    const inputs = node.input ?? [];
    if (inputs.length !== 2 || !inputs.includes(operand)) return undefined;
    const other = inputs[0] === operand ? inputs[1] : inputs[0];
    return byName.get(other)?.op === 'Const' && scalar(other) === value ? other : undefined;
  };

  const removed = new Set<string>();
  const replaced = new Map<string, GraphNode>();
  const constantsRead = new Set<string>();
  for (const relu of topology.node) {
    if (relu.op !== 'Relu' || relu.input?.length !== 1) continue;
    const minimum = soleReader(relu.name, 'Minimum');
    const six = minimum && constantBeside(minimum, relu.name, 6);
    const maximum = minimum && soleReader(minimum.name, 'Maximum');
    const zero = maximum && constantBeside(maximum, minimum.name, 0);
    if (!minimum || !six || !maximum || !zero || outputs.has(relu.name) || outputs.has(minimum.name)) continue;
    removed.add(relu.name).add(minimum.name);
    constantsRead.add(six).add(zero);
    replaced.set(maximum.name, { name: maximum.name, op: 'Relu6', input: relu.input, ...(relu.attr ? { attr: relu.attr } : {}) });
  }
  if (replaced.size === 0) return topology;
  const kept = topology.node.filter((node) => !removed.has(node.name)).map((node) => replaced.get(node.name) ?? node);
  const stillRead = new Set(kept.flatMap((node) => node.input ?? []));
  return { ...topology, node: kept.filter((node) => !constantsRead.has(node.name) || stillRead.has(node.name)) };
}

/** Bytes a value takes in a weights file, by stored dtype; a dtype not here (string) stops the offsets. */
const bytesPerValue: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** An IEEE 754 half-precision value. */
function float16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** The float32 scalar weights of a model, by name, read from its weights data (quantized ones decoded as TensorFlow.js decodes them). */
export function scalarWeights(specs: readonly tfTypes.io.WeightsManifestEntry[], weightData: ArrayBuffer): Map<string, number> {
  const scalars = new Map<string, number>();
  const bytes = new DataView(weightData);
  let offset = 0;
  for (const spec of specs) {
    const stored = spec.quantization?.dtype ?? spec.dtype;
    const perValue = bytesPerValue[stored];
    if (perValue === undefined) break;
    const length = spec.shape.reduce((size, side) => size * side, 1) * perValue;
    if (offset + length > bytes.byteLength) break;
    if (spec.shape.length === 0 && spec.dtype === 'float32') {
      const { scale = 1, min = 0 } = spec.quantization ?? {};
      const value =
        stored === 'float32' ? bytes.getFloat32(offset, true)
        : stored === 'float16' ? float16(bytes.getUint16(offset, true))
        : stored === 'uint8' ? Math.fround(bytes.getUint8(offset) * scale + min)
        : stored === 'uint16' ? Math.fround(bytes.getUint16(offset, true) * scale + min)
        : undefined;
      if (value !== undefined) scalars.set(spec.name, value);
    }
    offset += length;
  }
  return scalars;
}

/** The node names a model's signature declares as outputs ("name:0" tensors name node "name"). */
function declaredOutputs(signature: unknown): Set<string> {
  const outputs = (signature as { outputs?: Record<string, { name?: unknown }> } | undefined)?.outputs ?? {};
  return new Set(Object.values(outputs).flatMap((tensor) => (typeof tensor?.name === 'string' ? [tensor.name.replace(/:\d+$/, '')] : [])));
}

/** A model's artifacts with its ReLU6 chains as Relu6 nodes (withRelu6); unchanged when it has none. */
export function artifactsWithRelu6(artifacts: tfTypes.io.ModelArtifacts & { weightSpecs: tfTypes.io.WeightsManifestEntry[]; weightData: ArrayBuffer }): tfTypes.io.ModelArtifacts {
  const topology: unknown = artifacts.modelTopology;
  if (!isGraphTopology(topology) || !topology.node.some((node) => node.op === 'Minimum')) return artifacts;
  const scalars = scalarWeights(artifacts.weightSpecs, artifacts.weightData);
  return { ...artifacts, modelTopology: withRelu6(topology, (name) => scalars.get(name), declaredOutputs(artifacts.signature)) as unknown as tfTypes.io.ModelArtifacts['modelTopology'] };
}
