/** A mailbox parsed from a header value: `"Name" <address>`, `Name <address>` or `address`. */
export interface ParsedMailbox {
  readonly address: string;
  readonly name?: string;
}

const ADDRESS = /^[^\s@<>()[\]",;:\\]+@[^\s@<>()[\]",;:\\]+\.[^\s@<>()[\]",;:\\]+$/;

/**
 * Splits an address list on the commas that are outside quoted strings and angle brackets; null
 * when a quote or bracket is left open.
 */
function splitTopLevel(value: string): string[] | null {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let angle = false;
  for (let i = 0; i < value.length; i += 1) {
    const char = value[i]!;
    if (quoted && char === '\\') {
      current += char + (value[i + 1] ?? '');
      i += 1;
      continue;
    }
    if (char === '"' && !angle) quoted = !quoted;
    else if (!quoted && char === '<') angle = true;
    else if (!quoted && char === '>') angle = false;
    else if (!quoted && !angle && char === ',') {
      parts.push(current);
      current = '';
      continue;
    }
    current += char;
  }
  if (quoted || angle) return null;
  parts.push(current);
  return parts;
}

/**
 * Parses one mailbox the way a mail header carries it; null when it is not one valid address.
 * Quoted display names are unescaped (`"Doe, \"Ana\"" <ana@mail.test>` → name `Doe, "Ana"`).
 *
 * @example
 * ```ts
 * parseMailbox('"Acme Shop" <shop@acme.test>'); // { address: 'shop@acme.test', name: 'Acme Shop' }
 * parseMailbox('not an address'); // null
 * ```
 */
export function parseMailbox(value: string): ParsedMailbox | null {
  if (/[\r\n]/.test(value)) return null;
  const trimmed = value.trim();
  if (!trimmed.includes('<')) return ADDRESS.test(trimmed) ? { address: trimmed } : null;
  let name = '';
  let i = 0;
  let quoted = false;
  for (; i < trimmed.length; i += 1) {
    const char = trimmed[i]!;
    if (quoted && char === '\\') {
      name += trimmed[i + 1] ?? '';
      i += 1;
    } else if (char === '"') quoted = !quoted;
    else if (!quoted && char === '<') break;
    else name += char;
  }
  if (quoted || !trimmed.endsWith('>')) return null;
  const address = trimmed.slice(i + 1, -1).trim();
  if (!ADDRESS.test(address)) return null;
  const display = name.replace(/\s+/g, ' ').trim();
  return display === '' ? { address } : { address, name: display };
}

/**
 * Parses a comma-separated address list; null when any entry is not a valid mailbox.
 *
 * @example
 * ```ts
 * parseAddressList('"Doe, Ana" <ana@mail.test>, bo@mail.test'); // two mailboxes
 * ```
 */
export function parseAddressList(value: string): ParsedMailbox[] | null {
  const parts = splitTopLevel(value);
  if (parts === null) return null;
  const mailboxes: ParsedMailbox[] = [];
  for (const part of parts) {
    const mailbox = parseMailbox(part);
    if (mailbox === null) return null;
    mailboxes.push(mailbox);
  }
  return mailboxes;
}
