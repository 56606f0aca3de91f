import { join } from 'node:path';
import { type Config, lintFromString, loadConfig, type NormalizedProblem } from '@redocly/openapi-core';
import type { OpenAPIV3_1 } from 'openapi-types';
import { beforeAll, describe, expect, it } from 'vitest';
import { composeForTest } from './support/composed-api.js';

// The document of the API as each preset composes it, linted with Redocly's recommended rules
// (apps/api/redocly.yaml; the same engine as `redocly lint`): no error, and no warning but the ones
// that file justifies.
const CONFIG_PATH = join(import.meta.dirname, '..', 'redocly.yaml');

/** The warnings redocly.yaml explains, as `rule pointer`. */
const JUSTIFIED_WARNINGS = [
  'operation-4xx-response #/paths/~1healthz/get/responses',
  'operation-4xx-response #/paths/~1readyz/get/responses',
];
const CARE_TEAM_WARNINGS = [
  'no-ambiguous-paths #/paths/~1api~1messages~1blocks~1{username}',
  'no-ambiguous-paths #/paths/~1api~1messages~1{message_id}~1read',
];

/** The names generated clients and the inbox rely on, in every preset. */
const NAMED = [
  'Problem',
  'ConversationSummary',
  'ConversationDetail',
  'ConversationPage',
  'Message',
  'MessagePage',
  'Attachment',
  'Participant',
  'UnreadCount',
  'RealtimeTicket',
  'Presence',
  'ConversationType',
  'ParticipantType',
  'ParticipantRole',
];

let config: Config;

async function lint(document: unknown, name: string): Promise<NormalizedProblem[]> {
  return lintFromString({ source: JSON.stringify(document), absoluteRef: `${name}.openapi.json`, config });
}

const described = (problems: readonly NormalizedProblem[]) =>
  problems.map((p) => `${p.ruleId} ${p.location[0]?.pointer ?? ''}`).sort();

beforeAll(async () => {
  config = await loadConfig({ configPath: CONFIG_PATH });
});

describe.each([
  ['marketplace', JUSTIFIED_WARNINGS],
  ['care-team', [...JUSTIFIED_WARNINGS, ...CARE_TEAM_WARNINGS]],
  ['community', JUSTIFIED_WARNINGS],
])('the OpenAPI document of the %s preset', (preset, warnings) => {
  let document: OpenAPIV3_1.Document;

  beforeAll(async () => {
    const { api, close } = await composeForTest({ env: { PARLEY_PRESET: preset } });
    try {
      const response = await api.app.inject({ method: 'GET', url: '/openapi.json' });
      expect(response.statusCode).toBe(200);
      document = response.json();
    } finally {
      await close();
    }
  }, 120_000);

  it('passes the recommended lint rules: no error, only the justified warnings', async () => {
    const problems = await lint(document, preset);
    const errors = problems.filter((p) => p.severity === 'error');
    expect(errors.map((p) => `${described([p])[0]}: ${p.message}`)).toEqual([]);
    expect(described(problems.filter((p) => p.severity === 'warn'))).toEqual([...warnings].sort());
  });

  it('names the shared shapes, the real-time ones included', () => {
    expect(Object.keys(document.components?.schemas ?? {})).toEqual(expect.arrayContaining(NAMED));
    const ticket = document.paths?.['/api/v1/realtime/ticket']?.post?.responses?.['200'];
    expect((ticket as OpenAPIV3_1.ResponseObject).content?.['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/RealtimeTicket',
    });
  });

  it('the lint is no rubber stamp: a duplicated operationId and an operation without security fail', async () => {
    const broken = structuredClone(document) as OpenAPIV3_1.Document;
    delete broken.security;
    const healthz = broken.paths?.['/healthz']?.get;
    const readyz = broken.paths?.['/readyz']?.get;
    if (!healthz || !readyz) throw new Error('health routes missing');
    readyz.operationId = healthz.operationId as string;
    delete healthz.security;
    const rules = (await lint(broken, `${preset}-broken`))
      .filter((p) => p.severity === 'error')
      .map((p) => p.ruleId);
    expect(rules).toEqual(expect.arrayContaining(['operation-operationId-unique', 'security-defined']));
  });
});
