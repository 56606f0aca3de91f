export type {
  LocalSesAcceptedEmail,
  LocalSesAttempt,
  LocalSesFailure,
  LocalSesSendEmailRequest,
  LocalSesServerOptions,
} from './local-ses-server.js';
export {
  decodeEncodedWords,
  LocalSesServer,
  parseSesAddress,
  SES_SEND_EMAIL_PATH,
} from './local-ses-server.js';
export type {
  SigV4Credentials,
  SigV4Failure,
  SigV4Request,
  SigV4Success,
  SigV4VerifierOptions,
} from './sigv4-verifier.js';
export { SigV4Verifier } from './sigv4-verifier.js';
export type { SampleSesEventKind, SnsTestPublisherOptions } from './sns-test-publisher.js';
export { LOOPBACK_SNS_HOST_PATTERN, SnsTestPublisher, sampleSesEvent } from './sns-test-publisher.js';
