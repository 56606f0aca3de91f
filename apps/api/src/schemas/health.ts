import { Type } from 'typebox';

export const HealthWire = Type.Object({ status: Type.String({ enum: ['ok'] }) });
export const ReadinessWire = Type.Object({
  status: Type.String({ enum: ['ready'] }),
  database: Type.String({ description: 'postgres or pglite' }),
});
