import { ParleyApiError } from '@parley/client';
import { describe, expect, it } from 'vitest';
import { editProblemText } from './format.js';

const problem = (status: number, code: string, extra: Record<string, unknown> = {}) =>
  new ParleyApiError({ type: 'about:blank', title: 'x', status, detail: `detail ${code}`, code, ...extra });

describe('why an edit was not saved', () => {
  it('names the window, a deleted or closed message, a newer version and moderation', () => {
    expect(editProblemText(problem(403, 'FORBIDDEN'))).toMatch(/can no longer be edited/);
    expect(editProblemText(problem(409, 'MESSAGE_DELETED'))).toMatch(
      /deleted, or the conversation is closed/,
    );
    expect(editProblemText(problem(412, 'REVISION_MISMATCH'))).toMatch(/changed meanwhile.*save again/);
    expect(editProblemText(problem(422, 'MESSAGE_REJECTED', { reason: 'links are not allowed' }))).toBe(
      'Not saved: links are not allowed',
    );
    expect(editProblemText(problem(400, 'VALIDATION'))).toBe('Not saved: detail VALIDATION');
    expect(editProblemText(new Error('offline'))).toBe('Not saved: offline');
  });
});
