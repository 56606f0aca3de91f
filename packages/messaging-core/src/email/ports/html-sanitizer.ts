/**
 * Makes untrusted HTML (a store's email signature) safe to embed in an email Parley sends. Pure:
 * no I/O.
 *
 * An implementation keeps formatting (paragraphs, line breaks, emphasis, lists, simple tables),
 * links with `http:`, `https:` or `mailto:` targets, and images with `https:` sources; it drops
 * everything that runs or loads on its own (`script`, `style`, `iframe`, `object`, forms, event
 * handler attributes, `javascript:` and `data:` URLs) together with its content where that
 * content is code, and never returns unbalanced markup that could swallow the email around it.
 *
 * @example
 * ```ts
 * sanitizer.sanitize('<p onclick="x()">Acme<script>steal()</script></p>'); // "<p>Acme</p>"
 * ```
 */
export interface HtmlSanitizer {
  sanitize(html: string): string;
}
