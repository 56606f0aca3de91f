import { gzipSync } from 'node:zlib';
import type { Plugin, Rollup } from 'vite';

type OutputBundle = Rollup.OutputBundle;
type OutputChunk = Rollup.OutputChunk;

/** What `initialJsSize` measured for one entry: the chunks its first load needs and their gzip total. */
export interface InitialJsSize {
  /** The entry chunk's file name. */
  readonly entry: string;
  /** File names of the entry chunk and everything it imports statically. */
  readonly files: readonly string[];
  /** Their gzip-compressed size in bytes, summed. */
  readonly gzipBytes: number;
}

/**
 * The JavaScript a first visit downloads before the page can render, per entry (the inbox page,
 * the embeddable element): the entry chunk plus the chunks reachable from it through static
 * imports (dynamic imports load later, on demand). Pure: reads the bundle, writes nothing.
 */
export function initialJsSize(bundle: OutputBundle): InitialJsSize[] {
  const chunks = new Map<string, OutputChunk>();
  for (const output of Object.values(bundle))
    if (output.type === 'chunk') chunks.set(output.fileName, output);
  const gzip = new Map<string, number>();
  const sizeOf = (file: string) => {
    let size = gzip.get(file);
    if (size === undefined) {
      size = gzipSync(chunks.get(file)?.code ?? '').length;
      gzip.set(file, size);
    }
    return size;
  };
  const entries = [...chunks.values()].filter((chunk) => chunk.isEntry);
  return entries.map((entry) => {
    const seen = new Set<string>();
    const visit = (fileName: string) => {
      if (seen.has(fileName)) return;
      const chunk = chunks.get(fileName);
      if (!chunk) return;
      seen.add(fileName);
      for (const imported of chunk.imports) visit(imported);
    };
    visit(entry.fileName);
    const files = [...seen].sort();
    return { entry: entry.fileName, files, gzipBytes: files.reduce((sum, file) => sum + sizeOf(file), 0) };
  });
}

/**
 * A Vite build plugin that prints each entry's initial JavaScript size (gzip) and fails the build
 * when one exceeds `limitBytes`, so the inbox's budget is kept by every build rather than by review.
 * Side effect: one line on the build's output.
 */
export function initialJsBudget(options: { readonly limitBytes: number }): Plugin {
  return {
    name: 'parley:initial-js-budget',
    apply: 'build',
    generateBundle(_outputOptions, bundle) {
      const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
      for (const { entry, files, gzipBytes } of initialJsSize(bundle)) {
        const line = `initial JavaScript of ${entry}: ${kb(gzipBytes)} gzip (budget ${kb(options.limitBytes)}; ${files.join(', ')})`;
        if (gzipBytes > options.limitBytes) this.error(`${line}: over budget`);
        this.info(line);
      }
    },
  };
}
