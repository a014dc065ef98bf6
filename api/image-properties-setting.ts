/**
 * Whether the labeler asks Rekognition for IMAGE_PROPERTIES (dominant colours
 * and quality, stored as Image.properties). Off by default: AWS charges the
 * feature on top of the labels. One setting, read from one place per world:
 * - AWS: CDK context `imageProperties` (cdk.json or `-c imageProperties=true`), given to the labeler as
 *   `DETECT_IMAGE_PROPERTIES` (api/access.ts, infra/function-access.ts);
 * - offline: `LABELCAST_IMAGE_PROPERTIES`, else the same cdk.json context (local/config.ts), given to the
 *   local labeler as the same variable.
 */

export const ImagePropertiesSetting = {
  contextKey: 'imageProperties',
  offlineVariable: 'LABELCAST_IMAGE_PROPERTIES',
  /** What the labeler reads: `true` or `false`. */
  functionVariable: 'DETECT_IMAGE_PROPERTIES',
} as const;

export class ImagePropertiesSettingError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ImagePropertiesSettingError';
  }
}

/**
 * The setting from a context value or an environment variable: true/false (booleans or
 * their strings, any case), 1/0; unset or empty is off. `source` names where it came from.
 *
 * @example imagePropertiesSettingFrom(app.node.tryGetContext('imageProperties'), 'context imageProperties')
 */
export function imagePropertiesSettingFrom(value: unknown, source: string): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (typeof value === 'boolean') return value;
  const text = String(value).trim().toLowerCase();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new ImagePropertiesSettingError(`${source} must be true or false, got ${JSON.stringify(value)}`);
}

/** The function variable's value for a setting. */
export const imagePropertiesVariableValue = (on: boolean): string => (on ? 'true' : 'false');
