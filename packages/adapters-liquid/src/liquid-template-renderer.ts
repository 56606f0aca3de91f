import {
  MessagingError,
  type RenderOptions,
  type TemplateRenderer,
  type TemplateSyntaxError,
  type TemplateVariables,
} from '@parley/messaging-core';
import { convert } from 'html-to-text';
import { Liquid, type LiquidOptions } from 'liquidjs';

/** Bounds on one template's size and one render's work (defaults in `LIQUID_DEFAULT_LIMITS`). */
export interface LiquidTemplateRendererConfig {
  /** Longest source parsed, in characters. */
  readonly parseLimit?: number;
  /** Longest render, in milliseconds. */
  readonly renderLimit?: number;
  /** Most memory one render may allocate (LiquidJS's estimate, roughly bytes of strings and arrays). */
  readonly memoryLimit?: number;
}

export const LIQUID_DEFAULT_LIMITS = {
  parseLimit: 200_000,
  renderLimit: 1_000,
  memoryLimit: 10_000_000,
} as const satisfies Required<LiquidTemplateRendererConfig>;

// Tags that read other templates: there are none to read (no filesystem, no partials), and
// removing them makes a template that uses them fail validation instead of failing at send time.
const FILE_TAGS = ['include', 'render', 'layout', 'block'] as const;

function engine(limits: Required<LiquidTemplateRendererConfig>, escapeHtml: boolean): Liquid {
  const options: LiquidOptions = {
    // Only a variable's own properties: no `constructor`, `__proto__`, methods or getters on prototypes.
    ownPropertyOnly: true,
    // An unknown filter is a syntax error, not a silent pass-through.
    strictFilters: true,
    strictVariables: false,
    // Liquid truthiness ("" and 0 are truthy), as in Shopify's Liquid.
    jsTruthy: false,
    // An empty in-memory template map: no filesystem lookups, ever.
    templates: {},
    relativeReference: false,
    dynamicPartials: false,
    cache: false,
    ...limits,
    ...(escapeHtml ? { outputEscape: 'escape' as const } : {}),
  };
  const liquid = new Liquid(options);
  for (const tag of FILE_TAGS) delete liquid.tags[tag];
  return liquid;
}

/** Copies the variables onto a null-prototype object so nothing inherited is reachable. */
function scope(variables: TemplateVariables): Record<string, unknown> {
  const copy: Record<string, unknown> = Object.create(null);
  for (const [name, value] of Object.entries(variables)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) copy[name] = value;
  }
  return copy;
}

function lineOf(error: unknown): number | undefined {
  const token = (error as { token?: { getPosition?: () => [number, number] } }).token;
  const position = token?.getPosition?.();
  return position?.[0];
}

function messageOf(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  // LiquidJS appends the source location ("…, line:1, col:4"); keep the sentence.
  return raw.replace(/, line:\d+, col:\d+$/, '');
}

/**
 * `TemplateRenderer` on LiquidJS, configured for templates written by untrusted people: only
 * variables' own properties are readable, there is no filesystem (`include`, `render`, `layout`
 * do not exist), unknown filters are errors, and parse size, render time and render memory are
 * bounded. HTML bodies escape every output (`outputEscape: 'escape'`); subjects and plain text do not.
 * Plain text from HTML comes from `html-to-text`.
 *
 * @example
 * ```ts
 * const renderer = new LiquidTemplateRenderer();
 * await renderer.render('<p>{{ name }}</p>', { name: '<b>' }, { escapeHtml: true }); // "<p>&lt;b&gt;</p>"
 * ```
 */
export class LiquidTemplateRenderer implements TemplateRenderer {
  readonly #html: Liquid;
  readonly #plain: Liquid;

  constructor(config: LiquidTemplateRendererConfig = {}) {
    const limits = { ...LIQUID_DEFAULT_LIMITS, ...config };
    this.#html = engine(limits, true);
    this.#plain = engine(limits, false);
  }

  async render(source: string, variables: TemplateVariables, options: RenderOptions): Promise<string> {
    const liquid = options.escapeHtml ? this.#html : this.#plain;
    try {
      return await liquid.parseAndRender(source, scope(variables));
    } catch (error) {
      throw new MessagingError('VALIDATION', `template could not be rendered: ${messageOf(error)}`, {
        field: 'template',
        cause: error,
      });
    }
  }

  htmlToText(html: string): string {
    return convert(html, {
      wordwrap: false,
      selectors: [
        { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
        { selector: 'img', format: 'skip' },
        { selector: 'h1', options: { uppercase: false } },
        { selector: 'h2', options: { uppercase: false } },
        { selector: 'h3', options: { uppercase: false } },
        { selector: 'table', format: 'dataTable' },
      ],
    }).trim();
  }

  validate(source: string): TemplateSyntaxError[] {
    try {
      this.#html.parse(source);
      return [];
    } catch (error) {
      const line = lineOf(error);
      return [{ message: messageOf(error), ...(line === undefined ? {} : { line }) }];
    }
  }
}
