import type { AccessPolicy } from '../conversations/policy/access-policy.js';
import { marketplacePolicy } from '../conversations/policy/marketplace-policy.js';
import { requireCapability, tenantEmailOf } from '../conversations/policy/require-capability.js';
import { type AuditEntry, type AuditJson, diffOf, originColumns } from '../kernel/audit/audit-entry.js';
import { isMessagingError, MessagingError } from '../kernel/errors.js';
import type { Actor } from '../kernel/model/participant-ref.js';
import { type Clock, systemClock } from '../kernel/ports/clock.js';
import { TEMPLATE_CODES_SENT_BY_PARLEY } from './model/default-templates.js';
import {
  EMAIL_TEMPLATE_CATEGORIES,
  type EmailTemplate,
  type EmailTemplateCategory,
  type StoreEmailTemplate,
  type TemplateVariables,
} from './model/email-template.js';
import { stripLineBreaks } from './model/outbound-email.js';
import {
  missingVariables,
  type ResolvedEmailTemplate,
  resolveEmailTemplate,
} from './model/resolve-email-template.js';
import type { EmailTemplateRepository } from './ports/email-template-repository.js';
import type { TemplateRenderer } from './ports/template-renderer.js';

export interface EmailTemplatesCoreDependencies {
  /** Who manages the platform's templates and a tenant's overrides; defaults to `marketplacePolicy`. */
  readonly policy?: AccessPolicy;
  readonly templates: EmailTemplateRepository;
  readonly renderer: TemplateRenderer;
  /** Defaults to the wall clock. */
  readonly clock?: Clock;
}

/** What `renderEmail` and the previews return. */
export interface RenderedEmail {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  readonly templateCode: string;
  /** The language of the template actually used (the recipient's, or `en` as a fallback). */
  readonly language: string;
  /** `store` when a store's override was used. */
  readonly source: 'platform' | 'store';
}

export interface RenderEmailInput {
  readonly code: string;
  /** The recipient's language (e.g. `fr`). */
  readonly language: string;
  /** The store whose overrides apply; null for platform mail. */
  readonly storeId: string | null;
  readonly variables: TemplateVariables;
}

/** A partial update of a platform template: absent keeps the value. */
export interface UpdateEmailTemplateInput {
  readonly name?: string;
  readonly description?: string;
  readonly subject?: string;
  readonly bodyHtml?: string;
  /** Null: generate the plain text from the HTML. */
  readonly bodyText?: string | null;
  readonly isActive?: boolean;
  readonly isPlatformOnly?: boolean;
  /** One of `EMAIL_TEMPLATE_CATEGORIES`; required to create the first language of a new code. */
  readonly category?: string;
}

/** What `savePlatformTemplate` did. */
export interface SavedEmailTemplate {
  readonly template: EmailTemplate;
  /** True when this (code, language) did not exist before. */
  readonly created: boolean;
}

/** A store's override as a whole (PUT). */
export interface SaveStoreEmailTemplateInput {
  readonly subject: string;
  readonly bodyHtml: string;
  readonly bodyText?: string | null;
  readonly isActive?: boolean;
}

/** A template a store may override, with its override when it has one. */
export interface StoreEmailTemplateView {
  readonly template: EmailTemplate;
  readonly override: StoreEmailTemplate | null;
}

/** Email templates: platform templates (admins), store overrides (store users) and rendering. */
export interface EmailTemplatesCore {
  listPlatformTemplates(actor: Actor): Promise<EmailTemplate[]>;
  getPlatformTemplate(actor: Actor, code: string, language: string): Promise<EmailTemplate>;
  updatePlatformTemplate(
    actor: Actor,
    code: string,
    language: string,
    input: UpdateEmailTemplateInput,
  ): Promise<EmailTemplate>;
  /**
   * Creates a platform template — any code, category and language — or updates an existing one
   * (then as `updatePlatformTemplate`). A new language of an existing code takes the code's
   * name, description, category, variables and flags unless given; the first language of a new
   * code needs `category`, and every new one `subject` and `bodyHtml`.
   */
  savePlatformTemplate(
    actor: Actor,
    code: string,
    language: string,
    input: UpdateEmailTemplateInput,
  ): Promise<SavedEmailTemplate>;
  /**
   * Deletes one language version of a platform template. Refused (`CONFLICT`) when it is the last
   * language of a template in use: one Parley sends itself (`TEMPLATE_CODES_SENT_BY_PARLEY`) or
   * one a store overrides.
   */
  deletePlatformTemplate(actor: Actor, code: string, language: string): Promise<void>;
  /** Renders the platform template itself (no overrides, no fallback). */
  previewPlatformTemplate(
    actor: Actor,
    code: string,
    language: string,
    variables: TemplateVariables,
  ): Promise<RenderedEmail>;
  /** The templates the caller's store may override (not platform-only), with its overrides. */
  listStoreTemplates(actor: Actor): Promise<StoreEmailTemplateView[]>;
  getStoreTemplate(actor: Actor, code: string, language: string): Promise<StoreEmailTemplateView>;
  saveStoreTemplate(
    actor: Actor,
    code: string,
    language: string,
    input: SaveStoreEmailTemplateInput,
  ): Promise<StoreEmailTemplateView>;
  deleteStoreTemplate(actor: Actor, code: string, language: string): Promise<void>;
  /** Renders (code, language) for the caller's store with the full resolution. */
  previewStoreTemplate(
    actor: Actor,
    code: string,
    language: string,
    variables: TemplateVariables,
  ): Promise<RenderedEmail>;
  /** For the notification pipeline: resolve for a recipient, check required variables, render. */
  renderEmail(input: RenderEmailInput): Promise<RenderedEmail>;
}

/** Renderer failures that are the template's fault: the caller learns which part of it. */
const TEMPLATE_LIMIT_CODES: ReadonlySet<string> = new Set(['TEMPLATE_TIMEOUT', 'TEMPLATE_TOO_LARGE']);

/** Re-raises a renderer's limit error with `field` naming the template part at fault. */
async function naming<T>(field: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (isMessagingError(error) && TEMPLATE_LIMIT_CODES.has(error.code)) {
      throw new MessagingError(error.code, `${field}: ${error.message}`, {
        field,
        ...(error.details === undefined ? {} : { details: error.details }),
        cause: error,
      });
    }
    throw error;
  }
}

const LIMITS = { name: 200, description: 2000, subject: 500, body_html: 200_000, body_text: 100_000 };
const LANGUAGE = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/;
const CODE = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * Builds the email template use cases (the composition root calls this once).
 *
 * @example
 * ```ts
 * const templates = createEmailTemplatesCore({ templates: new InMemoryEmailTemplateRepository(), renderer });
 * const email = await templates.renderEmail({ code: 'new_message', language: 'fr', storeId: 'acme', variables });
 * email.subject; // "Nouveau message : Order 42"
 * ```
 */
export function createEmailTemplatesCore(deps: EmailTemplatesCoreDependencies): EmailTemplatesCore {
  const { templates, renderer } = deps;
  const clock = deps.clock ?? systemClock;
  const policy = deps.policy ?? marketplacePolicy;

  function checkKey(code: string, language: string): void {
    if (!CODE.test(code)) throw MessagingError.validation('code', 'code must be snake_case (a-z, 0-9, _)');
    if (!LANGUAGE.test(language))
      throw MessagingError.validation('language', 'language must be a language tag such as en or pt-BR');
  }

  async function checkSource(field: keyof typeof LIMITS, source: string): Promise<void> {
    if (source.length > LIMITS[field])
      throw MessagingError.validation(field, `${field} must be at most ${LIMITS[field]} characters`);
    if ((field === 'subject' || field === 'body_html') && source.trim() === '')
      throw MessagingError.validation(field, `${field} must not be empty`);
    const errors = await naming(field, renderer.validate(source));
    const first = errors[0];
    if (first !== undefined) {
      const where = first.line === undefined ? '' : ` (line ${first.line})`;
      throw new MessagingError('VALIDATION', `${field} is not a valid template${where}: ${first.message}`, {
        field,
        details: { errors },
      });
    }
  }

  async function platformTemplate(code: string, language: string): Promise<EmailTemplate> {
    checkKey(code, language);
    const template = await templates.getPlatformTemplate(code, language);
    if (template === null) throw MessagingError.notFound('email template', `${code}/${language}`);
    return template;
  }

  function categoryOf(value: string): EmailTemplateCategory {
    if (!(EMAIL_TEMPLATE_CATEGORIES as readonly string[]).includes(value))
      throw MessagingError.validation(
        'category',
        `category must be one of ${EMAIL_TEMPLATE_CATEGORIES.join(', ')}`,
      );
    return value as EmailTemplateCategory;
  }

  /** Applies a partial update and checks the result (names, lengths, Liquid sources). */
  async function updated(current: EmailTemplate, input: UpdateEmailTemplateInput): Promise<EmailTemplate> {
    const next: EmailTemplate = {
      ...current,
      ...(input.name === undefined ? {} : { name: input.name }),
      ...(input.description === undefined ? {} : { description: input.description }),
      ...(input.category === undefined ? {} : { category: categoryOf(input.category) }),
      ...(input.subject === undefined ? {} : { subject: input.subject }),
      ...(input.bodyHtml === undefined ? {} : { bodyHtml: input.bodyHtml }),
      ...(input.bodyText === undefined ? {} : { bodyText: input.bodyText }),
      ...(input.isActive === undefined ? {} : { isActive: input.isActive }),
      ...(input.isPlatformOnly === undefined ? {} : { isPlatformOnly: input.isPlatformOnly }),
      updatedAt: clock.now(),
    };
    if (next.name.trim() === '' || next.name.length > LIMITS.name)
      throw MessagingError.validation('name', `name must be 1 to ${LIMITS.name} characters`);
    if (next.description.length > LIMITS.description)
      throw MessagingError.validation(
        'description',
        `description must be at most ${LIMITS.description} characters`,
      );
    await checkSource('subject', next.subject);
    await checkSource('body_html', next.bodyHtml);
    if (next.bodyText !== null) await checkSource('body_text', next.bodyText);
    return next;
  }

  async function overridable(code: string, language: string): Promise<EmailTemplate> {
    const template = await platformTemplate(code, language);
    const all = await templates.listPlatformTemplates(code);
    if (all.some((t) => t.isPlatformOnly))
      throw MessagingError.forbidden(`email template ${code} is platform-only: stores may not override it`);
    return template;
  }

  async function render(
    chosen: Pick<ResolvedEmailTemplate, 'subject' | 'bodyHtml' | 'bodyText' | 'template' | 'language'>,
    variables: TemplateVariables,
    source: RenderedEmail['source'],
  ): Promise<RenderedEmail> {
    const missing = missingVariables(chosen.template.requiredVariables, variables);
    if (missing.length > 0) {
      throw new MessagingError('VALIDATION', `missing required template variables: ${missing.join(', ')}`, {
        field: 'variables',
        details: { missing },
      });
    }
    const subject = stripLineBreaks(
      await naming('subject', renderer.render(chosen.subject, variables, { escapeHtml: false })),
    );
    const html = await naming('body_html', renderer.render(chosen.bodyHtml, variables, { escapeHtml: true }));
    const text =
      chosen.bodyText === null || chosen.bodyText.trim() === ''
        ? await naming('body_html', renderer.htmlToText(html))
        : await naming('body_text', renderer.render(chosen.bodyText, variables, { escapeHtml: false }));
    return { subject, html, text, templateCode: chosen.template.code, language: chosen.language, source };
  }

  async function renderEmail(input: RenderEmailInput): Promise<RenderedEmail> {
    checkKey(input.code, input.language);
    const platform = await templates.listPlatformTemplates(input.code);
    const overrides =
      input.storeId === null ? [] : await templates.listStoreTemplates(input.storeId, input.code);
    const resolved = resolveEmailTemplate({ language: input.language, platform, overrides });
    if (resolved === null) throw MessagingError.notFound('email template', `${input.code}/${input.language}`);
    return render(resolved, input.variables, resolved.override === null ? 'platform' : 'store');
  }

  /** The audit row of a template write by `actor` (bodies as length and digest: the row stays small). */
  const audit = (
    actor: Actor,
    action: string,
    tenantId: string | null,
    code: string,
    language: string,
    before: TemplateFields | null,
    after: TemplateFields | null,
  ): AuditEntry => {
    const { role, ...request } = originColumns(actor.origin);
    return {
      actor: { type: actor.type, id: actor.id, role },
      tenantId,
      action,
      target: { type: 'email_template', id: `${code}/${language}` },
      ...request,
      occurredAt: clock.now(),
      diff: after === null ? {} : diffOf(before === null ? null : fieldsOf(before), fieldsOf(after)),
    };
  };

  return {
    async listPlatformTemplates(actor) {
      requireCapability(policy, actor, 'manage_platform_email_templates');
      return templates.listPlatformTemplates();
    },
    async getPlatformTemplate(actor, code, language) {
      requireCapability(policy, actor, 'manage_platform_email_templates');
      return platformTemplate(code, language);
    },
    async updatePlatformTemplate(actor, code, language, input) {
      requireCapability(policy, actor, 'manage_platform_email_templates');
      const current = await platformTemplate(code, language);
      const next = await updated(current, input);
      return templates.savePlatformTemplate(
        next,
        audit(actor, 'email_template.update', null, code, language, current, next),
      );
    },
    async savePlatformTemplate(actor, code, language, input) {
      requireCapability(policy, actor, 'manage_platform_email_templates');
      checkKey(code, language);
      const current = await templates.getPlatformTemplate(code, language);
      if (current !== null) {
        const next = await updated(current, input);
        return {
          template: await templates.savePlatformTemplate(
            next,
            audit(actor, 'email_template.update', null, code, language, current, next),
          ),
          created: false,
        };
      }
      // A new language of a known code shares its description; a new code starts from the input.
      const sibling = (await templates.listPlatformTemplates(code))[0];
      if (sibling === undefined && input.category === undefined)
        throw MessagingError.validation('category', 'category is required to create a new template');
      if (input.subject === undefined)
        throw MessagingError.validation('subject', 'subject is required to create a template');
      if (input.bodyHtml === undefined)
        throw MessagingError.validation('body_html', 'body_html is required to create a template');
      const now = clock.now();
      const draft: EmailTemplate = {
        code,
        language,
        name: sibling?.name ?? code,
        description: sibling?.description ?? '',
        category: sibling?.category ?? categoryOf(input.category ?? ''),
        subject: input.subject,
        bodyHtml: input.bodyHtml,
        bodyText: null,
        variables: sibling?.variables ?? [],
        requiredVariables: sibling?.requiredVariables ?? [],
        isActive: true,
        isPlatformOnly: sibling?.isPlatformOnly ?? false,
        createdAt: now,
        updatedAt: now,
      };
      const next = await updated(draft, input);
      return {
        template: await templates.savePlatformTemplate(
          next,
          audit(actor, 'email_template.create', null, code, language, null, next),
        ),
        created: true,
      };
    },
    async deletePlatformTemplate(actor, code, language) {
      requireCapability(policy, actor, 'manage_platform_email_templates');
      await platformTemplate(code, language);
      const languages = await templates.listPlatformTemplates(code);
      if (languages.length <= 1) {
        const inUse =
          TEMPLATE_CODES_SENT_BY_PARLEY.includes(code) || (await templates.countStoreOverrides(code)) > 0;
        if (inUse)
          throw new MessagingError(
            'CONFLICT',
            `${code}/${language} is the last language of email template ${code}, which is in use`,
          );
      }
      const deleted = audit(actor, 'email_template.delete', null, code, language, null, null);
      if (!(await templates.deletePlatformTemplate(code, language, deleted)))
        throw MessagingError.notFound('email template', `${code}/${language}`);
    },
    async previewPlatformTemplate(actor, code, language, variables) {
      requireCapability(policy, actor, 'manage_platform_email_templates');
      const template = await platformTemplate(code, language);
      return render({ ...template, template }, variables, 'platform');
    },
    async listStoreTemplates(actor) {
      const storeId = tenantEmailOf(policy, actor);
      const all = await templates.listPlatformTemplates();
      const platformOnly = new Set(all.filter((t) => t.isPlatformOnly).map((t) => t.code));
      const overrides = await templates.listStoreTemplates(storeId);
      const key = (code: string, language: string) => `${code}\u0000${language}`;
      const byKey = new Map(overrides.map((o) => [key(o.code, o.language), o]));
      return all
        .filter((t) => !platformOnly.has(t.code))
        .map((template) => ({
          template,
          override: byKey.get(key(template.code, template.language)) ?? null,
        }));
    },
    async getStoreTemplate(actor, code, language) {
      const storeId = tenantEmailOf(policy, actor);
      const template = await overridable(code, language);
      return { template, override: await templates.getStoreTemplate(storeId, code, language) };
    },
    async saveStoreTemplate(actor, code, language, input) {
      const storeId = tenantEmailOf(policy, actor);
      const template = await overridable(code, language);
      await checkSource('subject', input.subject);
      await checkSource('body_html', input.bodyHtml);
      const bodyText = input.bodyText ?? null;
      if (bodyText !== null) await checkSource('body_text', bodyText);
      const now = clock.now();
      const previous = await templates.getStoreTemplate(storeId, code, language);
      const next: StoreEmailTemplate = {
        storeId,
        code,
        language,
        subject: input.subject,
        bodyHtml: input.bodyHtml,
        bodyText,
        isActive: input.isActive ?? true,
        createdAt: now,
        updatedAt: now,
      };
      const override = await templates.saveStoreTemplate(
        next,
        audit(actor, 'email_template_override.save', storeId, code, language, previous, next),
      );
      return { template, override };
    },
    async deleteStoreTemplate(actor, code, language) {
      const storeId = tenantEmailOf(policy, actor);
      checkKey(code, language);
      const deleted = audit(actor, 'email_template_override.delete', storeId, code, language, null, null);
      if (!(await templates.deleteStoreTemplate(storeId, code, language, deleted)))
        throw MessagingError.notFound('email template override', `${code}/${language}`);
    },
    async previewStoreTemplate(actor, code, language, variables) {
      const storeId = tenantEmailOf(policy, actor);
      // What the store's recipients in that language get: fallbacks and platform-only included.
      return renderEmail({ code, language, storeId, variables });
    },
    renderEmail,
  };
}

/** What a template write's audit diff compares. */
type TemplateFields = Pick<EmailTemplate, 'subject' | 'bodyHtml' | 'bodyText' | 'isActive'> &
  Partial<Pick<EmailTemplate, 'name' | 'description' | 'category'>>;

function fieldsOf(template: TemplateFields): Record<string, AuditJson> {
  return {
    ...(template.name === undefined ? {} : { name: template.name }),
    ...(template.description === undefined ? {} : { description: template.description }),
    ...(template.category === undefined ? {} : { category: template.category }),
    subject: template.subject,
    body_html: digestOf(template.bodyHtml),
    body_text: template.bodyText === null ? null : digestOf(template.bodyText),
    is_active: template.isActive,
  };
}

/** `<length> chars, fnv1a <hex>`: says whether a body changed without storing it. */
function digestOf(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${text.length} chars, fnv1a ${hash.toString(16).padStart(8, '0')}`;
}
