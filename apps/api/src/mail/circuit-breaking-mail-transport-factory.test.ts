import { isMessagingError, MessagingError, type OutboundEmail } from '@parley/messaging-core';
import { InMemoryMailTransportFactory } from '@parley/messaging-core/testing';
import { describe, expect, it } from 'vitest';
import {
  CircuitBreakingMailTransportFactory,
  type MailCircuitChange,
  mailCircuitNotification,
} from './circuit-breaking-mail-transport-factory.js';

const email = (id: string): OutboundEmail => ({
  id,
  from: { address: 'shop@acme.test' },
  to: [{ address: 'ana@example.com' }],
  subject: 'Hi',
  text: 'Hello',
});
const SENDGRID = { provider: 'sendgrid', storeId: 'acme', apiKey: 'SG.k' } as const;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return isMessagingError(error) ? `${error.code}${error.details?.circuit ? ' (open)' : ''}` : String(error);
}

function setup() {
  const inner = new InMemoryMailTransportFactory();
  const changes: MailCircuitChange[] = [];
  const factory = new CircuitBreakingMailTransportFactory(inner, {
    failures: 3,
    cooldownMs: 200,
    onChange: (change) => changes.push(change),
  });
  const transport = factory.forStore(SENDGRID);
  const provider = inner.transportFor(SENDGRID)!;
  return { inner, factory, transport, provider, changes };
}

describe('CircuitBreakingMailTransportFactory', () => {
  it('opens after consecutive retryable failures, refuses at once, half-opens after the cool-down and closes on success', async () => {
    const { factory, transport, provider, changes } = setup();
    for (let i = 0; i < 3; i += 1) provider.throttleNext();
    expect(await codeOf(transport.send(email('1')))).toBe('MAIL_RETRYABLE');
    expect(await codeOf(transport.send(email('2')))).toBe('MAIL_RETRYABLE');
    expect(changes).toEqual([]);
    expect(await codeOf(transport.send(email('3')))).toBe('MAIL_RETRYABLE');
    expect(factory.stateOf('acme', 'sendgrid')).toBe('open');
    expect(changes).toEqual([
      {
        state: 'open',
        storeId: 'acme',
        provider: 'sendgrid',
        failures: 3,
        error: 'memory provider: 429 too many requests',
      },
    ]);
    // Open: the provider is not asked.
    expect(await codeOf(transport.send(email('4')))).toBe('MAIL_RETRYABLE (open)');
    expect(provider.sent).toHaveLength(0);
    // The same breaker guards a transport asked for again (a new client for the same store and provider).
    expect(await codeOf(factory.forStore(SENDGRID).send(email('5')))).toBe('MAIL_RETRYABLE (open)');
    await sleep(250);
    expect(factory.stateOf('acme', 'sendgrid')).toBe('open');
    await transport.send(email('6'));
    expect(provider.sent.map((mail) => mail.id)).toEqual(['6']);
    expect(factory.stateOf('acme', 'sendgrid')).toBe('closed');
    expect(changes.map((change) => change.state)).toEqual(['open', 'closed']);
  });

  it('reports a failed half-open probe as the same outage', async () => {
    const { transport, provider, changes } = setup();
    for (let i = 0; i < 4; i += 1) provider.hangNext();
    for (let i = 0; i < 3; i += 1) await codeOf(transport.send(email(`${i}`)));
    await sleep(250);
    expect(await codeOf(transport.send(email('probe')))).toBe('MAIL_RETRYABLE');
    expect(await codeOf(transport.send(email('after')))).toBe('MAIL_RETRYABLE (open)');
    expect(changes.map((change) => change.state)).toEqual(['open']);
  });

  it('never counts permanent refusals, and keeps one breaker per store and provider', async () => {
    const { factory, transport, provider, inner } = setup();
    for (let i = 0; i < 5; i += 1)
      provider.failNext(new MessagingError('MAIL_PERMANENT', '550 no such user'));
    for (let i = 0; i < 5; i += 1) expect(await codeOf(transport.send(email(`${i}`)))).toBe('MAIL_PERMANENT');
    expect(factory.stateOf('acme', 'sendgrid')).toBe('closed');
    for (let i = 0; i < 3; i += 1) inner.platform.throttleNext();
    for (let i = 0; i < 3; i += 1) await codeOf(factory.platformDefault().send(email(`p${i}`)));
    expect(factory.stateOf(null, 'memory')).toBe('open');
    expect(factory.stateOf('acme', 'sendgrid')).toBe('closed');
    await transport.send(email('ok'));
    expect(provider.sent.map((mail) => mail.id)).toEqual(['ok']);
  });

  it('words the admin notifications: a store issue per store, a system alert for the platform', () => {
    expect(
      mailCircuitNotification({
        state: 'open',
        storeId: 'acme',
        provider: 'sendgrid',
        failures: 5,
        error: '503',
      }),
    ).toMatchObject({
      type: 'store_issue',
      priority: 'high',
      storeId: 'acme',
      issueKey: 'mail_circuit_open:sendgrid',
      actionRequired: true,
      lastError: '503',
      metadata: { reason: 'mail_circuit_open', provider: 'sendgrid', consecutive_failures: 5, error: '503' },
    });
    expect(mailCircuitNotification({ state: 'closed', storeId: null, provider: 'smtp' })).toMatchObject({
      type: 'system_alert',
      priority: 'normal',
      storeId: null,
      issueKey: 'mail_circuit_closed:smtp',
      title: 'Mail provider smtp of the platform works again',
    });
  });
});
