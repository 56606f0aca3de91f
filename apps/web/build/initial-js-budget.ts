import { gzipSync } from 'node:zlib';
import type { Plugin, Rollup } from 'vite';

type OutputBundle = Rollup.OutputBundle;
type OutputChunk = Rollup.OutputChunk;

/** What `initialJsSize` measured: the chunks a first visit loads and their gzip total. */
export interface InitialJsSize {
  /** File names of the entry chunks and everything they import statically. */
  readonly files: readonly string[];
  /** Their gzip-compressed size in bytes, summed. */
  readonly gzipBytes: number;
}

/**
 * The JavaScript a first visit downloads before the inbox can render: every entry chunk plus the
 * chunks reachable from it through static imports (dynamic imports load later, on demand).
 * Pure: reads the bundle, writes nothing.
 */
export function initialJsSize(bundle: OutputBundle): InitialJsSize {
  const chunks = new Map<string, OutputChunk>();
  for (const output of Object.values(bundle))
    if (output.type === 'chunk') chunks.set(output.fileName, output);
  const seen = new Set<string>();
  const visit = (fileName: string) => {
    if (seen.has(fileName)) return;
    const chunk = chunks.get(fileName);
    if (!chunk) return;
    seen.add(fileName);
    for (const imported of chunk.imports) visit(imported);
  };
  for (const chunk of chunks.values()) if (chunk.isEntry) visit(chunk.fileName);
  const files = [...seen].sort();
  const gzipBytes = files.reduce((sum, file) => sum + gzipSync(chunks.get(file)?.code ?? '').length, 0);
  return { files, gzipBytes };
}

/**
 * A Vite build plugin that prints the initial JavaScript size (gzip) and fails the build when it
 * exceeds `limitBytes`, so the inbox's budget is kept by every build rather than by review.
 * Side effect: one line on the build's output.
 */
export function initialJsBudget(options: { readonly limitBytes: number }): Plugin {
  return {
    name: 'parley:initial-js-budget',
    apply: 'build',
    generateBundle(_outputOptions, bundle) {
      const { files, gzipBytes } = initialJsSize(bundle);
      const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
      const line = `initial JavaScript: ${kb(gzipBytes)} gzip (budget ${kb(options.limitBytes)}; ${files.join(', ')})`;
      if (gzipBytes > options.limitBytes) this.error(`${line}: over budget`);
      this.info(line);
    },
  };
}
