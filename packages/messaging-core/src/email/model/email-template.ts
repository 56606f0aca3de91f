/** What a platform email template is for. */
export const EMAIL_TEMPLATE_CATEGORIES = ['auth', 'orders', 'billing', 'system', 'marketing'] as const;
export type EmailTemplateCategory = (typeof EMAIL_TEMPLATE_CATEGORIES)[number];

/** The language every template falls back to when the recipient's has none. */
export const DEFAULT_TEMPLATE_LANGUAGE = 'en';

/** A variable a template may use, documented for the people who edit it. */
export interface TemplateVariable {
  readonly name: string;
  readonly description: string;
}

/** One value a template outputs (Liquid `{{ name }}`). */
export type TemplateScalar = string | number | boolean | null;

/**
 * The values a template is rendered with (Liquid `{{ name }}`): scalars, or a list of flat
 * records for `{% for item in list %}{{ item.field }}{% endfor %}` (a digest's conversations).
 * Nothing deeper: a template reaches plain data only.
 */
export type TemplateVariables = Readonly<
  Record<string, TemplateScalar | readonly Readonly<Record<string, TemplateScalar>>[]>
>;

/**
 * A platform template, one per (code, language). `subject`, `bodyHtml` and `bodyText` are Liquid
 * sources; `bodyText` null means "generate it from the HTML".
 */
export interface EmailTemplate {
  readonly code: string;
  readonly language: string;
  readonly name: string;
  readonly description: string;
  readonly category: EmailTemplateCategory;
  readonly subject: string;
  readonly bodyHtml: string;
  readonly bodyText: string | null;
  readonly variables: readonly TemplateVariable[];
  /** Rendering fails, naming them, when any of these is absent, null or empty. */
  readonly requiredVariables: readonly string[];
  readonly isActive: boolean;
  /** Stores may not override it (their overrides, if any, are ignored). */
  readonly isPlatformOnly: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A store's override of a platform template, one per (store, code, language). */
export interface StoreEmailTemplate {
  readonly storeId: string;
  readonly code: string;
  readonly language: string;
  readonly subject: string;
  readonly bodyHtml: string;
  readonly bodyText: string | null;
  readonly isActive: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
