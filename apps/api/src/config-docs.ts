import { EnvironmentSchema } from './config.js';

/** One row of the README's configuration table, read from the config schema. */
export interface ConfigTableRow {
  readonly variable: string;
  readonly default: string;
  readonly meaning: string;
}

/** Each variable's documentation, in the schema's order. */
export function configTableRows(): ConfigTableRow[] {
  return Object.entries(EnvironmentSchema.properties).map(([name, schema]) => {
    const { defaultText, description } = schema as { defaultText?: unknown; description?: unknown };
    // A variable added without its documentation must not slip into the README as a blank cell.
    if (
      typeof defaultText !== 'string' ||
      defaultText === '' ||
      typeof description !== 'string' ||
      description === ''
    )
      throw new Error(`${name} has no default text or description in EnvironmentSchema`);
    return { variable: name, default: defaultText, meaning: description };
  });
}

/** Markdown-escapes what would end a table cell. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/**
 * The README's configuration table (variable | default | meaning) as Markdown lines, generated
 * from `EnvironmentSchema`; `pnpm docs:config` prints it and `config-docs.test.ts` holds the
 * README to it.
 */
export function configTable(): string {
  const lines = ['| variable | default | meaning |', '| --- | --- | --- |'];
  for (const row of configTableRows())
    lines.push(`| \`${row.variable}\` | ${cell(row.default)} | ${cell(row.meaning)} |`);
  return `${lines.join('\n')}\n`;
}
