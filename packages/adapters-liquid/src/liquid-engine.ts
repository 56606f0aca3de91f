// No runtime import of @parley/messaging-core here (types only): this module also runs inside
// the render worker threads, which load it without the workspace's source condition.
import type { RenderOptions, TemplateSyntaxError, TemplateVariables } from '@parley/messaging-core';
import { convert } from 'html-to-text';
import { Liquid, type LiquidOptions } from 'liquidjs';

/** Bounds on one template's size and one render's work (defaults in `LIQUID_DEFAULT_LIMITS`). */
export interface LiquidTemplateRendererConfig {
  /** Longest source parsed, in characters. */
  readonly parseLimit?: number;
  /** Longest render, in milliseconds (LiquidJS checks it between template nodes). */
  readonly renderLimit?: number;
  /** Most memory one render may allocate (LiquidJS's estimate, roughly bytes of strings and arrays). */
  readonly memoryLimit?: number;
  /** Longest rendered output, and longest HTML turned into text, in characters. */
  readonly outputLimit?: number;
}

export const LIQUID_DEFAULT_LIMITS = {
  parseLimit: 200_000,
  renderLimit: 1_000,
  memoryLimit: 10_000_000,
  // Five times the size at which Gmail clips a message: no real email comes near it, and it
  // bounds what a render hands back (and what html-to-text must walk).
  outputLimit: 500_000,
} as const satisfies Required<LiquidTemplateRendererConfig>;

/** Why a piece of template work failed, as both renderers turn it into a `MessagingError`. */
export type LiquidFailureKind = 'invalid' | 'timeout' | 'too_large';

/** The outcome of one piece of template work: plain data, so it crosses a thread boundary as is. */
export type LiquidOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly kind: LiquidFailureKind; readonly message: string };

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
    parseLimit: limits.parseLimit,
    renderLimit: limits.renderLimit,
    memoryLimit: limits.memoryLimit,
    ...(escapeHtml ? { outputEscape: 'escape' as const } : {}),
  };
  const liquid = new Liquid(options);
  for (const tag of FILE_TAGS) delete liquid.tags[tag];
  return liquid;
}

function isScalar(value: unknown): value is string | number | boolean | null {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/** Copies a record's scalar fields onto a null-prototype object. */
function flatCopy(record: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = Object.create(null);
  if (typeof record !== 'object' || record === null) return copy;
  for (const [name, value] of Object.entries(record)) if (isScalar(value)) copy[name] = value;
  return copy;
}

/**
 * Copies the variables onto null-prototype objects so nothing inherited is reachable: scalars,
 * and lists of flat records (each copied field by field, scalars only).
 */
function scope(variables: TemplateVariables): Record<string, unknown> {
  const copy: Record<string, unknown> = Object.create(null);
  for (const [name, value] of Object.entries(variables)) {
    if (isScalar(value)) copy[name] = value;
    else if (Array.isArray(value)) copy[name] = value.map(flatCopy);
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

/** LiquidJS reports its limits as plain assertion messages ("template render limit exceeded"). */
function failureOf(error: unknown, limits: Required<LiquidTemplateRendererConfig>): LiquidOutcome<never> {
  const message = messageOf(error);
  if (/template render limit exceeded/.test(message))
    return {
      ok: false,
      kind: 'timeout',
      message: `template took longer than ${limits.renderLimit} ms to render`,
    };
  if (/memory alloc limit exceeded/.test(message))
    return { ok: false, kind: 'too_large', message: 'template needs more memory than allowed to render' };
  return { ok: false, kind: 'invalid', message: `template could not be rendered: ${message}` };
}

/**
 * LiquidJS and html-to-text configured for templates written by untrusted people, synchronous
 * and free of Parley's error type: `LiquidTemplateRenderer` runs it on the caller's thread,
 * `PiscinaTemplateRenderer`'s workers run it off the main thread.
 */
export class LiquidEngine {
  readonly #html: Liquid;
  readonly #plain: Liquid;
  readonly #limits: Required<LiquidTemplateRendererConfig>;

  constructor(config: LiquidTemplateRendererConfig = {}) {
    this.#limits = { ...LIQUID_DEFAULT_LIMITS, ...config };
    this.#html = engine(this.#limits, true);
    this.#plain = engine(this.#limits, false);
  }

  render(source: string, variables: TemplateVariables, options: RenderOptions): LiquidOutcome<string> {
    const liquid = options.escapeHtml ? this.#html : this.#plain;
    let output: string;
    try {
      output = liquid.parseAndRenderSync(source, scope(variables));
    } catch (error) {
      return failureOf(error, this.#limits);
    }
    if (output.length > this.#limits.outputLimit) {
      return {
        ok: false,
        kind: 'too_large',
        message: `template output is longer than ${this.#limits.outputLimit} characters`,
      };
    }
    return { ok: true, value: output };
  }

  htmlToText(html: string): LiquidOutcome<string> {
    if (html.length > this.#limits.outputLimit) {
      return {
        ok: false,
        kind: 'too_large',
        message: `HTML to convert is longer than ${this.#limits.outputLimit} characters`,
      };
    }
    const text = convert(html, {
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
    return { ok: true, value: text };
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
