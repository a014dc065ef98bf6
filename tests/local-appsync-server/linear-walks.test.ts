/**
 * Every walk of a document costs what its text does, however its fragments
 * spread each other: `fragment Fi { ...F(i+1) ...F(i+1) }` must not cost 2^n.
 * The walks count the selection nodes they visit; an exponential walk of 40
 * such fragments would visit over 2^40 and never finish.
 */
import { Kind, parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { collectFields } from '../../local/appsync/server/collect-fields.ts';
import { fragmentsOf } from '../../local/appsync/server/documents.ts';
import { unaliased } from '../../local/appsync/server/unaliased.ts';
import { expandsPast, fieldPastDepth } from '../../local/appsync/server/limits.ts';
import { selectionSetInfo } from '../../local/appsync/server/selection-set.ts';

const fragmentCount = 40;

/** An operation whose root field selects `...F0`, each Fi spreading F(i+1) twice, the last selecting `leaf`. */
function doublingChain(operation: string, onType: string, leaf: string) {
  const fragments = Array.from({ length: fragmentCount }, (_, index) => `fragment F${index} on ${onType} { ...F${index + 1} ...F${index + 1} }`);
  const document = parse(`${operation.replace('…', '...F0')} ${fragments.join(' ')} fragment F${fragmentCount} on ${onType} { ${leaf} }`);
  const definition = document.definitions.find((node): node is OperationDefinitionNode => node.kind === Kind.OPERATION_DEFINITION)!;
  return { document, operation: definition, field: definition.selectionSet.selections[0] as FieldNode, fragments: fragmentsOf(document) };
}

/**
 * Counts the selection nodes a walk visits, and stops the walk (throws) past
 * `budget`, so an exponential walk fails at once instead of hanging.
 */
const counter = (budget: number) => {
  const count = {
    visits: 0,
    visit: () => {
      count.visits += 1;
      if (count.visits > budget) throw new Error(`walk visited more than ${budget} selection nodes`);
    },
  };
  return count;
};

describe('Function: collectFields', () => {
  it('expands a fragment spread twice once, keeping the document order of keys', () => {
    // Prepare
    const document = parse('{ a ...F b ...F c: a } fragment F on Query { d a }');
    const operation = document.definitions[0] as OperationDefinitionNode;

    // Act
    const fields = collectFields([operation.selectionSet], fragmentsOf(document));

    // Assess: `a` is selected three times (directly, in F, and not as `c`), F once
    expect([...fields.keys()]).toEqual(['a', 'd', 'b', 'c']);
    expect(fields.get('a')).toHaveLength(2);
  });
});

describe('Function: selectionSetInfo', () => {
  it(`lists the fields of ${fragmentCount} doubling fragments, visiting each selection once`, () => {
    // Prepare
    const { field, fragments, document } = doublingChain('query { image(id: "x") { … } }', 'Image', 'id labels { name }');
    const count = counter(2 * (fragmentCount + 1) + 3);

    // Act
    const info = selectionSetInfo(field, fragments, count.visit);

    // Assess
    expect(info.selectionSetList).toEqual(['id', 'labels', 'labels/name']);
    expect(count.visits).toBeLessThanOrEqual(2 * (fragmentCount + 1) + 3);
    expect(document.definitions).toHaveLength(fragmentCount + 2);
  });
});

describe('Function: fieldPastDepth', () => {
  it(`measures ${fragmentCount} doubling fragments within the limit in a linear walk`, () => {
    // Prepare
    const { operation, fragments } = doublingChain('query { …  }', 'Query', 'image(id: "x") { labels { name } }');
    const count = counter(4 * (fragmentCount + 1) + 8);

    // Act
    const tooDeep = fieldPastDepth(operation.selectionSet, fragments, 3, count.visit);

    // Assess
    expect(tooDeep).toBeUndefined();
    expect(count.visits).toBeLessThanOrEqual(4 * (fragmentCount + 1) + 8);
  });

  it(`finds the field past the limit through ${fragmentCount} doubling fragments in a linear walk`, () => {
    // Prepare: image(1) › labels(2) › instances(3) › boundingBox(4)
    const { operation, fragments } = doublingChain('query { … }', 'Query', 'image(id: "x") { labels { instances { boundingBox { left } } } }');
    const count = counter(4 * (fragmentCount + 1) + 16);

    // Act
    const tooDeep = fieldPastDepth(operation.selectionSet, fragments, 3, count.visit);

    // Assess
    expect(tooDeep?.name.value).toBe('boundingBox');
    expect(count.visits).toBeLessThanOrEqual(4 * (fragmentCount + 1) + 16);
  });

  it('still finds the first field past the limit in document order', () => {
    // Prepare
    const document = parse('{ image(id: "x") { id labels { ...L } moderationLabels { instances { boundingBox { top } } } } } fragment L on Label { name instances { boundingBox { left } } }');
    const operation = document.definitions[0] as OperationDefinitionNode;

    // Act
    const tooDeep = fieldPastDepth(operation.selectionSet, fragmentsOf(document), 3);

    // Assess: boundingBox inside L, the one reached first
    expect(tooDeep?.loc?.start).toBe(document.loc!.source.body.indexOf('boundingBox { left }'));
  });
});

describe('Function: unaliased', () => {
  it(`projects a mutation result through ${fragmentCount} doubling fragments`, () => {
    // Prepare
    const { field, fragments } = doublingChain('mutation { publishImageLabeled(input: {}) { … } }', 'Image', 'theId: id labels { n: name }');

    // Act: an exponential walk never returns
    const payload = unaliased({ theId: '1', labels: [{ n: 'Cat' }] }, field, fragments);

    // Assess
    expect(payload).toEqual({ id: '1', labels: [{ name: 'Cat' }] });
  });
});

describe('Function: expandsPast', () => {
  it(`merges the same aliases selected by ${fragmentCount} fragments instead of multiplying them`, () => {
    // Prepare: every fragment selects the same two aliases of labels
    const fragments = Array.from({ length: fragmentCount }, (_, index) => `fragment F${index} on Image { a: labels { ...G${index} } b: labels { ...G${index} } }`);
    const labels = Array.from({ length: fragmentCount }, (_, index) => `fragment G${index} on Label { name }`);
    const document = parse(`{ image(id: "x") { ...F0 ${Array.from({ length: fragmentCount - 1 }, (_, index) => `...F${index + 1}`).join(' ')} } } ${fragments.join(' ')} ${labels.join(' ')}`);
    const operation = document.definitions[0] as OperationDefinitionNode;
    const count = counter(1_000);

    // Act
    const past = expandsPast(operation, fragmentsOf(document), 500, count.visit);

    // Assess: the fields merge (same keys), so this document stays small once expanded
    expect(past).toBe(false);
  });

  it('answers true as soon as the walk passes the limit, without walking the rest', () => {
    // Prepare: 30 aliases a level over four levels, 810,000 fields expanded
    const aliases = (field: string, fragment: string) => Array.from({ length: 30 }, (_, index) => `x${index}: ${field} { ...${fragment} }`).join(' ');
    const document = parse(
      `{ imagesByLabel(label: "x") { ${aliases('items', 'M')} } } fragment M on Image { ${aliases('labels', 'L')} } ` +
        `fragment L on Label { ${aliases('instances', 'I')} } fragment I on Instance { ${aliases('boundingBox', 'B')} } fragment B on BoundingBox { left }`,
    );
    const count = counter(1_100);

    // Act
    const past = expandsPast(document.definitions[0] as OperationDefinitionNode, fragmentsOf(document), 1_000, count.visit);

    // Assess
    expect(past).toBe(true);
  });
});
