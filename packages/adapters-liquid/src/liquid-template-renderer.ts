import type {
  RenderOptions,
  TemplateRenderer,
  TemplateSyntaxError,
  TemplateVariables,
} from '@parley/messaging-core';
import { LiquidEngine, type LiquidTemplateRendererConfig } from './liquid-engine.js';
import { unwrapOutcome } from './liquid-outcome.js';

/**
 * `TemplateRenderer` on LiquidJS, configured for templates written by untrusted people: only
 * variables' own properties are readable, there is no filesystem (`include`, `render`, `layout`
 * do not exist), unknown filters are errors, and parse size, render time, render memory and
 * output length are bounded. HTML bodies escape every output (`outputEscape: 'escape'`); subjects
 * and plain text do not. Plain text from HTML comes from `html-to-text`.
 *
 * It works **on the caller's thread**: a render blocks the event loop for as long as it runs (up
 * to the render limit, and parsing or converting a large body is not interruptible at all). Use
 * it for tests and tools; a server rendering store-authored templates uses
 * `PiscinaTemplateRenderer`, which runs the same engine in worker threads.
 *
 * @example
 * ```ts
 * const renderer = new LiquidTemplateRenderer();
 * await renderer.render('<p>{{ name }}</p>', { name: '<b>' }, { escapeHtml: true }); // "<p>&lt;b&gt;</p>"
 * ```
 */
export class LiquidTemplateRenderer implements TemplateRenderer {
  readonly #engine: LiquidEngine;

  constructor(config: LiquidTemplateRendererConfig = {}) {
    this.#engine = new LiquidEngine(config);
  }

  async render(source: string, variables: TemplateVariables, options: RenderOptions): Promise<string> {
    return unwrapOutcome(this.#engine.render(source, variables, options));
  }

  async htmlToText(html: string): Promise<string> {
    return unwrapOutcome(this.#engine.htmlToText(html));
  }

  async validate(source: string): Promise<TemplateSyntaxError[]> {
    return this.#engine.validate(source);
  }
}
