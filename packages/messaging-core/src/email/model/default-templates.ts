import type { EmailTemplate, TemplateVariable } from './email-template.js';

/**
 * The template codes Parley itself sends (the notification pipeline's `new_message`, the
 * digests): in use whatever the stores do, so their last language version cannot be deleted.
 */
export const TEMPLATE_CODES_SENT_BY_PARLEY: readonly string[] = [
  'new_message',
  'digest_daily',
  'digest_weekly',
  'inbound_bounce',
];

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

const DIGEST_VARIABLES: readonly TemplateVariable[] = [
  { name: 'recipient_name', description: 'Display name of the person the digest goes to.' },
  { name: 'period', description: '`daily` or `weekly`.' },
  { name: 'conversation_count', description: 'How many conversations the digest lists.' },
  { name: 'unread_count', description: 'Unread messages in those conversations, in all.' },
  { name: 'inbox_url', description: 'Link to the inbox.' },
  {
    name: 'conversations',
    description:
      'The unread conversations, latest first: each has `subject`, `unread_count`, `sender_name` (of the latest message), `message_preview` (its first 200 characters) and `reply_url`.',
  },
];

const DIGEST_REQUIRED = ['conversation_count', 'conversations', 'inbox_url'] as const;

function digest(
  code: 'digest_daily' | 'digest_weekly',
  language: string,
  name: string,
  text: { subject: string; intro: string; unread: string; open: string },
): DefaultEmailTemplate {
  return {
    code,
    language,
    name,
    description:
      code === 'digest_daily'
        ? 'The daily digest: once a day, the unread conversations of a person who chose daily email.'
        : 'The weekly digest: once a week, the unread conversations of a person who chose weekly email.',
    category: 'system',
    subject: text.subject,
    bodyHtml: [
      `<p>${text.intro}</p>`,
      '<ul>',
      '{% for c in conversations %}<li><a href="{{ c.reply_url }}">{{ c.subject }}</a>',
      ` (${text.unread})<br>{% if c.sender_name != "" %}{{ c.sender_name }}: {% endif %}{{ c.message_preview }}</li>`,
      '{% endfor %}</ul>',
      `<p><a href="{{ inbox_url }}">${text.open}</a></p>`,
    ].join('\n'),
    bodyText: null,
    variables: DIGEST_VARIABLES,
    requiredVariables: DIGEST_REQUIRED,
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
  // Sorted by code then language, as repositories list them.
  digest('digest_daily', 'de', 'Tägliche Zusammenfassung', {
    subject: 'Ihre tägliche Zusammenfassung: {{ unread_count }} ungelesene Nachrichten',
    intro:
      'Hallo {{ recipient_name }}, in {{ conversation_count }} Unterhaltungen warten ungelesene Nachrichten auf Sie:',
    unread: '{{ c.unread_count }} ungelesen',
    open: 'Posteingang öffnen',
  }),
  digest('digest_daily', 'en', 'Daily digest', {
    subject: 'Your daily digest: {{ unread_count }} unread messages',
    intro: 'Hello {{ recipient_name }}, {{ conversation_count }} conversations have unread messages for you:',
    unread: '{{ c.unread_count }} unread',
    open: 'Open your inbox',
  }),
  digest('digest_daily', 'fr', 'Résumé quotidien', {
    subject: 'Votre résumé du jour : {{ unread_count }} messages non lus',
    intro:
      'Bonjour {{ recipient_name }}, {{ conversation_count }} conversations ont des messages non lus pour vous :',
    unread: '{{ c.unread_count }} non lus',
    open: 'Ouvrir votre messagerie',
  }),
  digest('digest_weekly', 'de', 'Wöchentliche Zusammenfassung', {
    subject: 'Ihre Wochenzusammenfassung: {{ unread_count }} ungelesene Nachrichten',
    intro:
      'Hallo {{ recipient_name }}, in {{ conversation_count }} Unterhaltungen warten ungelesene Nachrichten auf Sie:',
    unread: '{{ c.unread_count }} ungelesen',
    open: 'Posteingang öffnen',
  }),
  digest('digest_weekly', 'en', 'Weekly digest', {
    subject: 'Your weekly digest: {{ unread_count }} unread messages',
    intro: 'Hello {{ recipient_name }}, {{ conversation_count }} conversations have unread messages for you:',
    unread: '{{ c.unread_count }} unread',
    open: 'Open your inbox',
  }),
  digest('digest_weekly', 'fr', 'Résumé hebdomadaire', {
    subject: 'Votre résumé de la semaine : {{ unread_count }} messages non lus',
    intro:
      'Bonjour {{ recipient_name }}, {{ conversation_count }} conversations ont des messages non lus pour vous :',
    unread: '{{ c.unread_count }} non lus',
    open: 'Ouvrir votre messagerie',
  }),
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
