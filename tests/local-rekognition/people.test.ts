/**
 * People labels: the gates and mapping of faces/people-labels.ts on made-up
 * faces, then the face models through the local DetectLabels on the fixture
 * photos (a person, a cat, a cup, a rocket launch).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DetectLabelsCommand, type Label } from '@aws-sdk/client-rekognition';
import { describe, expect, it } from 'vitest';
import type { DetectedFace } from '../../local/rekognition/faces/face-analyzer.ts';
import { peopleLabels, type PersonBox } from '../../local/rekognition/faces/people-labels.ts';
import { useLocalRekognition } from '../support/local-rekognition.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures');

const person: PersonBox = { confidence: 90, box: { left: 0.1, top: 0.05, width: 0.6, height: 0.9 } };
const face = (overrides: Partial<DetectedFace> = {}): DetectedFace => ({
  box: { left: 0.3, top: 0.1, width: 0.2, height: 0.2 },
  detectionScore: 0.9,
  meshScore: 1,
  maleProbability: 0.5,
  happy: 0,
  ...overrides,
});
const names = (labels: { name: string }[]) => labels.map((label) => label.name).sort();

describe('Function: peopleLabels', () => {
  it('labels a verified face inside a person Face, with its box, as sure as its weaker check', () => {
    const labels = peopleLabels([face({ detectionScore: 0.88 })], [person]);

    expect(labels).toEqual([{ name: 'Face', confidence: 88, instances: [{ confidence: 88, box: face().box }] }]);
  });

  it('says nothing without a confident person, for a face outside every person, or one the mesh rejects', () => {
    expect(peopleLabels([face()], [])).toEqual([]);
    expect(peopleLabels([face()], [{ ...person, confidence: 40 }])).toEqual([]);
    expect(peopleLabels([face({ box: { left: 0.8, top: 0.1, width: 0.1, height: 0.1 } })], [person])).toEqual([]);
    expect(peopleLabels([face({ meshScore: 0 })], [person])).toEqual([]);
    expect(peopleLabels([face({ detectionScore: 0.55 })], [person])).toEqual([]);
  });

  it('says Male, Female and Smile only when the models are sure, and not on tiny faces', () => {
    const sure = peopleLabels([face({ maleProbability: 0.9, happy: 0.95 }), face({ maleProbability: 0.2 })], [person]);
    const unsure = peopleLabels([face({ maleProbability: 0.68, happy: 0.6 })], [person]);
    const tiny = peopleLabels([face({ box: { left: 0.3, top: 0.1, width: 0.02, height: 0.02 }, maleProbability: 0.95, happy: 0.99 })], [person]);

    expect(names(sure)).toEqual(['Face', 'Female', 'Male', 'Smile']);
    expect(sure.find((label) => label.name === 'Female')?.confidence).toBe(80);
    expect(sure.find((label) => label.name === 'Face')?.instances).toHaveLength(2);
    expect(names(unsure)).toEqual(['Face']);
    expect(names(tiny)).toEqual(['Face']);
  });
});

describe('DetectLabels people labels', () => {
  const local = useLocalRekognition();

  const labelsOf = async (name: string): Promise<Label[]> =>
    (await local.client.send(new DetectLabelsCommand({ Image: { Bytes: await readFile(path.join(fixtures, name)) } }))).Labels ?? [];

  it('labels the astronaut Face, with one box on her face and Head and Person as parents, and Smile', async () => {
    const labels = await labelsOf('astronaut.jpg');

    const faceLabel = labels.find((label) => label.Name === 'Face');
    expect(faceLabel, JSON.stringify(labels.map((label) => label.Name))).toBeDefined();
    expect(faceLabel?.Parents).toEqual([{ Name: 'Head' }, { Name: 'Person' }]);
    expect(faceLabel?.Categories).toEqual([{ Name: 'Person Description' }]);
    expect(faceLabel?.Instances).toHaveLength(1);
    // Her face: upper middle of the photo, about a quarter of its width.
    const box = faceLabel!.Instances![0].BoundingBox!;
    expect(box.Left).toBeGreaterThan(0.2);
    expect(box.Left! + box.Width!).toBeLessThan(0.7);
    expect(box.Top).toBeLessThan(0.3);
    expect(box.Width).toBeGreaterThan(0.15);
    expect(box.Width).toBeLessThan(0.4);
    expect(labels.find((label) => label.Name === 'Smile')?.Parents).toEqual([{ Name: 'Face' }, { Name: 'Head' }, { Name: 'Person' }]);
    // faceres reads her face 0.68 female: under the floor, so no gender at all rather than a guess.
    expect(labels.find((label) => label.Name === 'Male')).toBeUndefined();
  });

  it.each(['cat.jpg', 'coffee.jpg', 'rocket.jpg'])('gives %s no people labels', async (name) => {
    const labels = await labelsOf(name);

    expect(labels.map((label) => label.Name)).not.toEqual(expect.arrayContaining(['Face']));
    for (const people of ['Face', 'Head', 'Male', 'Female', 'Smile']) expect(labels.find((label) => label.Name === people)).toBeUndefined();
  });
});
