import type { TemplateVariables } from '../model/email-template.js';

/** A syntax error in a template source, as the engine reports it. */
export interface TemplateSyntaxError {
  readonly message: string;
  /** 1-based, when the engine knows it. */
  readonly line?: number;
}

export interface RenderOptions {
  /** HTML-escape every variable output (HTML bodies); false for subjects and plain text. */
  readonly escapeHtml: boolean;
}

/**
 * Renders template sources written by untrusted people (store staff): an implementation must not
 * let a template reach JavaScript objects, prototypes, functions, the filesystem or the environment,
 * and must bound the work one render may do. Every method is asynchronous because parsing a large
 * source, rendering and converting a large body each cost real CPU time: an implementation serving
 * many tenants does that work off the caller's thread, so one store's template cannot stall others.
 *
 * Errors are `MessagingError`s with field `template`:
 * - `VALIDATION`: the source does not parse, or uses what the engine refuses;
 * - `TEMPLATE_TIMEOUT`: the work ran past the time limit;
 * - `TEMPLATE_TOO_LARGE`: the work needed more memory, or produced more output, than allowed;
 * - `TEMPLATE_RENDERER_BUSY`: too much work is already waiting (a flood is refused, not queued
 *   forever); worth retrying later.
 *
 * @example
 * ```ts
 * await renderer.render('Hi {{ name }}', { name: '<b>Ann</b>' }, { escapeHtml: true }); // "Hi &lt;b&gt;Ann&lt;/b&gt;"
 * await renderer.htmlToText('<p>Hi <b>Ann</b></p>'); // "Hi Ann"
 * await renderer.validate('{% if %}'); // [{ message: '…' }]
 * ```
 */
export interface TemplateRenderer {
  /** @example `await renderer.render('{{ a }}', { a: 1 }, { escapeHtml: false })` → `"1"` */
  render(source: string, variables: TemplateVariables, options: RenderOptions): Promise<string>;
  /**
   * Plain text for an HTML body (rendered from an untrusted template, so bounded like a render).
   * @example `await renderer.htmlToText('<p>a</p><p>b</p>')` → `"a\n\nb"`
   */
  htmlToText(html: string): Promise<string>;
  /**
   * Syntax errors in a source; empty when it parses. Rejects only for the limits above.
   * @example `await renderer.validate('{{ a }}')` → `[]`
   */
  validate(source: string): Promise<TemplateSyntaxError[]>;
}
