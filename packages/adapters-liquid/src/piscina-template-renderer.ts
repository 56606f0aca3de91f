import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  MessagingError,
  type RenderOptions,
  type TemplateRenderer,
  type TemplateSyntaxError,
  type TemplateVariables,
} from '@parley/messaging-core';
import { Piscina } from 'piscina';
import {
  LIQUID_DEFAULT_LIMITS,
  type LiquidOutcome,
  type LiquidTemplateRendererConfig,
} from './liquid-engine.js';
import { unwrapOutcome } from './liquid-outcome.js';
import {
  type LiquidRenderResult,
  type LiquidRenderTask,
  type LiquidWorkerData,
  TASK_STARTED,
} from './liquid-render-task.js';

/** How the worker pool is sized and bounded (defaults in `PISCINA_RENDERER_DEFAULTS`). */
export interface PiscinaTemplateRendererConfig extends Omit<LiquidTemplateRendererConfig, 'renderLimit'> {
  /** Most worker threads. Default: half the CPUs, at least 1. */
  readonly threads?: number;
  /**
   * Longest one render, text conversion or validation may run, in milliseconds, from when a
   * worker starts it (queue time does not count). LiquidJS's own render check stops most renders
   * at this limit and keeps the worker; work it cannot interrupt (parsing a huge source,
   * converting a huge body, one enormous filter call) has its worker terminated `hardLimitGraceMs`
   * later. Either way the caller gets `TEMPLATE_TIMEOUT`.
   */
  readonly timeLimitMs?: number;
  /** How long after `timeLimitMs` a worker still running a task is terminated. */
  readonly hardLimitGraceMs?: number;
  /** V8 old-generation heap per worker thread, in MB; past it the worker dies (`TEMPLATE_TOO_LARGE`). */
  readonly memoryLimitMb?: number;
  /** Tasks that may wait for a free worker; one more is refused (`TEMPLATE_RENDERER_BUSY`). Default: 8 per thread. */
  readonly maxQueue?: number;
  /**
   * How much lower than the process the worker threads' CPU priority is (Unix nice increment,
   * 0–19). When CPUs are contended the event loop serving requests then wins over renders.
   */
  readonly niceIncrement?: number;
}

export const PISCINA_RENDERER_DEFAULTS = {
  timeLimitMs: LIQUID_DEFAULT_LIMITS.renderLimit,
  hardLimitGraceMs: 250,
  memoryLimitMb: 64,
  queuePerThread: 8,
  niceIncrement: 10,
} as const;

// From the TypeScript sources (vitest, tsx) the worker must be loaded through tsx; compiled, the
// sibling .js file is plain JavaScript.
const FROM_SOURCES = import.meta.url.endsWith('.ts');
const WORKER_FILE = fileURLToPath(
  new URL(
    FROM_SOURCES ? './liquid-render-worker-from-source.mjs' : './liquid-render-worker.js',
    import.meta.url,
  ),
);

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

/**
 * `TemplateRenderer` that runs `LiquidTemplateRenderer`'s engine (same sandbox, same limits) in a
 * pool of worker threads (piscina), so a store's template never runs on the event loop that
 * serves everyone else:
 *
 * - **time**: each task is bounded by `timeLimitMs` from when a worker starts it; a worker that
 *   does not stop by itself is terminated (and replaced at once) → `TEMPLATE_TIMEOUT`;
 * - **memory**: each worker has a V8 heap limit (`memoryLimitMb`); a worker that exceeds it dies
 *   and is replaced → `TEMPLATE_TOO_LARGE` (LiquidJS's own memory estimate and the output limit
 *   usually stop it first, with the same code);
 * - **queue**: at most `maxQueue` tasks wait; more are refused at once → `TEMPLATE_RENDERER_BUSY`.
 *
 * Side effects: starts its `threads` worker threads on the first task (none before) and keeps
 * them; a worker terminated for time or killed for memory is replaced at once (so queued tasks go
 * on); `close()` stops them all.
 *
 * @example
 * ```ts
 * const renderer = new PiscinaTemplateRenderer({ threads: 2, timeLimitMs: 1_000, memoryLimitMb: 64 });
 * await renderer.render('Hi {{ name }}', { name: 'Ann' }, { escapeHtml: true }); // "Hi Ann"
 * await renderer.close(); // on shutdown
 * ```
 */
export class PiscinaTemplateRenderer implements TemplateRenderer {
  readonly #options: ConstructorParameters<typeof Piscina>[0];
  #pool: Piscina<LiquidRenderTask, LiquidRenderResult> | null = null;
  readonly #timeLimitMs: number;
  readonly #hardLimitMs: number;
  /** Tasks running or waiting, at most: one per thread plus the queue. */
  readonly #capacity: number;
  /** Tasks sent and not settled, by id: their abort controller and hard-limit timer. */
  readonly #running = new Map<
    number,
    { readonly controller: AbortController; timer: ReturnType<typeof setTimeout> | null }
  >();
  #nextId = 1;
  #closed = false;

  constructor(config: PiscinaTemplateRendererConfig = {}) {
    const threads = config.threads ?? Math.max(1, Math.floor(availableParallelism() / 2));
    this.#timeLimitMs = config.timeLimitMs ?? PISCINA_RENDERER_DEFAULTS.timeLimitMs;
    this.#hardLimitMs =
      this.#timeLimitMs + (config.hardLimitGraceMs ?? PISCINA_RENDERER_DEFAULTS.hardLimitGraceMs);
    // Bounded here, not by piscina's maxQueue: piscina does not count tasks that carry an
    // AbortSignal against it.
    this.#capacity = threads + (config.maxQueue ?? threads * PISCINA_RENDERER_DEFAULTS.queuePerThread);
    const limits: LiquidTemplateRendererConfig = {
      ...(config.parseLimit === undefined ? {} : { parseLimit: config.parseLimit }),
      ...(config.memoryLimit === undefined ? {} : { memoryLimit: config.memoryLimit }),
      ...(config.outputLimit === undefined ? {} : { outputLimit: config.outputLimit }),
      renderLimit: this.#timeLimitMs,
    };
    const workerData: LiquidWorkerData = { limits };
    this.#options = {
      filename: WORKER_FILE,
      // Always `threads` workers: piscina replaces a terminated worker only up to minThreads, and
      // tasks queued behind a terminated one wait for that replacement.
      minThreads: threads,
      maxThreads: threads,
      // One task at a time per thread: a slow template holds its own worker, never a neighbour's.
      concurrentTasksPerWorker: 1,
      resourceLimits: {
        maxOldGenerationSizeMb: config.memoryLimitMb ?? PISCINA_RENDERER_DEFAULTS.memoryLimitMb,
      },
      workerData,
      // Applied by each worker to its own thread (piscina uses @napi-rs/nice; skipped if absent).
      niceIncrement: config.niceIncrement ?? PISCINA_RENDERER_DEFAULTS.niceIncrement,
    };
  }

  async render(source: string, variables: TemplateVariables, options: RenderOptions): Promise<string> {
    return unwrapOutcome(
      (await this.#run({ op: 'render', source, variables, options })) as LiquidOutcome<string>,
    );
  }

  async htmlToText(html: string): Promise<string> {
    return unwrapOutcome((await this.#run({ op: 'htmlToText', html })) as LiquidOutcome<string>);
  }

  async validate(source: string): Promise<TemplateSyntaxError[]> {
    return unwrapOutcome(
      (await this.#run({ op: 'validate', source })) as LiquidOutcome<TemplateSyntaxError[]>,
    );
  }

  /** Stops every worker thread; tasks still running or waiting fail with `TEMPLATE_RENDERER_BUSY`. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#pool?.destroy();
  }

  #started(): Piscina<LiquidRenderTask, LiquidRenderResult> {
    if (this.#pool === null) {
      const pool = new Piscina<LiquidRenderTask, LiquidRenderResult>(this.#options);
      pool.on('message', (message: unknown) => this.#onStarted(message));
      // A worker dying between tasks (there is no task to fail) must not crash the process.
      pool.on('error', () => undefined);
      this.#pool = pool;
    }
    return this.#pool;
  }

  async #run(work: DistributiveOmit<LiquidRenderTask, 'id'>): Promise<LiquidRenderResult> {
    if (this.#closed) throw busy('the template renderer is shut down');
    if (this.#running.size >= this.#capacity)
      throw busy('too many templates are waiting to be rendered; retry shortly');
    const pool = this.#started();
    const id = this.#nextId++;
    const entry = { controller: new AbortController(), timer: null as ReturnType<typeof setTimeout> | null };
    this.#running.set(id, entry);
    try {
      return await pool.run({ ...work, id } as LiquidRenderTask, { signal: entry.controller.signal });
    } catch (error) {
      throw this.#failure(error, entry.controller.signal);
    } finally {
      if (entry.timer !== null) clearTimeout(entry.timer);
      this.#running.delete(id);
    }
  }

  #onStarted(message: unknown): void {
    if (typeof message !== 'object' || message === null || !(TASK_STARTED in message)) return;
    const id = (message as Record<typeof TASK_STARTED, unknown>)[TASK_STARTED];
    // The task may already be over: "started" and the result travel on different ports.
    const entry = typeof id === 'number' ? this.#running.get(id) : undefined;
    if (entry === undefined || entry.timer !== null) return;
    entry.timer = setTimeout(() => entry.controller.abort(TIMED_OUT), this.#hardLimitMs);
  }

  #failure(error: unknown, signal: AbortSignal): MessagingError {
    if (signal.aborted && signal.reason === TIMED_OUT) {
      return new MessagingError(
        'TEMPLATE_TIMEOUT',
        `template took longer than ${this.#timeLimitMs} ms to render`,
        {
          field: 'template',
          cause: error,
        },
      );
    }
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return new MessagingError('TEMPLATE_TOO_LARGE', 'template needs more memory than allowed to render', {
        field: 'template',
        cause: error,
      });
    }
    if (this.#closed || (error instanceof Error && error.name === 'AbortError')) {
      return busy('the template renderer is shut down', error);
    }
    return new MessagingError('INTERNAL', `template worker failed: ${message}`, { cause: error });
  }
}

/** The abort reason of a task stopped by its hard time limit. */
const TIMED_OUT = Symbol('template time limit');

function busy(message: string, cause?: unknown): MessagingError {
  return new MessagingError('TEMPLATE_RENDERER_BUSY', message, {
    field: 'template',
    ...(cause === undefined ? {} : { cause }),
  });
}
