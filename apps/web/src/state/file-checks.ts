/** The limits a send's files are checked against before upload (the API's defaults). */
export interface FileLimits {
  /** Files per message (`message_attachment_max_files`, default 10). */
  readonly maxFiles: number;
  /** Bytes per file (`message_attachment_max_size_mb`, default 10 MiB). */
  readonly maxBytes: number;
}

/** The API's default limits; the API still decides (413, 415, 400) and the view shows its answer. */
export const DEFAULT_FILE_LIMITS: FileLimits = { maxFiles: 10, maxBytes: 10 * 1024 * 1024 };

/** Extensions of the types the API accepts (it decides from the bytes; this only spares a doomed upload). */
const ACCEPTED = new Set([
  'jpg',
  'jpeg',
  'png',
  'gif',
  'webp',
  'pdf',
  'doc',
  'xls',
  'ppt',
  'docx',
  'xlsx',
  'pptx',
  'odt',
  'ods',
  'odp',
  'zip',
  'txt',
  'csv',
]);

/** The `accept` attribute of the file picker, from the same list. */
export const ACCEPT_ATTRIBUTE = [...ACCEPTED].map((ext) => `.${ext}`).join(',');

/**
 * What is wrong with sending these files, one sentence per problem (empty when nothing is):
 * too many files, a file over the size limit, a type the API does not take. Pure.
 */
export function fileProblems(
  files: readonly { readonly name: string; readonly size: number }[],
  limits: FileLimits = DEFAULT_FILE_LIMITS,
): string[] {
  const problems: string[] = [];
  if (files.length > limits.maxFiles) problems.push(`At most ${limits.maxFiles} files per message.`);
  const mb = Math.round(limits.maxBytes / (1024 * 1024));
  for (const file of files) {
    const ext = file.name.includes('.') ? (file.name.split('.').pop() ?? '').toLowerCase() : '';
    if (!ACCEPTED.has(ext)) problems.push(`${file.name}: this type of file cannot be sent.`);
    else if (file.size > limits.maxBytes) problems.push(`${file.name} is larger than ${mb} MB.`);
  }
  return problems;
}
