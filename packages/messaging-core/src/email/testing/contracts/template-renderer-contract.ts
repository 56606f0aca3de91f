import { describe, expect, it } from 'vitest';
import type { TemplateRenderer } from '../../ports/template-renderer.js';

export interface TemplateRendererContractOptions {
  readonly name: string;
  readonly renderer: () => TemplateRenderer;
}

/**
 * The behaviour every `TemplateRenderer` must show (engine-specific features such as tags and
 * filters, and the sandboxing, are proven by each adapter's own tests).
 *
 * @example
 * ```ts
 * templateRendererContract({ name: 'liquid', renderer: () => new LiquidTemplateRenderer() });
 * ```
 */
export function templateRendererContract(options: TemplateRendererContractOptions): void {
  describe(`TemplateRenderer contract: ${options.name}`, () => {
    const renderer = options.renderer();

    it('substitutes variables, numbers included, and renders absent ones empty', async () => {
      expect(await renderer.render('Hi {{ name }}!', { name: 'Ann' }, { escapeHtml: false })).toBe('Hi Ann!');
      expect(await renderer.render('{{ n }} new', { n: 3 }, { escapeHtml: false })).toBe('3 new');
      expect(await renderer.render('[{{ missing }}]', {}, { escapeHtml: true })).toBe('[]');
    });

    it('HTML-escapes variables in HTML bodies and leaves the template markup alone', async () => {
      const html = await renderer.render(
        '<p>{{ x }}</p>',
        { x: '<script>alert("x")</script> & co' },
        { escapeHtml: true },
      );
      expect(html.startsWith('<p>')).toBe(true);
      expect(html.endsWith('</p>')).toBe(true);
      expect(html).not.toContain('<script');
      expect(html).toContain('&lt;script&gt;');
      expect(html).toContain('&amp; co');
    });

    it('leaves variables as they are in subjects and plain text', async () => {
      expect(await renderer.render('Re: {{ s }}', { s: '<Tom & Jerry>' }, { escapeHtml: false })).toBe(
        'Re: <Tom & Jerry>',
      );
    });

    it('gives nothing from a variable’s prototype', async () => {
      for (const source of ['{{ name.constructor }}', '{{ name.__proto__ }}', '{{ name.toString }}']) {
        expect(await renderer.render(`[${source}]`, { name: 'Ann' }, { escapeHtml: false })).toBe('[]');
      }
    });

    it('validates syntax', async () => {
      expect(await renderer.validate('Hi {{ name }}')).toEqual([]);
      const errors = await renderer.validate('Hi {{ name');
      expect(errors.length).toBeGreaterThan(0);
      expect(errors[0]?.message).toEqual(expect.any(String));
    });

    it('turns HTML into plain text: tags gone, paragraphs apart, entities decoded', async () => {
      const text = await renderer.htmlToText('<p>Hello <b>Ann</b></p><p>Tom &amp; Jerry &lt;3</p>');
      expect(text).toBe('Hello Ann\n\nTom & Jerry <3');
    });
  });
}
