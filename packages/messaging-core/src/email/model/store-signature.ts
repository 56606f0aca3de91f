import type { HtmlSanitizer } from '../ports/html-sanitizer.js';
import type { StoreEmailSettings } from './store-email-settings.js';

/** A body, its text and HTML parts. */
export interface EmailBody {
  readonly text: string;
  readonly html?: string;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * Appends a store's signature to an email: `signatureText` to the text part after the usual
 * `-- ` separator; to the HTML part, `signatureHtml` passed through the sanitizer (the store wrote
 * it: it is untrusted), else — no HTML signature, no sanitizer, or nothing left after sanitizing —
 * `signatureText` escaped with its line breaks kept. The HTML signature goes before `</body>`
 * when the body has one. Pure.
 *
 * @example
 * ```ts
 * withStoreSignature({ text: 'Hi', html: '<p>Hi</p>' }, { signatureText: 'Acme', signatureHtml: '<b>Acme</b>' }, sanitizer);
 * // { text: "Hi\n\n-- \nAcme", html: '<p>Hi</p>\n<div class="parley-signature"><b>Acme</b></div>' }
 * ```
 */
export function withStoreSignature(
  body: EmailBody,
  settings: Pick<StoreEmailSettings, 'signatureText' | 'signatureHtml'> | null,
  sanitizer: HtmlSanitizer | undefined,
): EmailBody {
  const text = settings?.signatureText?.trim() ?? '';
  const html = settings?.signatureHtml?.trim() ?? '';
  if (text === '' && html === '') return body;
  const signedText = text === '' ? body.text : `${body.text.replace(/\s+$/, '')}\n\n-- \n${text}`;
  if (body.html === undefined) return { text: signedText };
  const sanitized = html !== '' && sanitizer !== undefined ? sanitizer.sanitize(html).trim() : '';
  const inner = sanitized !== '' ? sanitized : escapeHtml(text).replace(/\r?\n/g, '<br>');
  if (inner === '') return { text: signedText, html: body.html };
  const block = `<div class="parley-signature">${inner}</div>`;
  const closing = body.html.toLowerCase().lastIndexOf('</body>');
  const signedHtml =
    closing === -1
      ? `${body.html}\n${block}`
      : `${body.html.slice(0, closing)}${block}\n${body.html.slice(closing)}`;
  return { text: signedText, html: signedHtml };
}
