export type {
  LiquidFailureKind,
  LiquidOutcome,
  LiquidTemplateRendererConfig,
} from './liquid-engine.js';
export { LIQUID_DEFAULT_LIMITS, LiquidEngine } from './liquid-engine.js';
export { LiquidTemplateRenderer } from './liquid-template-renderer.js';
export type { PiscinaTemplateRendererConfig } from './piscina-template-renderer.js';
export { PISCINA_RENDERER_DEFAULTS, PiscinaTemplateRenderer } from './piscina-template-renderer.js';
export { SanitizeHtmlSanitizer } from './sanitize-html-sanitizer.js';
