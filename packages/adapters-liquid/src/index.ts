export type { LiquidTemplateRendererConfig } from './liquid-template-renderer.js';
export { LIQUID_DEFAULT_LIMITS, LiquidTemplateRenderer } from './liquid-template-renderer.js';
export { SanitizeHtmlSanitizer } from './sanitize-html-sanitizer.js';
