import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EnvironmentSchema, parseConfig } from './config.js';
import { configTable, configTableRows } from './config-docs.js';

const README = new URL('../../../README.md', import.meta.url);

/** The table lines under the README's "## Configuration" heading, up to the next heading. */
function readmeConfigTable(): string[] {
  const text = readFileSync(README, 'utf8');
  const section = text.split(/^## /m).find((part) => part.startsWith('Configuration\n'));
  if (section === undefined) throw new Error('README.md has no "## Configuration" section');
  return section.split('\n').filter((line) => line.startsWith('|'));
}

function cells(line: string): string[] {
  return line
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

describe('the configuration documentation', () => {
  it('README.md holds exactly the table generated from the config schema', () => {
    expect(readmeConfigTable().join('\n')).toBe(configTable().trimEnd());
  });

  it('documents every variable the schema reads, and only those, in the schema order', () => {
    const documented = readmeConfigTable()
      .slice(2)
      .map((line) => cells(line)[0]?.replaceAll('`', ''));
    expect(documented).toEqual(Object.keys(EnvironmentSchema.properties));
  });

  it('takes each default and meaning from the schema', () => {
    const rows = configTableRows();
    expect(rows.find((row) => row.variable === 'PARLEY_RATE_LIMIT_MAX')).toEqual({
      variable: 'PARLEY_RATE_LIMIT_MAX',
      default: '`600`',
      meaning:
        'requests per window per caller (per token subject, else per IP), counted across every instance: in the database, or in Redis with `PARLEY_REDIS_URL`',
    });
    expect(rows.find((row) => row.variable === 'PARLEY_DATABASE_URL')?.default).toBe(
      'unset: embedded PGlite',
    );
    for (const row of rows) {
      expect(row.default, row.variable).not.toBe('');
      expect(row.meaning, row.variable).not.toBe('');
    }
  });

  it('tells a bad value what it must be from the same schema entry', () => {
    const { expected } = EnvironmentSchema.properties.PARLEY_PORT as { expected?: unknown };
    expect(expected).toBe('an integer from 0 to 65535');
    expect(() => parseConfig({ PARLEY_PORT: 'eighty' }, '/srv/parley')).toThrow(
      `PARLEY_PORT must be ${expected} (got "eighty")`,
    );
    for (const [name, schema] of Object.entries(EnvironmentSchema.properties))
      expect(typeof (schema as { expected?: unknown }).expected, name).toBe('string');
  });

  it('keeps the numeric defaults it documents in step with what parseConfig applies', () => {
    const config = parseConfig({}, '/srv/parley');
    const documented = (name: string) => configTableRows().find((row) => row.variable === name)?.default;
    expect(documented('PARLEY_RATE_LIMIT_MAX')).toBe(`\`${config.rateLimit.max}\``);
    expect(documented('PARLEY_PORT')).toBe(`\`${config.port}\``);
    expect(documented('PARLEY_HOST')).toBe(`\`${config.host}\``);
    expect(documented('PARLEY_BODY_LIMIT')).toBe(`\`${config.bodyLimit}\``);
    expect(documented('PARLEY_LOG_LEVEL')).toBe(`\`${config.logLevel}\``);
    expect(documented('PARLEY_TEMPLATE_WORKER_MEMORY_MB')).toBe(`\`${config.templates.workerMemoryMb}\``);
    expect(documented('PARLEY_NOTIFICATION_MAX_ATTEMPTS')).toBe(`\`${config.notifications.maxAttempts}\``);
  });
});
