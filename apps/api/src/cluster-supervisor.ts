// `PARLEY_WORKERS=N`: N API processes sharing one port through `node:cluster`, under a supervisor
// that does no request work itself. One Node.js process runs its JavaScript on one core; on a
// machine with spare cores, more processes serve more requests (docs/benchmarks.md has the figures,
// docs/deploy.md the topology). Everything the processes share already lives in PostgreSQL (or
// Redis): rate-limit counters, claims, cursors, cache invalidation through the event log.
import cluster, { type Worker } from 'node:cluster';

/** What a worker process is told by the supervisor before it composes. */
export interface ClusterRole {
  /** 0 for the first process: it seeds the demo directory, prints the banner and runs the background workers. */
  readonly index: number;
  readonly of: number;
}

interface RoleMessage {
  readonly parley: 'role';
  readonly index: number;
  readonly of: number;
}

interface AskMessage {
  readonly parley: 'role?';
}

interface ListeningMessage {
  readonly parley: 'listening';
}

function isRoleMessage(message: unknown): message is RoleMessage {
  return typeof message === 'object' && message !== null && (message as RoleMessage).parley === 'role';
}

function isAskMessage(message: unknown): message is AskMessage {
  return typeof message === 'object' && message !== null && (message as AskMessage).parley === 'role?';
}

function isListeningMessage(message: unknown): message is ListeningMessage {
  return (
    typeof message === 'object' && message !== null && (message as ListeningMessage).parley === 'listening'
  );
}

/** True in a process the supervisor started (its role is then waiting in `clusterRole()`). */
export function isClusterWorker(): boolean {
  return cluster.isWorker;
}

/**
 * Asks the supervisor for this process's role and waits for the answer. The process asks, rather
 * than the supervisor telling it at the fork, because a message that arrives before anyone listens
 * is dropped, and a worker listens only once its modules have loaded.
 */
export function clusterRole(): Promise<ClusterRole> {
  return new Promise((resolveRole) => {
    const onMessage = (message: unknown) => {
      if (!isRoleMessage(message)) return;
      process.off('message', onMessage);
      resolveRole({ index: message.index, of: message.of });
    };
    process.on('message', onMessage);
    process.send?.({ parley: 'role?' } satisfies AskMessage);
  });
}

/** Tells the supervisor this process listens: the supervisor starts the next one only then. */
export function announceListening(): void {
  process.send?.({ parley: 'listening' } satisfies ListeningMessage);
}

export interface SupervisorOptions {
  readonly workers: number;
  /** Where the supervisor's own lines go (a worker that died, a replacement, shutting down). */
  readonly log?: (line: string) => void;
  /** How long a worker has to finish after SIGTERM before it is killed (ms; the API's grace is 10 s). */
  readonly stopTimeoutMs?: number;
}

/**
 * Starts `workers` API processes and keeps them running: the first one alone (it migrates the
 * database, generates the JWT secret file and seeds the demo when asked), the others once it
 * listens. A process that exits while the supervisor is not stopping is replaced after a delay
 * that doubles while replacements keep dying young (1 s up to 30 s). If the first process fails
 * before it ever listened, the supervisor exits with its code: that is a startup failure, and the
 * process has already printed why. SIGTERM and SIGINT stop every process (each finishes its
 * in-flight requests) and then the supervisor.
 *
 * Side effects: forks processes, installs SIGTERM/SIGINT handlers, exits the process when done.
 */
export function superviseWorkers(options: SupervisorOptions): void {
  const log = options.log ?? ((line: string) => console.error(line));
  const stopTimeoutMs = options.stopTimeoutMs ?? 15_000;
  const live = new Map<number, Worker>();
  let stopping = false;
  let firstListened = false;
  let restartDelayMs = 1_000;

  const fork = (index: number): Promise<void> =>
    new Promise((listening) => {
      const worker = cluster.fork();
      const startedAt = Date.now();
      live.set(index, worker);
      worker.on('message', (message: unknown) => {
        if (isAskMessage(message)) {
          worker.send({ parley: 'role', index, of: options.workers } satisfies RoleMessage);
          return;
        }
        if (!isListeningMessage(message)) return;
        if (index === 0) firstListened = true;
        listening();
      });
      worker.on('exit', (code, signal) => {
        if (live.get(index) === worker) live.delete(index);
        if (stopping) {
          if (live.size === 0) process.exit(0);
          return;
        }
        if (index === 0 && !firstListened) {
          // Nothing ever served: a configuration or database problem the worker has described.
          for (const other of live.values()) other.process.kill('SIGTERM');
          process.exit(code ?? 1);
        }
        // A process that served for a minute is replaced at once; one that keeps dying young waits
        // 1 s, 2 s, 4 s … 30 s, so a crash loop does not take the machine's CPU.
        const lived = Date.now() - startedAt;
        if (lived > 60_000) restartDelayMs = 1_000;
        const delay = lived > 60_000 ? 0 : restartDelayMs;
        restartDelayMs = Math.min(restartDelayMs * 2, 30_000);
        log(
          `Parley API process ${index + 1} of ${options.workers} (pid ${worker.process.pid}) exited (${signal ?? `code ${code}`}); starting a replacement${delay > 0 ? ` in ${delay} ms` : ''}`,
        );
        setTimeout(() => {
          if (!stopping) void fork(index);
        }, delay).unref();
        listening();
      });
    });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`Parley supervisor: ${signal}, stopping ${live.size} API process(es)`);
    if (live.size === 0) process.exit(0);
    // The signal itself, not `worker.kill()`: that would first cut the IPC channel, and each API
    // process already closes its listener and finishes its requests on SIGTERM.
    for (const worker of live.values()) worker.process.kill('SIGTERM');
    setTimeout(() => {
      for (const worker of live.values()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, stopTimeoutMs).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  void (async () => {
    await fork(0);
    for (let index = 1; index < options.workers && !stopping; index += 1) await fork(index);
    if (!stopping) console.log(`Parley: ${options.workers} API processes listening (PARLEY_WORKERS)`);
  })();
}
