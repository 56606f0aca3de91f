import { readdir, readFile } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { templateRendererContract } from '@parley/messaging-core/testing/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { LiquidTemplateRenderer } from './liquid-template-renderer.js';
import { PiscinaTemplateRenderer } from './piscina-template-renderer.js';

/** Nested loops: about 10^10 steps, far past any time limit. */
const WORST_CASE = '{% for i in (1..100000) %}{% for j in (1..100000) %}{{ j }}{% endfor %}{% endfor %}';
/** A source whose parse alone takes far longer than 100 ms: LiquidJS cannot interrupt parsing. */
const SLOW_TO_PARSE = '{{ a }}'.repeat(28_000);

const renderers: PiscinaTemplateRenderer[] = [];
function pool(
  config: ConstructorParameters<typeof PiscinaTemplateRenderer>[0] = {},
): PiscinaTemplateRenderer {
  const renderer = new PiscinaTemplateRenderer({ threads: 1, ...config });
  renderers.push(renderer);
  return renderer;
}
afterAll(async () => {
  await Promise.all(renderers.map((r) => r.close()));
});

templateRendererContract({ name: 'piscina (Liquid in worker threads)', renderer: () => pool() });

describe('PiscinaTemplateRenderer: the same sandbox as the in-process renderer', () => {
  const renderer = pool();

  it.each([
    '{{ x.constructor }}',
    '{{ "a".constructor.constructor("return process")() }}',
    '{{ process.env }}',
    '{{ globalThis.process }}',
  ])('%s renders nothing', async (source) => {
    expect(await renderer.render(`[${source}]`, { x: 'abc' }, { escapeHtml: false }).catch(() => '[]')).toBe(
      '[]',
    );
  });

  it('has no filesystem, and reports syntax errors with their line as the in-process renderer does', async () => {
    const local = new LiquidTemplateRenderer();
    for (const source of ["{% include '/etc/passwd' %}", 'ok\n{% if x %}', '{{ x | shell }}']) {
      expect(await renderer.validate(source)).toEqual(await local.validate(source));
    }
    await expect(renderer.render("{% render 'x' %}", {}, { escapeHtml: true })).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'template',
      message: expect.stringContaining('tag "render" not found'),
    });
  });

  it('produces what the in-process renderer produces, text conversion included', async () => {
    const local = new LiquidTemplateRenderer();
    const source = '<p>{{ who }} sent {{ n | plus: 1 }} messages</p>{% if n > 1 %}<p>many</p>{% endif %}';
    const variables = { who: '<Ann & Bob>', n: 2 };
    const html = await renderer.render(source, variables, { escapeHtml: true });
    expect(html).toBe(await local.render(source, variables, { escapeHtml: true }));
    expect(await renderer.htmlToText(html)).toBe('<Ann & Bob> sent 3 messages\n\nmany');
  });
});

describe('PiscinaTemplateRenderer: limits', () => {
  it('cuts a worst-case template (nested loops) at the time limit with TEMPLATE_TIMEOUT', async () => {
    const renderer = pool({ timeLimitMs: 300 });
    await renderer.render('warm {{ up }}', {}, { escapeHtml: false });
    const started = performance.now();
    await expect(renderer.render(WORST_CASE, {}, { escapeHtml: true })).rejects.toMatchObject({
      code: 'TEMPLATE_TIMEOUT',
      field: 'template',
      message: 'template took longer than 300 ms to render',
    });
    // Generous: the point is that it stops, at the limit rather than after 10^10 steps.
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(await renderer.render('still {{ ok }}', { ok: 'fine' }, { escapeHtml: false })).toBe('still fine');
  });

  it('terminates a worker whose work cannot be interrupted (a huge parse), and the next task works', async () => {
    const renderer = pool({ timeLimitMs: 100, hardLimitGraceMs: 100 });
    await expect(renderer.validate(SLOW_TO_PARSE)).rejects.toMatchObject({
      code: 'TEMPLATE_TIMEOUT',
      field: 'template',
    });
    expect(await renderer.validate('{{ fine }}')).toEqual([]);
  });

  it('cuts a huge HTML-to-text conversion the same way', async () => {
    const renderer = pool({ timeLimitMs: 100, hardLimitGraceMs: 100, outputLimit: 10_000_000 });
    const html = '<p>a<b>b</b></p>'.repeat(300_000);
    await expect(renderer.htmlToText(html)).rejects.toMatchObject({ code: 'TEMPLATE_TIMEOUT' });
    expect(await renderer.htmlToText('<p>a</p><p>b</p>')).toBe('a\n\nb');
  });

  it('cuts a memory-hungry template at the worker heap limit (TEMPLATE_TOO_LARGE), and the pool recovers', async () => {
    // LiquidJS's own memory estimate is turned off, so only the worker's V8 heap limit stops the
    // 50-million-element range.
    const renderer = pool({
      memoryLimit: Number.MAX_SAFE_INTEGER,
      memoryLimitMb: 32,
      timeLimitMs: 20_000,
    });
    await expect(
      renderer.render('{% for i in (1..50000000) %}{% endfor %}', {}, { escapeHtml: false }),
    ).rejects.toMatchObject({
      code: 'TEMPLATE_TOO_LARGE',
      field: 'template',
      message: 'template needs more memory than allowed to render',
      cause: expect.objectContaining({ code: 'ERR_WORKER_OUT_OF_MEMORY' }),
    });
    expect(await renderer.render('after {{ x }}', { x: 'OOM' }, { escapeHtml: false })).toBe('after OOM');
  });

  it('does not count time spent waiting in the queue against a task', async () => {
    // One thread: the quick render waits behind a parse that is killed at 200 ms (plus a new
    // worker's start); were the clock started at submission, it would be killed while waiting.
    const renderer = pool({ timeLimitMs: 100, hardLimitGraceMs: 100 });
    await renderer.render('warm', {}, { escapeHtml: false });
    const slow = renderer.validate(SLOW_TO_PARSE).catch((error: { code?: string }) => error.code);
    const quick = renderer.render('quick {{ x }}', { x: 1 }, { escapeHtml: false });
    expect(await slow).toBe('TEMPLATE_TIMEOUT');
    expect(await quick).toBe('quick 1');
  });

  it('refuses work beyond its queue at once with TEMPLATE_RENDERER_BUSY', async () => {
    const renderer = pool({ timeLimitMs: 300, maxQueue: 2 });
    await renderer.render('warm', {}, { escapeHtml: false });
    const running = [1, 2, 3].map(() =>
      renderer.render(WORST_CASE, {}, { escapeHtml: true }).catch((error: { code?: string }) => error.code),
    );
    await expect(renderer.render('one too many', {}, { escapeHtml: false })).rejects.toMatchObject({
      code: 'TEMPLATE_RENDERER_BUSY',
      message: 'too many templates are waiting to be rendered; retry shortly',
    });
    expect(await Promise.all(running)).toEqual(['TEMPLATE_TIMEOUT', 'TEMPLATE_TIMEOUT', 'TEMPLATE_TIMEOUT']);
  });

  it('refuses work after close() with TEMPLATE_RENDERER_BUSY', async () => {
    const renderer = new PiscinaTemplateRenderer({ threads: 1 });
    await renderer.close();
    await expect(renderer.render('x', {}, { escapeHtml: false })).rejects.toMatchObject({
      code: 'TEMPLATE_RENDERER_BUSY',
    });
  });
});

/** The nice value of every thread of this process (Linux: field 19 of /proc/self/task/<tid>/stat). */
async function threadNiceValues(): Promise<number[]> {
  const tids = await readdir('/proc/self/task');
  const values = await Promise.all(
    tids.map(async (tid) => {
      const stat = await readFile(`/proc/self/task/${tid}/stat`, 'utf8').catch(() => '');
      // The command name may hold spaces: fields are counted after its closing parenthesis.
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    }),
  );
  return values.filter((n) => Number.isFinite(n));
}

describe('PiscinaTemplateRenderer: the event loop stays free', () => {
  it.runIf(process.platform === 'linux')(
    'runs its worker threads at a lower CPU priority than the event loop',
    async () => {
      const before = await threadNiceValues();
      const renderer = pool({ niceIncrement: 7 });
      await renderer.render('warm', {}, { escapeHtml: false });
      const after = await threadNiceValues();
      expect(before.filter((n) => n === 7)).toEqual([]);
      // The worker thread, and any helper thread it started (they inherit its priority).
      expect(after.filter((n) => n === 7).length).toBeGreaterThanOrEqual(1);
      // The first task is the main thread: the event loop keeps its priority.
      expect(after[0]).toBe(0);
    },
  );

  it('keeps timers on time while worst-case renders run', async () => {
    const renderer = pool({ threads: 2, timeLimitMs: 1_000 });
    await Promise.all([1, 2].map(() => renderer.render('warm', {}, { escapeHtml: false })));
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    let settled = 0;
    const renders = [1, 2, 3, 4].map(() =>
      renderer.render(WORST_CASE, {}, { escapeHtml: true }).catch((error: { code?: string }) => {
        settled += 1;
        return error.code;
      }),
    );
    // A 20 ms timer set while four ~1 s renders are under way fires before any of them ends.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(0);
    expect(await Promise.all(renders)).toEqual(Array(4).fill('TEMPLATE_TIMEOUT'));
    delay.disable();
    // In process, each of these renders would hold the loop for a full second.
    expect(delay.max / 1e6).toBeLessThan(250);
  });

  it('(for contrast) the in-process renderer blocks the loop for the whole render', async () => {
    const local = new LiquidTemplateRenderer({ renderLimit: 300 });
    let fired = false;
    const timer = setTimeout(() => {
      fired = true;
    }, 20);
    const started = performance.now();
    await local.render(WORST_CASE, {}, { escapeHtml: true }).catch(() => undefined);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(fired).toBe(false);
    clearTimeout(timer);
  });
});
