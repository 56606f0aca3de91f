import { mailTransportContract } from '@parley/messaging-core/testing/contracts';
import { SesMailTransport } from './ses-mail-transport.js';
import { LocalSesServer } from './testing/local-ses-server.js';

// The core's MailTransport contract, against a local SES v2 endpoint that checks every request's
// Signature V4 and can throttle, hang or reject.
mailTransportContract({
  name: 'ses',
  setup: async () => {
    const credentials = { accessKeyId: 'AKIDCONTRACT0001', secretAccessKey: 'contract-secret' };
    const rejectedRecipient = 'bounce@mail.test';
    const ses = await LocalSesServer.start({
      credentials: [credentials],
      rejectRecipients: [rejectedRecipient],
    });
    const base = {
      region: ses.region,
      endpoint: ses.endpoint,
      requestTimeoutMs: 500,
      connectionTimeoutMs: 500,
    };
    const transport = new SesMailTransport({ ...credentials, ...base });
    return {
      transport,
      rejectedRecipient,
      received: async () => ses.received(),
      withBadCredentials: async () =>
        new SesMailTransport({
          ...base,
          accessKeyId: credentials.accessKeyId,
          secretAccessKey: 'wrong-secret',
        }),
      throttleNext: async () => ses.throttleNext(),
      hangNext: async () => ses.hangNext(),
      teardown: async () => {
        await transport.close();
        await ses.close();
      },
    };
  },
});
