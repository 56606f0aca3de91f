import { createEmailCore, type EmailCore } from '../email/email-core.js';
import { createEmailTemplatesCore, type EmailTemplatesCore } from '../email/email-templates-core.js';
import type { TemplateVariables } from '../email/model/email-template.js';
import type {
  RenderOptions,
  TemplateRenderer,
  TemplateSyntaxError,
} from '../email/ports/template-renderer.js';
import { InMemoryEmailLogRepository } from '../email/testing/in-memory-email-log-repository.js';
import { InMemoryEmailTemplateRepository } from '../email/testing/in-memory-email-template-repository.js';
import { InMemoryMailTransportFactory } from '../email/testing/in-memory-mail-transport-factory.js';
import { InMemoryOutboundAddressGuard } from '../email/testing/in-memory-outbound-address-guard.js';
import { InMemoryStoreEmailSettingsRepository } from '../email/testing/in-memory-store-email-settings-repository.js';
import { InMemoryTemplateRenderer } from '../email/testing/in-memory-template-renderer.js';
import { ReversibleSecretCipher } from '../email/testing/reversible-secret-cipher.js';
import type { Actor } from '../kernel/model/participant-ref.js';
import { FixedClock } from '../kernel/testing/fixed-clock.js';
import { SequentialIds } from '../kernel/testing/sequential-ids.js';
import type { NotificationQueue } from '../notifications/ports/notification-queue.js';
import {
  type NotificationDependencies,
  type NotificationOptions,
  type ProcessNotificationsResult,
  processNotifications,
} from '../notifications/use-cases/process-notifications.js';
import { createInMemoryMessaging, type InMemoryMessaging } from './in-memory-messaging.js';

const IF_GREATER = /\{%\s*if\s+(\w+)\s*>\s*(\d+)\s*%\}([\s\S]*?)\{%\s*else\s*%\}([\s\S]*?)\{%\s*endif\s*%\}/g;

/**
 * The in-memory renderer plus the one tag the seeded `new_message` template uses
 * (`{% if n > k %}…{% else %}…{% endif %}`), so core tests render the real templates.
 */
export class BranchingTemplateRenderer implements TemplateRenderer {
  readonly #inner = new InMemoryTemplateRenderer();

  async render(source: string, variables: TemplateVariables, options: RenderOptions): Promise<string> {
    const chosen = source.replace(
      IF_GREATER,
      (_, name: string, bound: string, then: string, otherwise: string) =>
        Number(variables[name]) > Number(bound) ? then : otherwise,
    );
    return this.#inner.render(chosen, variables, options);
  }

  htmlToText(html: string): Promise<string> {
    return this.#inner.htmlToText(html);
  }

  validate(source: string): Promise<TemplateSyntaxError[]> {
    return this.#inner.validate(source.replace(IF_GREATER, '$3$4'));
  }
}

export interface InMemoryNotificationsOptions extends NotificationOptions {
  readonly start?: Date;
  /** Wraps the store's queue (e.g. to simulate a worker crashing). */
  readonly wrapQueue?: (queue: NotificationQueue) => NotificationQueue;
  /** Wraps rendering (e.g. to simulate a worker stalling, or a template engine failing). */
  readonly wrapRenderEmail?: (
    render: NotificationDependencies['renderEmail'],
  ) => NotificationDependencies['renderEmail'];
  /** `reply_url` template (default `https://parley.test/inbox/c/{conversation_id}`). */
  readonly inboxUrlTemplate?: string;
  readonly random?: () => number;
  /** Default `BranchingTemplateRenderer`. */
  readonly renderer?: TemplateRenderer;
  /** People's preferences (absent: everyone `immediate`). */
  readonly preferences?: NonNullable<NotificationDependencies['preferences']>;
}

/** The messaging core, the email use cases and the notification pipeline, all in memory. */
export interface InMemoryNotifications extends InMemoryMessaging {
  readonly clock: FixedClock;
  readonly email: EmailCore;
  readonly templates: EmailTemplatesCore;
  readonly emailLogs: InMemoryEmailLogRepository;
  readonly transports: InMemoryMailTransportFactory;
  /** A store user of `acme` (Sam, en). */
  readonly storeUser: Actor;
  /** A customer of `acme` (Ana, fr). */
  readonly customer: Actor;
  /** A platform admin (Ada, de). */
  readonly admin: Actor;
  /** Drains the event dispatcher (the email subscriber enqueues jobs), then one worker run at the clock's time. */
  run(workerId?: string, limit?: number): Promise<ProcessNotificationsResult>;
}

/**
 * A ready pipeline for tests: store `acme` with Sam (store user, en), Ana (customer, fr) and Ada
 * (admin, de); mail goes to `transports.platform`.
 *
 * @example
 * ```ts
 * const n = await createInMemoryNotifications();
 * await n.run();
 * n.transports.platform.sent.length;
 * ```
 */
export async function createInMemoryNotifications(
  options: InMemoryNotificationsOptions = {},
): Promise<InMemoryNotifications> {
  const clock = new FixedClock(options.start ?? new Date('2026-05-01T08:00:00.000Z'));
  const messaging = createInMemoryMessaging({ clock });
  const at = clock.now();
  const { directory } = messaging;
  await directory.upsertStore({ id: 'acme', name: 'Acme', tier: 'business' }, at);
  await directory.upsertPlatformUser(
    { id: 'u-sam', name: 'Sam', email: 'sam@acme.test', role: 'store', storeId: 'acme', locale: 'en' },
    at,
  );
  await directory.upsertPlatformUser(
    { id: 'a-ada', name: 'Ada', email: 'ada@parley.test', role: 'admin', storeId: null, locale: 'de' },
    at,
  );
  await directory.upsertCustomer(
    { id: 'c-ana', storeId: 'acme', name: 'Ana', email: 'ana@example.com', locale: 'fr' },
    at,
  );
  const emailLogs = new InMemoryEmailLogRepository();
  const transports = new InMemoryMailTransportFactory();
  const email = createEmailCore({
    directory,
    emailSettings: new InMemoryStoreEmailSettingsRepository(directory),
    emailLogs,
    cipher: new ReversibleSecretCipher({ currentKeyId: 'k1' }),
    transports,
    outboundGuard: new InMemoryOutboundAddressGuard(),
    platformFrom: { address: 'no-reply@parley.test', name: 'Parley' },
    clock,
    ids: new SequentialIds('log'),
  });
  const templates = createEmailTemplatesCore({
    templates: new InMemoryEmailTemplateRepository({ directory }),
    renderer: options.renderer ?? new BranchingTemplateRenderer(),
    clock,
  });
  const queue = options.wrapQueue
    ? options.wrapQueue(messaging.store.notifications)
    : messaging.store.notifications;
  const { start: _start, wrapQueue: _wrap, wrapRenderEmail, renderer: _renderer, ...tunables } = options;
  const render: NotificationDependencies['renderEmail'] = (input) => templates.renderEmail(input);
  return {
    ...messaging,
    clock,
    email,
    templates,
    emailLogs,
    transports,
    storeUser: { type: 'store', id: 'u-sam', tenantId: 'acme' },
    customer: { type: 'customer', id: 'c-ana', tenantId: 'acme' },
    admin: { type: 'admin', id: 'a-ada', tenantId: null },
    // A worker run after the email subscriber caught up, as the API's dispatcher would have.
    run: async (workerId = 'worker-1', limit = 50) => {
      await messaging.dispatcher.drain();
      return processNotifications(
        {
          ...tunables,
          queue,
          conversations: messaging.store.conversations,
          messages: messaging.store.messages,
          directory,
          emailLogs,
          renderEmail: wrapRenderEmail ? wrapRenderEmail(render) : render,
          sendEmail: (input) => email.sendEmail(input),
          publicUrl: 'https://parley.test',
          policy: messaging.core.policy,
          clock,
        },
        { workerId, now: clock.now(), limit },
      );
    },
  };
}
