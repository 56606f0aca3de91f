import { PassThrough, Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { PersonalDataExport } from '@parley/messaging-core';
import yazl from 'yazl';

/** What `manifest.json` says of one section. */
interface ManifestSection {
  readonly name: string;
  readonly file: string;
  readonly records: number;
}

/** A section's records as one JSON array, written a record at a time (counted into `count`). */
async function* jsonArray(records: AsyncIterable<unknown>, count: { value: number }): AsyncIterable<string> {
  yield '[';
  for await (const record of records) {
    yield `${count.value === 0 ? '\n' : ',\n'}${JSON.stringify(record)}`;
    count.value += 1;
  }
  yield count.value === 0 ? ']\n' : '\n]\n';
}

/**
 * Writes an export as a zip, streamed: one entry at a time is read (a section a page at a
 * time, a file chunk by chunk), and the next is added only once the previous one has been
 * consumed by whoever reads the returned stream, so memory stays flat whatever the export's size.
 *
 * The archive holds `{section}.json` (a JSON array) per section, in order, the attachment files
 * under `attachments/{attachment id}/{file name}`, and `manifest.json` last (the person, when,
 * each section's record count, the files written and those the storage no longer had).
 * A failure while writing destroys the stream with that error (the client sees a cut download);
 * a reader that goes away stops the writing.
 *
 * @example
 * ```ts
 * const exported = await privacy.exportPersonalData(actor, person);
 * reply.type('application/zip').send(personalDataZip(exported));
 * ```
 */
export function personalDataZip(exported: PersonalDataExport): Readable {
  const zip = new yazl.ZipFile();
  const output = new PassThrough();
  zip.outputStream.on('error', (error: Error) => output.destroy(error));
  zip.outputStream.pipe(output);
  let current: Readable | null = null;
  let stopped = false;
  output.on('close', () => {
    stopped = true;
    current?.destroy();
  });
  const mtime = exported.generatedAt;

  /** Adds one entry and waits until the archive has read all of it. */
  const add = async (content: Readable, name: string) => {
    current = content;
    zip.addReadStream(content, name, { mtime });
    await finished(content);
    current = null;
  };

  void (async () => {
    const sections: ManifestSection[] = [];
    for (const section of exported.sections) {
      if (stopped) return;
      const count = { value: 0 };
      const file = `${section.name}.json`;
      await add(Readable.from(jsonArray(section.records(exported.person), count)), file);
      sections.push({ name: section.name, file, records: count.value });
    }
    const files: string[] = [];
    const missing: string[] = [];
    for await (const file of exported.files()) {
      if (stopped) return;
      const bytes = await file.open();
      if (bytes === null) {
        missing.push(file.attachmentId);
        continue;
      }
      await add(Readable.from(bytes), file.name);
      files.push(file.name);
    }
    const manifest = {
      person: exported.person,
      generated_at: exported.generatedAt.toISOString(),
      sections,
      attachment_files: files,
      missing_attachment_files: missing,
    };
    zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), 'manifest.json', { mtime });
    zip.end();
  })().catch((error: unknown) => {
    output.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  return output;
}
