/** The imageProperties setting: one parser for cdk context, the offline variable and the labeler's variable. */
import { describe, expect, it } from 'vitest';
import { imagePropertiesSettingFrom, ImagePropertiesSettingError, imagePropertiesVariableValue } from '../../api/image-properties-setting.ts';
import { configFromEnv } from '../../local/config.ts';

describe('Function: imagePropertiesSettingFrom', () => {
  it('reads booleans and their spellings, and unset as off', () => {
    expect([true, 'true', 'TRUE', ' 1 '].map((value) => imagePropertiesSettingFrom(value, 'x'))).toEqual([true, true, true, true]);
    expect([false, 'false', '0', '', undefined, null].map((value) => imagePropertiesSettingFrom(value, 'x'))).toEqual([false, false, false, false, false, false]);
  });

  it('refuses anything else, naming where the value came from', () => {
    expect(() => imagePropertiesSettingFrom('yes', 'LABELCAST_IMAGE_PROPERTIES')).toThrow(
      new ImagePropertiesSettingError('LABELCAST_IMAGE_PROPERTIES must be true or false, got "yes"'),
    );
  });

  it('round-trips through the labeler variable', () => {
    for (const on of [true, false]) expect(imagePropertiesSettingFrom(imagePropertiesVariableValue(on), 'DETECT_IMAGE_PROPERTIES')).toBe(on);
  });
});

describe('Function: configFromEnv', () => {
  it('turns image properties on with LABELCAST_IMAGE_PROPERTIES, off without (cdk.json sets no context)', () => {
    expect(configFromEnv({ LABELCAST_IMAGE_PROPERTIES: 'true' }).imageProperties).toBe(true);
    expect(configFromEnv({}).imageProperties).toBe(false);
    expect(() => configFromEnv({ LABELCAST_IMAGE_PROPERTIES: 'on' })).toThrow(/LABELCAST_IMAGE_PROPERTIES must be true or false/);
  });
});
