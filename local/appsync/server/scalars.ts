/**
 * AppSync's built-in scalars (AWSDateTime, AWSURL, ...), validated the way
 * AppSync documents them: formats are checked on input and output, values
 * keep their string form (AWSJSON is parsed for resolvers, printed for clients).
 */
import { isIP } from 'node:net';
import { GraphQLError, Kind, print, type GraphQLScalarType, type GraphQLSchema, type ValueNode } from 'graphql';

interface ScalarBehaviour {
  /** What resolvers see for a valid input; throws a message when invalid. */
  readonly parse: (value: unknown) => unknown;
  /** What clients see for a resolver's value; throws a message when invalid. */
  readonly serialize: (value: unknown) => unknown;
  /** AST kinds a literal of this scalar may have. */
  readonly literalKinds: readonly Kind[];
}

const offset = '(?:Z|[+-]\\d{2}(?::?\\d{2}(?::?\\d{2})?)?)';
const date = '-?\\d{4,}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])';
const time = '(?:[01]\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d(?:\\.\\d{1,9})?)?';

const patterns = {
  AWSDate: new RegExp(`^${date}${offset}?$`),
  AWSTime: new RegExp(`^${time}${offset}?$`),
  // AppSync requires the offset on AWSDateTime.
  AWSDateTime: new RegExp(`^${date}T${time}${offset}$`),
  AWSEmail: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  AWSPhone: /^\+?[\d\s().-]*\d[\d\s().-]*$/,
} as const;

const describe = (value: unknown) => (typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? String(value));

const formatted = (name: keyof typeof patterns, what: string): ScalarBehaviour => {
  const check = (value: unknown) => {
    if (typeof value !== 'string' || !patterns[name].test(value)) throw new Error(`Unable to parse ${describe(value)} as a valid ${what}.`);
    return value;
  };
  return { parse: check, serialize: check, literalKinds: [Kind.STRING] };
};

/** AppSync: a scheme is required and `//` may only follow it. */
const isAwsUrl = (value: string) => {
  if (!/^[a-zA-Z][a-zA-Z\d+.-]*:/.test(value)) return false;
  try {
    const url = new URL(value);
    return !url.pathname.includes('//');
  } catch {
    return false;
  }
};

const isIpOrCidr = (value: string) => {
  const [address, prefix, ...rest] = value.split('/');
  if (rest.length > 0 || address === undefined || isIP(address) === 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (isIP(address) === 4 ? 32 : 128);
};

const behaviours: Record<string, ScalarBehaviour> = {
  AWSDate: formatted('AWSDate', 'Date'),
  AWSTime: formatted('AWSTime', 'Time'),
  AWSDateTime: formatted('AWSDateTime', 'DateTime'),
  AWSEmail: formatted('AWSEmail', 'email address'),
  AWSPhone: formatted('AWSPhone', 'phone number'),
  AWSTimestamp: {
    parse: (value) => {
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new Error(`Unable to parse ${describe(value)} as a valid timestamp.`);
      return value;
    },
    serialize: (value) => {
      const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isSafeInteger(number)) throw new Error(`Unable to serialize ${describe(value)} as a valid timestamp.`);
      return number;
    },
    literalKinds: [Kind.INT],
  },
  AWSURL: {
    parse: (value) => {
      if (typeof value !== 'string' || !isAwsUrl(value)) throw new Error(`Unable to parse ${describe(value)} as a valid URL.`);
      return value;
    },
    serialize: (value) => {
      if (typeof value !== 'string' || !isAwsUrl(value)) throw new Error(`Unable to serialize ${describe(value)} as a valid URL.`);
      return value;
    },
    literalKinds: [Kind.STRING],
  },
  AWSIPAddress: {
    parse: (value) => {
      if (typeof value !== 'string' || !isIpOrCidr(value)) throw new Error(`Unable to parse ${describe(value)} as a valid IP address.`);
      return value;
    },
    serialize: (value) => {
      if (typeof value !== 'string' || !isIpOrCidr(value)) throw new Error(`Unable to serialize ${describe(value)} as a valid IP address.`);
      return value;
    },
    literalKinds: [Kind.STRING],
  },
  AWSJSON: {
    // Clients send a string of JSON; resolvers get the parsed value.
    parse: (value) => {
      if (typeof value !== 'string') throw new Error(`Unable to parse ${describe(value)} as valid JSON.`);
      try {
        return JSON.parse(value) as unknown;
      } catch {
        throw new Error(`Unable to parse ${describe(value)} as valid JSON.`);
      }
    },
    serialize: (value) => (typeof value === 'string' ? value : JSON.stringify(value)),
    literalKinds: [Kind.STRING],
  },
};

/** A literal's plain value (only string and int literals reach here). */
const literalValue = (node: ValueNode): unknown => {
  if (node.kind === Kind.STRING) return node.value;
  if (node.kind === Kind.INT) return Number(node.value);
  return undefined;
};

function install(type: GraphQLScalarType, behaviour: ScalarBehaviour): void {
  const asGraphQLError = (run: () => unknown, node?: ValueNode) => {
    try {
      return run();
    } catch (error) {
      throw new GraphQLError(error instanceof Error ? error.message : String(error), node ? { nodes: node } : undefined);
    }
  };
  type.serialize = (value) => asGraphQLError(() => behaviour.serialize(value));
  type.parseValue = (value) => asGraphQLError(() => behaviour.parse(value));
  type.parseLiteral = (node) => {
    if (!behaviour.literalKinds.includes(node.kind)) {
      throw new GraphQLError(`Unable to parse ${print(node)} as a valid ${type.name}.`, { nodes: node });
    }
    return asGraphQLError(() => behaviour.parse(literalValue(node)), node);
  };
}

/** Gives the schema's AWS* scalars (declared by `appSyncBuiltins`) AppSync's behaviour, in place. */
export function installAppSyncScalars(schema: GraphQLSchema): void {
  for (const [name, behaviour] of Object.entries(behaviours)) {
    const type = schema.getType(name);
    if (type && 'serialize' in type && 'parseLiteral' in type) install(type as GraphQLScalarType, behaviour);
  }
}

/** For tests: whether a value is valid input for a scalar. */
export const isValidScalarInput = (name: string, value: unknown): boolean => {
  const behaviour = behaviours[name];
  if (!behaviour) throw new Error(`${name} is not an AppSync scalar`);
  try {
    behaviour.parse(value);
    return true;
  } catch {
    return false;
  }
};
