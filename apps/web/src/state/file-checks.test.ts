import { describe, expect, it } from 'vitest';
import { fileProblems } from './file-checks.js';

describe('fileProblems', () => {
  it('accepts what the API takes, and names each file it would refuse', () => {
    expect(
      fileProblems([
        { name: 'photo.JPG', size: 1000 },
        { name: 'notes.txt', size: 10 },
      ]),
    ).toEqual([]);
    expect(
      fileProblems(
        [
          { name: 'setup.exe', size: 10 },
          { name: 'scan.pdf', size: 11 * 1024 * 1024 },
          { name: 'README', size: 1 },
        ],
        { maxFiles: 2, maxBytes: 10 * 1024 * 1024 },
      ),
    ).toEqual([
      'At most 2 files per message.',
      'setup.exe: this type of file cannot be sent.',
      'scan.pdf is larger than 10 MB.',
      'README: this type of file cannot be sent.',
    ]);
  });
});
