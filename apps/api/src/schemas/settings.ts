import { Type } from 'typebox';

/** A platform setting as admins read and write it. */
export const SettingWire = Type.Object(
  {
    key: Type.String({ examples: ['message_attachment_max_size_mb'] }),
    value: Type.Unknown({ description: 'The current value (the default until an admin sets one).' }),
    category: Type.String({ examples: ['messaging'] }),
  },
  { description: 'A platform setting.' },
);

export const SettingListWire = Type.Object({ settings: Type.Array(SettingWire) });

export const SettingParams = Type.Object({ key: Type.String({ minLength: 1, maxLength: 100 }) });

export const SettingBody = Type.Object(
  {
    value: Type.Unknown({ description: 'The new value; validated per key (a non-positive size is a 400).' }),
  },
  { additionalProperties: false, required: ['value'] },
);
