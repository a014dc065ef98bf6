import { describe, expect, it } from 'vitest';
import { cocoClassNames } from '../../local/rekognition/engine/model-classes.ts';
import { LabelCategory, labelDefinitions, labelOfCocoClass } from '../../local/rekognition/taxonomy.ts';

describe('taxonomy', () => {
  it('names every class the detector can emit', () => {
    for (const className of cocoClassNames) {
      expect(labelDefinitions[labelOfCocoClass[className]], className).toBeDefined();
    }
  });

  it('lists every parent as a label of its own, and every ancestor of a parent among the parents', () => {
    for (const [name, definition] of Object.entries(labelDefinitions)) {
      expect(definition.parents, name).not.toContain(name);
      for (const parent of definition.parents) {
        const parentDefinition = labelDefinitions[parent];
        expect(parentDefinition, `${name} → ${parent}`).toBeDefined();
        for (const ancestor of parentDefinition.parents) expect(definition.parents, `${name} → ${parent} → ${ancestor}`).toContain(ancestor);
      }
    }
  });

  it('uses only Rekognition categories', () => {
    const categories = new Set<string>(Object.values(LabelCategory));
    for (const [name, definition] of Object.entries(labelDefinitions)) {
      expect(definition.categories.length, name).toBeGreaterThan(0);
      for (const category of definition.categories) expect(categories.has(category), `${name}: ${category}`).toBe(true);
    }
  });

  it('files Cat under Pet, Mammal and Animal as Rekognition does', () => {
    expect(labelDefinitions.Cat.parents).toEqual(expect.arrayContaining(['Pet', 'Mammal', 'Animal']));
    expect(labelDefinitions.Cat.categories).toEqual(['Animals and Pets']);
    expect(labelOfCocoClass['cell phone']).toBe('Mobile Phone');
  });
});
