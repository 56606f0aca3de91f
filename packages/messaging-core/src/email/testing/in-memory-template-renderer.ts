import type { TemplateVariables } from '../model/email-template.js';
import type { RenderOptions, TemplateRenderer, TemplateSyntaxError } from '../ports/template-renderer.js';

const OUTPUT = /\{\{\s*([A-Za-z_][\w.]*)\s*\}\}/g;
const ENTITIES: Readonly<Record<string, string>> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#34;': '"',
  '&#39;': "'",
  '&nbsp;': ' ',
};

function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&#34;')
    .replaceAll("'", '&#39;');
}

/**
 * A tiny `TemplateRenderer` for core tests: `{{ name }}` outputs only (no tags, no filters, no
 * property access — a dotted name renders empty). Production uses `@parley/adapters-liquid`.
 *
 * @example
 * ```ts
 * await new InMemoryTemplateRenderer().render('Hi {{ name }}', { name: 'Ann' }, { escapeHtml: false }); // "Hi Ann"
 * ```
 */
export class InMemoryTemplateRenderer implements TemplateRenderer {
  async render(source: string, variables: TemplateVariables, options: RenderOptions): Promise<string> {
    const errors = this.#check(source);
    if (errors.length > 0) throw new Error(errors[0]?.message);
    return source.replace(OUTPUT, (_, name: string) => {
      const value = !name.includes('.') && Object.hasOwn(variables, name) ? variables[name] : undefined;
      const text = value === undefined || value === null ? '' : String(value);
      return options.escapeHtml ? escapeHtml(text) : text;
    });
  }

  async htmlToText(html: string): Promise<string> {
    return html
      .replace(/<\/(p|div|h[1-6]|blockquote|li)>\s*/gi, '\n\n')
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(/<[^>]*>/g, '')
      .replace(/&(?:amp|lt|gt|quot|nbsp|#34|#39);/g, (entity) => ENTITIES[entity] ?? entity)
      .replace(/\n{3,}/g, '\n\n')
      .trim();
  }

  async validate(source: string): Promise<TemplateSyntaxError[]> {
    return this.#check(source);
  }

  #check(source: string): TemplateSyntaxError[] {
    const rest = source.replace(OUTPUT, '');
    if (rest.includes('{%')) return [{ message: 'tags are not supported by the in-memory renderer' }];
    if (rest.includes('{{') || rest.includes('}}')) return [{ message: 'output not closed: expected }}' }];
    return [];
  }
}
