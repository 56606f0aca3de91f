import * as sendgridClientModule from '@sendgrid/client';
import * as sendgridMailModule from '@sendgrid/mail';

/** `@sendgrid/mail`'s `MailService`, typed as the SDK declares its instances. */
export type SendGridMailService = (typeof sendgridMailModule)['default'];
/** `@sendgrid/client`'s `Client`, typed as the SDK declares its instances. */
export type SendGridClient = (typeof sendgridClientModule)['default'];
/** What `MailService.send` resolves with first: status, body and (lower-cased) headers. */
export type SendGridClientResponse = Awaited<ReturnType<SendGridMailService['send']>>[0];

interface SendGridClasses {
  readonly MailService: new () => SendGridMailService;
  readonly Client: new () => SendGridClient;
}

// Both SDK modules are CommonJS whose typings declare only `export =` of a process-wide singleton
// (`sgMail`, the shared client), so TypeScript refuses `import { MailService }`. At run time they
// also export their classes by name (`module.exports.MailService = MailService`), which Node's
// CommonJS interop exposes; we read those classes and never touch the singletons.
const classes: SendGridClasses = {
  MailService: (sendgridMailModule as unknown as Partial<SendGridClasses>).MailService!,
  Client: (sendgridClientModule as unknown as Partial<SendGridClasses>).Client!,
};
if (typeof classes.MailService !== 'function' || typeof classes.Client !== 'function') {
  throw new Error('@sendgrid/mail or @sendgrid/client no longer exports the MailService / Client classes');
}

/**
 * A new `MailService` with its own new `Client`: nothing shared with another store's transport
 * or with the SDK's singleton.
 *
 * @example
 * ```ts
 * const { mail, client } = createSendGridMailService();
 * client.setApiKey(apiKey);
 * await mail.send(data);
 * ```
 */
export function createSendGridMailService(): { mail: SendGridMailService; client: SendGridClient } {
  const client = new classes.Client();
  const mail = new classes.MailService();
  mail.setClient(client);
  return { mail, client };
}
