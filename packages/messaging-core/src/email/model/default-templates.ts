import type { EmailTemplate, TemplateVariable } from './email-template.js';

/**
 * The template codes Parley itself sends (the notification pipeline's `new_message`): in use
 * whatever the stores do, so their last language version cannot be deleted.
 */
export const TEMPLATE_CODES_SENT_BY_PARLEY: readonly string[] = ['new_message'];

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

/**
 * The platform templates every installation starts with (pure data: the Kysely migration
 * `0006_email_templates` inserts them, the in-memory repository starts with them).
 */
export const DEFAULT_EMAIL_TEMPLATES: readonly DefaultEmailTemplate[] = [
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
