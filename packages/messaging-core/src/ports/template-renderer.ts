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
 * and must bound the work one render may do. Errors are `MessagingError`s (`VALIDATION`, field
 * `template`, for a source that does not parse or a render that exceeds its limits).
 *
 * @example
 * ```ts
 * await renderer.render('Hi {{ name }}', { name: '<b>Ann</b>' }, { escapeHtml: true }); // "Hi &lt;b&gt;Ann&lt;/b&gt;"
 * renderer.htmlToText('<p>Hi <b>Ann</b></p>'); // "Hi Ann"
 * renderer.validate('{% if %}'); // [{ message: '…' }]
 * ```
 */
export interface TemplateRenderer {
  /** @example `await renderer.render('{{ a }}', { a: 1 }, { escapeHtml: false })` → `"1"` */
  render(source: string, variables: TemplateVariables, options: RenderOptions): Promise<string>;
  /** Plain text for an HTML body. @example `renderer.htmlToText('<p>a</p><p>b</p>')` → `"a\n\nb"` */
  htmlToText(html: string): string;
  /** Syntax errors in a source; empty when it parses. @example `renderer.validate('{{ a }}')` → `[]` */
  validate(source: string): TemplateSyntaxError[];
}
