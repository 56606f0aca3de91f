import { DEFAULT_TEMPLATE_LANGUAGE, type EmailTemplate, type StoreEmailTemplate } from './email-template.js';

/** The template a recipient gets, and where it came from. */
export interface ResolvedEmailTemplate {
  /** The platform template at the chosen language (its required variables apply). */
  readonly template: EmailTemplate;
  /** The store's override used, or null when the platform template is used as is. */
  readonly override: StoreEmailTemplate | null;
  readonly language: string;
  readonly subject: string;
  readonly bodyHtml: string;
  readonly bodyText: string | null;
}

/**
 * Picks the template for a recipient, pure: the store's override in the recipient's language →
 * the platform template in that language → the store's override in `en` → the platform template
 * in `en`. Inactive templates are skipped; when a code is platform-only (any of its platform
 * templates says so) overrides are ignored. An override is only used beside a platform template
 * of the same (code, language). Null when nothing applies.
 *
 * @example
 * ```ts
 * resolveEmailTemplate({ language: 'fr', platform, overrides })?.language; // "fr"
 * ```
 */
export function resolveEmailTemplate(input: {
  readonly language: string;
  /** The code's platform templates (any languages). */
  readonly platform: readonly EmailTemplate[];
  /** The store's overrides of that code (empty without a store). */
  readonly overrides: readonly StoreEmailTemplate[];
}): ResolvedEmailTemplate | null {
  const platformOnly = input.platform.some((t) => t.isPlatformOnly);
  const languages = [...new Set([input.language, DEFAULT_TEMPLATE_LANGUAGE])];
  for (const language of languages) {
    const template = input.platform.find((t) => t.language === language);
    if (template === undefined) continue;
    const override = platformOnly ? undefined : input.overrides.find((o) => o.language === language);
    if (override?.isActive) {
      return {
        template,
        override,
        language,
        subject: override.subject,
        bodyHtml: override.bodyHtml,
        bodyText: override.bodyText,
      };
    }
    if (template.isActive) {
      return {
        template,
        override: null,
        language,
        subject: template.subject,
        bodyHtml: template.bodyHtml,
        bodyText: template.bodyText,
      };
    }
  }
  return null;
}

/** The required variables that are absent, null or empty, in the template's order. */
export function missingVariables(
  required: readonly string[],
  variables: Readonly<Record<string, unknown>>,
): string[] {
  return required.filter((name) => {
    const value = Object.hasOwn(variables, name) ? variables[name] : undefined;
    return value === undefined || value === null || value === '';
  });
}
