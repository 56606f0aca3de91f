import type { SendEmailRequest } from '@aws-sdk/client-sesv2';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSesClientConfig } from '../ses-mail-transport.js';
import { LocalSesServer, SES_SEND_EMAIL_PATH } from './local-ses-server.js';

const KEY = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };

const simple: SendEmailRequest = {
  FromEmailAddress: 'shop@acme.test',
  Destination: { ToAddresses: ['ana@mail.test'] },
  Content: { Simple: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'Hello' } } } },
};

describe('LocalSesServer', () => {
  let ses: LocalSesServer;
  let client: SESv2Client;

  beforeEach(async () => {
    ses = await LocalSesServer.start({ credentials: [KEY] });
    client = new SESv2Client(createSesClientConfig({ ...KEY, region: ses.region, endpoint: ses.endpoint }));
  });
  afterEach(async () => {
    client.destroy();
    await ses.close();
  });

  async function sdkError(input: SendEmailRequest) {
    const error = (await client.send(new SendEmailCommand(input)).catch((e: unknown) => e)) as {
      name: string;
      message: string;
      $fault: string;
      $metadata: { httpStatusCode: number };
    };
    return {
      name: error.name,
      message: error.message,
      fault: error.$fault,
      status: error.$metadata.httpStatusCode,
    };
  }

  it('answers an unsigned request as AWS does: 403, x-amzn-ErrorType and a JSON message', async () => {
    const response = await fetch(`${ses.endpoint}${SES_SEND_EMAIL_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(simple),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await response.json()).toEqual({ message: 'Missing Authentication Token' });
    expect(ses.attempts()).toEqual([
      { accessKeyId: undefined, status: 403, errorType: 'MissingAuthenticationTokenException' },
    ]);
  });

  it('answers another route with 404', async () => {
    const response = await fetch(`${ses.endpoint}/v2/email/identities`);
    expect(response.status).toBe(404);
  });

  it('refuses a body changed after signing (the signature covers the payload hash)', async () => {
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { body: string };
        request.body = request.body.replace('ana@mail.test', 'eve@mail.test');
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'tamperAfterSigning' },
    );
    expect(await sdkError(simple)).toMatchObject({
      name: 'InvalidSignatureException',
      status: 403,
      fault: 'client',
    });
    expect(ses.accepted()).toEqual([]);
  });

  it('accepts a signed SendEmail and answers {"MessageId"}', async () => {
    const output = await client.send(new SendEmailCommand(simple));
    expect(output.MessageId).toBe(ses.accepted()[0]?.messageId);
    expect(output.$metadata.httpStatusCode).toBe(200);
    expect(ses.received()).toEqual([
      { from: 'shop@acme.test', to: ['ana@mail.test'], subject: 'Hi', text: 'Hello', headers: {} },
    ]);
  });

  it.each<[string, SendEmailRequest, RegExp]>([
    [
      'a tag outside [A-Za-z0-9_-]',
      { ...simple, EmailTags: [{ Name: 'parley:id', Value: 'x' }] },
      /Invalid message tag/,
    ],
    [
      'a non-ASCII header value',
      {
        ...simple,
        Content: { Simple: { ...simple.Content!.Simple!, Headers: [{ Name: 'X-A', Value: 'é' }] } },
      },
      /Invalid value for header X-A/,
    ],
    [
      'a header name with a colon',
      {
        ...simple,
        Content: { Simple: { ...simple.Content!.Simple!, Headers: [{ Name: 'X:A', Value: 'a' }] } },
      },
      /Invalid header name/,
    ],
    [
      'a raw display name with 8-bit characters',
      { ...simple, FromEmailAddress: 'Café <shop@acme.test>' },
      /Illegal address/,
    ],
    ['no recipient', { ...simple, Destination: { ToAddresses: [] } }, /Missing final recipients/],
    [
      'Content.Raw',
      { ...simple, Content: { Raw: { Data: new Uint8Array([65]) } } },
      /only accepts Content.Simple/,
    ],
  ])('refuses %s with 400 BadRequestException', async (_name, input, message) => {
    expect(await sdkError(input)).toMatchObject({
      name: 'BadRequestException',
      status: 400,
      message: expect.stringMatching(message),
    });
  });
});
