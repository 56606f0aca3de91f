import type { MessageAttachment } from '@parley/messaging-core';
import { describe, expect, it } from 'vitest';
import { toAttachmentWire } from '../serializers.js';
import { attachmentDownloadHeaders } from './attachment-transport.js';

/** A row stored before names were stripped of invisible characters. */
const legacy: MessageAttachment = {
  id: '01890a5d-ac96-774b-bcce-b302099a8057',
  messageId: '01890a5d-ac96-774b-bcce-b302099a8058',
  filename: '01890a5d-ac96-774b-bcce-b302099a8057.pdf',
  originalFilename: 'invoice\u202Efdp.\u200Bpdf',
  filePath: 'uploads/messages/2026/05/c/01890a5d-ac96-774b-bcce-b302099a8057.pdf',
  fileSize: 3,
  mimeType: 'application/pdf',
  isImage: false,
  imageWidth: null,
  imageHeight: null,
  thumbnailPath: null,
  createdAt: new Date('2026-05-01T09:00:00.000Z'),
};

async function* empty() {}

describe('names of attachments stored before invisible characters were stripped', () => {
  it('are served without them: the wire form and the download disposition', () => {
    expect(toAttachmentWire(legacy, 'c', '/api/v1/store/messages').original_filename).toBe('invoicefdp.pdf');
    const headers = attachmentDownloadHeaders(
      { attachment: legacy, mimeType: 'application/pdf', size: 3, content: empty() },
      false,
    );
    expect(headers['content-disposition']).toBe(
      `attachment; filename="invoicefdp.pdf"; filename*=UTF-8''invoicefdp.pdf`,
    );
  });
});
