/**
 * The expression parts of AppSync's DynamoDB request objects ({ expression,
 * expressionNames, expressionValues }) merged into one request's
 * ExpressionAttributeNames/Values, as DynamoDB wants them.
 */
import { toWireMap } from './attribute-values.ts';
import type { AttributeValue } from './dynamodb-wire.ts';
import { InvalidRequestError } from '../errors.ts';

export interface ExpressionJson {
  readonly expression?: string;
  readonly expressionNames?: Record<string, string>;
  readonly expressionValues?: Record<string, unknown>;
}

export interface ExpressionInput {
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
}

/** Collects the names and values of every expression in one request. */
export class ExpressionCollector {
  private readonly names: Record<string, string> = {};
  private readonly values: Record<string, AttributeValue> = {};

  /** Adds one expression's names and values and returns its text (undefined when absent). */
  public add(part: ExpressionJson | undefined, what: string): string | undefined {
    if (part === undefined || part === null) return undefined;
    if (typeof part.expression !== 'string' || part.expression.trim() === '') {
      throw new InvalidRequestError(`The ${what} must have an "expression"`);
    }
    Object.assign(this.names, part.expressionNames ?? {});
    Object.assign(this.values, toWireMap(part.expressionValues));
    return part.expression;
  }

  /** The merged maps, left out when empty (DynamoDB refuses empty maps). */
  public input(): ExpressionInput {
    return {
      ...(Object.keys(this.names).length > 0 ? { ExpressionAttributeNames: this.names } : {}),
      ...(Object.keys(this.values).length > 0 ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

/** A request's projection ({ expression, expressionNames }) as ProjectionExpression. */
export function projectionInput(collector: ExpressionCollector, projection: unknown): { ProjectionExpression?: string } {
  const expression = collector.add(projection as ExpressionJson | undefined, 'projection');
  return expression ? { ProjectionExpression: expression } : {};
}
