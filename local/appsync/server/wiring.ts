/**
 * The manifest's field wiring by type, then field: the executor looks up
 * every field of a response, so no `Type.field` key is built per lookup.
 */
import { fields, type FieldWiring } from '../../../api/manifest.ts';

const wiringByType = new Map<string, Map<string, FieldWiring>>();
for (const field of fields) {
  let byField = wiringByType.get(field.typeName);
  if (!byField) wiringByType.set(field.typeName, (byField = new Map()));
  byField.set(field.fieldName, field);
}

/** The manifest's wiring of `typeName.fieldName`; undefined when the field has no resolver. */
export const wiringOf = (typeName: string, fieldName: string): FieldWiring | undefined => wiringByType.get(typeName)?.get(fieldName);
