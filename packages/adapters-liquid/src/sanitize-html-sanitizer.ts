import type { HtmlSanitizer } from '@parley/messaging-core';
import sanitizeHtml from 'sanitize-html';

/**
 * What a store's HTML signature may keep: formatting, links and https images. No `style`
 * attributes or elements (CSS can load URLs and hide or fake content), no classes or ids (they
 * could borrow the email's own styles), no forms, frames, media or scripts.
 */
const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'a',
    'b',
    'blockquote',
    'br',
    'div',
    'em',
    'hr',
    'i',
    'img',
    'li',
    'ol',
    'p',
    'small',
    'span',
    'strong',
    'sub',
    'sup',
    'table',
    'tbody',
    'td',
    'th',
    'thead',
    'tr',
    'u',
    'ul',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel', 'target'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['https'] },
  allowProtocolRelative: false,
  // Dropped with their content: what they hold is code or styling, never signature text.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'template', 'iframe', 'object'],
  disallowedTagsMode: 'discard',
  // Links leave the email for the store's site: never let the target page reach back.
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer', target: '_blank' }),
  },
};

/**
 * `HtmlSanitizer` on `sanitize-html` (an allow-list parser, not a regex): stores' email signatures
 * are store-authored HTML, so they are treated as untrusted and cleaned before they are added to
 * the emails Parley sends for them.
 *
 * @example
 * ```ts
 * new SanitizeHtmlSanitizer().sanitize('<b>Acme</b><script>x()</script>'); // "<b>Acme</b>"
 * ```
 */
export class SanitizeHtmlSanitizer implements HtmlSanitizer {
  sanitize(html: string): string {
    return sanitizeHtml(html, OPTIONS);
  }
}
