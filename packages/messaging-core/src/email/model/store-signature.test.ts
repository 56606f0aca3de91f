import { describe, expect, it } from 'vitest';
import { withStoreSignature } from './store-signature.js';

const strip = { sanitize: (html: string) => html.replace(/<script[\s\S]*?<\/script>/g, '') };

describe('withStoreSignature', () => {
  it('adds the text signature after "-- " and the sanitized HTML signature before </body>', () => {
    expect(
      withStoreSignature(
        { text: 'Hello\n', html: '<html><body><p>Hello</p></body></html>' },
        { signatureText: 'Acme\nhttps://acme.example', signatureHtml: '<b>Acme</b><script>x()</script>' },
        strip,
      ),
    ).toEqual({
      text: 'Hello\n\n-- \nAcme\nhttps://acme.example',
      html: '<html><body><p>Hello</p><div class="parley-signature"><b>Acme</b></div>\n</body></html>',
    });
  });

  it('escapes the text signature into the HTML part without an HTML one, or without a sanitizer', () => {
    const settings = { signatureText: 'Acme <Shop>\nSince 1999', signatureHtml: '<b>Acme</b>' };
    expect(withStoreSignature({ text: 'Hi', html: '<p>Hi</p>' }, settings, undefined).html).toBe(
      '<p>Hi</p>\n<div class="parley-signature">Acme &lt;Shop&gt;<br>Since 1999</div>',
    );
    expect(
      withStoreSignature({ text: 'Hi', html: '<p>Hi</p>' }, { ...settings, signatureHtml: null }, strip).html,
    ).toBe('<p>Hi</p>\n<div class="parley-signature">Acme &lt;Shop&gt;<br>Since 1999</div>');
  });

  it('changes nothing without a signature, and only the HTML part for an HTML-only one', () => {
    const body = { text: 'Hi', html: '<p>Hi</p>' };
    expect(withStoreSignature(body, null, strip)).toBe(body);
    expect(withStoreSignature(body, { signatureText: '  ', signatureHtml: null }, strip)).toBe(body);
    expect(withStoreSignature(body, { signatureText: null, signatureHtml: '<i>Acme</i>' }, strip)).toEqual({
      text: 'Hi',
      html: '<p>Hi</p>\n<div class="parley-signature"><i>Acme</i></div>',
    });
  });
});
