// Renders through PiscinaTemplateRenderer imported from the module given as argv[2] (the
// compiled dist, or the TypeScript sources under tsx) and prints what happened as JSON: proof
// that the worker file resolves and loads in that mode.
const { PiscinaTemplateRenderer } = await import(new URL(process.argv[2], `file://${process.cwd()}/`).href);
const renderer = new PiscinaTemplateRenderer({ threads: 1, timeLimitMs: 200 });
try {
  const html = await renderer.render('<p>{{ name }}</p>', { name: '<Ann>' }, { escapeHtml: true });
  const timeout = await renderer
    .render(
      '{% for i in (1..100000) %}{% for j in (1..100000) %}{{ j }}{% endfor %}{% endfor %}',
      {},
      { escapeHtml: true },
    )
    .then(
      () => null,
      (error) => error.code,
    );
  console.log(JSON.stringify({ html, timeout, execArgv: process.execArgv }));
} finally {
  await renderer.close();
}
