/** Nested loops: about 10^10 steps, far past any render time limit. */
export const WORST_CASE_TEMPLATE =
  '<p>{% for i in (1..100000) %}{% for j in (1..100000) %}{{ j }}{% endfor %}{% endfor %}</p>';

/** The variables a `new_message` preview needs. */
export const PREVIEW_VARIABLES = {
  conversation_subject: 'Order #42',
  sender_name: 'Sam',
  message_preview: 'Hello',
  reply_url: 'https://parley.test/r',
};
