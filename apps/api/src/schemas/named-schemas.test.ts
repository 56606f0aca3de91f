import { careTeamPolicy, communityPolicy, marketplacePolicy } from '@parley/messaging-core';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { MessageWire } from './messaging.js';
import { namedSchemas, referenceNamed } from './named-schemas.js';

describe('referenceNamed', () => {
  const Inner = Type.Object({ a: Type.String() });
  const Outer = Type.Object({
    inner: Inner,
    list: Type.Array(Inner),
    maybe: Type.Union([Inner, Type.Null()]),
  });
  const names = new Map<object, string>([
    [Inner, 'Inner'],
    [Outer, 'Outer'],
  ]);

  it('refers to a named schema wherever that very object appears, the root included', () => {
    expect(referenceNamed({ 200: Outer }, names)).toEqual({ 200: { $ref: 'Outer' } });
    expect(referenceNamed(Outer, names, true)).toEqual({
      type: 'object',
      required: ['inner', 'list', 'maybe'],
      properties: {
        inner: { $ref: 'Inner' },
        list: { type: 'array', items: { $ref: 'Inner' } },
        maybe: { anyOf: [{ $ref: 'Inner' }, { type: 'null' }] },
      },
    });
  });

  it('matches by identity, not by shape, and leaves its input as it was', () => {
    const lookalike = Type.Object({ a: Type.String() });
    const before = JSON.stringify(Outer);
    expect(referenceNamed({ x: lookalike }, names)).toEqual({
      x: { type: 'object', required: ['a'], properties: { a: { type: 'string' } } },
    });
    referenceNamed(Outer, names, true);
    expect(JSON.stringify(Outer)).toBe(before);
    expect(Outer.properties.inner).toBe(Inner);
  });
});

describe.each([marketplacePolicy, careTeamPolicy, communityPolicy])('namedSchemas($name)', (policy) => {
  const named = namedSchemas(policy);

  it('names each schema object once, in PascalCase', () => {
    const names = named.map((n) => n.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[A-Z][A-Za-z]+$/);
    expect(new Set(named.map((n) => n.schema)).size).toBe(named.length);
    expect(named.find((n) => n.name === 'Message')?.schema).toBe(MessageWire);
  });

  it("defines the enumerations with the preset's values", () => {
    const values = (name: string) =>
      (named.find((n) => n.name === name)?.definition as { enum?: unknown })?.enum;
    expect(values('ConversationType')).toEqual(policy.conversationTypes.map((c) => c.type));
    expect(values('ParticipantType')).toEqual(policy.participantTypes);
    const roles = values('ParticipantRole') as string[];
    for (const c of policy.conversationTypes)
      expect(roles).toEqual(expect.arrayContaining([...policy.memberRoles(c.type)]));
    expect(new Set(roles).size).toBe(roles.length);
  });
});
