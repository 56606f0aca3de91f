import type { EmailTemplate, TemplateVariable } from './email-template.js';

/**
 * The template codes Parley itself sends (the notification pipeline's `new_message`): in use
 * whatever the stores do, so their last language version cannot be deleted.
 */
export const TEMPLATE_CODES_SENT_BY_PARLEY: readonly string[] = ['new_message', 'inbound_bounce'];

/** A platform template as seeded: everything but the timestamps. */
export type DefaultEmailTemplate = Omit<EmailTemplate, 'createdAt' | 'updatedAt'>;

const NEW_MESSAGE_VARIABLES: readonly TemplateVariable[] = [
  { name: 'conversation_subject', description: "The conversation's subject." },
  { name: 'sender_name', description: 'Display name of who sent the (latest) message.' },
  {
    name: 'message_preview',
    description: 'The first 200 characters of the (latest) message, cut by the caller.',
  },
  {
    name: 'reply_url',
    description: "Link to the conversation in the recipient's app (admin, store or storefront).",
  },
  {
    name: 'message_count',
    description: 'How many new messages this email stands for (batching); 1 when absent.',
  },
];

const NEW_MESSAGE_REQUIRED = ['conversation_subject', 'sender_name', 'message_preview', 'reply_url'] as const;

function newMessage(
  language: string,
  name: string,
  text: { subject: string; many: string; one: string; reply: string },
): DefaultEmailTemplate {
  return {
    code: 'new_message',
    language,
    name,
    description: 'Sent to a participant when a conversation they take part in gets new messages.',
    category: 'system',
    subject: text.subject,
    bodyHtml: [
      `<p>{% if message_count > 1 %}${text.many}{% else %}${text.one}{% endif %}</p>`,
      '<blockquote>{{ message_preview }}</blockquote>',
      `<p><a href="{{ reply_url }}">${text.reply}</a></p>`,
    ].join('\n'),
    bodyText: null,
    variables: NEW_MESSAGE_VARIABLES,
    requiredVariables: NEW_MESSAGE_REQUIRED,
    isActive: true,
    isPlatformOnly: false,
  };
}

const INBOUND_BOUNCE_VARIABLES: readonly TemplateVariable[] = [
  {
    name: 'reason',
    description:
      'Why the reply was not posted: invalid_token, expired_token, sender_refused, conversation_closed, empty_reply or content_refused.',
  },
  { name: 'conversation_subject', description: "The conversation's subject ('' when unknown)." },
];

interface BounceText {
  readonly subject: string;
  readonly intro: string;
  readonly reasons: Readonly<Record<string, string>>;
  readonly fallback: string;
  readonly outro: string;
}

function inboundBounce(language: string, name: string, text: BounceText): DefaultEmailTemplate {
  const branches = Object.entries(text.reasons)
    .map(([reason, sentence], i) => `{% ${i === 0 ? 'if' : 'elsif'} reason == '${reason}' %}${sentence}`)
    .join('');
  return {
    code: 'inbound_bounce',
    language,
    name,
    description:
      'Sent to whoever replied by email when the reply could not be posted into the conversation (reply by email).',
    category: 'system',
    subject: text.subject,
    bodyHtml: [
      `<p>${text.intro}</p>`,
      `<p>${branches}{% else %}${text.fallback}{% endif %}</p>`,
      `<p>${text.outro}</p>`,
    ].join('\n'),
    bodyText: null,
    variables: INBOUND_BOUNCE_VARIABLES,
    requiredVariables: ['reason'],
    isActive: true,
    isPlatformOnly: true,
  };
}

/** The reply-by-email bounce, per language (migration 0028 adds them to existing installations). */
export const INBOUND_BOUNCE_TEMPLATES: readonly DefaultEmailTemplate[] = [
  inboundBounce('de', 'Antwort nicht zugestellt', {
    subject: 'Ihre Antwort konnte nicht zugestellt werden',
    intro: 'Vielen Dank für Ihre Antwort. Leider konnten wir sie nicht in die Unterhaltung übernehmen.',
    reasons: {
      expired_token: 'Die Antwortadresse ist abgelaufen.',
      conversation_closed: 'Die Unterhaltung „{{ conversation_subject }}“ ist geschlossen.',
      sender_refused: 'Diese Absenderadresse darf in dieser Unterhaltung nicht antworten.',
      empty_reply: 'Die Antwort enthielt keinen neuen Text.',
      content_refused: 'Die Antwort oder einer ihrer Anhänge ist nicht zulässig (Größe oder Dateityp).',
    },
    fallback: 'Die Antwortadresse ist ungültig.',
    outro: 'Bitte antworten Sie stattdessen direkt in der App.',
  }),
  inboundBounce('en', 'Reply not delivered', {
    subject: 'Your reply could not be delivered',
    intro: 'Thank you for your reply. Unfortunately we could not add it to the conversation.',
    reasons: {
      expired_token: 'The reply address has expired.',
      conversation_closed: 'The conversation “{{ conversation_subject }}” is closed.',
      sender_refused: 'This sender address may not reply in this conversation.',
      empty_reply: 'The reply had no new text.',
      content_refused: 'The reply or one of its attachments is not allowed (size or file type).',
    },
    fallback: 'The reply address is not valid.',
    outro: 'Please reply in the app instead.',
  }),
  inboundBounce('fr', 'Réponse non distribuée', {
    subject: "Votre réponse n'a pas pu être distribuée",
    intro: "Merci pour votre réponse. Malheureusement, nous n'avons pas pu l'ajouter à la conversation.",
    reasons: {
      expired_token: "L'adresse de réponse a expiré.",
      conversation_closed: 'La conversation « {{ conversation_subject }} » est fermée.',
      sender_refused: "Cette adresse d'expéditeur ne peut pas répondre dans cette conversation.",
      empty_reply: 'La réponse ne contenait aucun nouveau texte.',
      content_refused:
        "La réponse ou l'une de ses pièces jointes n'est pas autorisée (taille ou type de fichier).",
    },
    fallback: "L'adresse de réponse n'est pas valide.",
    outro: "Merci de répondre directement dans l'application.",
  }),
];

/**
 * The platform templates every installation starts with (pure data: the Kysely migration
 * `0006_email_templates` inserts them, the in-memory repository starts with them).
 */
export const DEFAULT_EMAIL_TEMPLATES: readonly DefaultEmailTemplate[] = [
  // Ordered by code, then language: the order the repositories list them in.
  ...INBOUND_BOUNCE_TEMPLATES,
  newMessage('de', 'Neue Nachricht', {
    subject: 'Neue Nachricht: {{ conversation_subject }}',
    many: 'Sie haben {{ message_count }} neue Nachrichten in „{{ conversation_subject }}“. Die neueste von {{ sender_name }}:',
    one: '{{ sender_name }} hat Ihnen in „{{ conversation_subject }}“ geschrieben:',
    reply: 'Antworten',
  }),
  newMessage('en', 'New message', {
    subject: 'New message: {{ conversation_subject }}',
    many: 'You have {{ message_count }} new messages in “{{ conversation_subject }}”. The latest, from {{ sender_name }}:',
    one: '{{ sender_name }} sent you a message in “{{ conversation_subject }}”:',
    reply: 'Reply',
  }),
  newMessage('fr', 'Nouveau message', {
    subject: 'Nouveau message : {{ conversation_subject }}',
    many: 'Vous avez {{ message_count }} nouveaux messages dans « {{ conversation_subject }} ». Le plus récent, de {{ sender_name }} :',
    one: '{{ sender_name }} vous a écrit dans « {{ conversation_subject }} » :',
    reply: 'Répondre',
  }),
];
