import { DEFAULT_EMAIL_TEMPLATES, isMessagingError } from '@parley/messaging-core';
import { templateRendererContract } from '@parley/messaging-core/testing/contracts';
import { describe, expect, it } from 'vitest';
import { LiquidTemplateRenderer } from './liquid-template-renderer.js';

templateRendererContract({ name: 'liquid', renderer: () => new LiquidTemplateRenderer() });

const renderer = new LiquidTemplateRenderer();
const html = (source: string, variables: Record<string, string | number> = {}) =>
  renderer.render(source, variables, { escapeHtml: true });
const plain = (source: string, variables: Record<string, string | number> = {}) =>
  renderer.render(source, variables, { escapeHtml: false });

async function renderError(promise: Promise<string>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(isMessagingError(error) && error.code === 'VALIDATION' && error.field === 'template').toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected the render to fail');
}

describe('LiquidTemplateRenderer: template text cannot reach JavaScript', () => {
  it.each([
    '{{ x.constructor }}',
    '{{ x.__proto__ }}',
    '{{ x.constructor.constructor }}',
    '{{ "a".constructor.constructor }}',
    '{{ "a".constructor.constructor("return process")() }}',
    '{{ x.toString }}',
    '{{ x.hasOwnProperty }}',
    '{{ n.constructor.name }}',
    '{{ constructor }}',
    '{{ __proto__ }}',
    '{{ toString }}',
    '{{ valueOf }}',
    '{{ this }}',
    '{{ process }}',
    '{{ process.env }}',
    '{{ process.env.PATH }}',
    '{{ global }}',
    '{{ globalThis.process }}',
    '{{ require }}',
    '{{ x["constructor"] }}',
    '{% assign c = x.constructor %}{{ c.name }}',
    '{% for k in x.__proto__ %}{{ k }}{% endfor %}',
  ])('%s renders nothing', async (source) => {
    // Some forms are not even valid Liquid; either way no JavaScript value comes out.
    const output = await plain(`[${source}]`, { x: 'abc', n: 1 }).catch(() => '[]');
    expect(output).toBe('[]');
  });

  it('still reads what the variables themselves hold', async () => {
    expect(await plain('{{ x }} {{ x.size }} {{ x | upcase }} {{ n | plus: 1 }}', { x: 'abc', n: 1 })).toBe(
      'abc 3 ABC 2',
    );
  });

  it('treats inherited names in the variables object as absent', async () => {
    expect(await plain('[{{ hasOwnProperty }}{{ isPrototypeOf }}]', {})).toBe('[]');
  });
});

describe('LiquidTemplateRenderer: no filesystem', () => {
  it.each([
    "{% include '/etc/passwd' %}",
    '{% include "../../package.json" %}',
    "{% render '/etc/passwd' %}",
    "{% render 'header' %}",
    "{% layout '/etc/passwd' %}",
    '{% block x %}{% endblock %}',
  ])('%s is refused at validation and at render', async (source) => {
    const errors = await renderer.validate(source);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/^tag "(include|render|layout|block)" not found$/);
    expect(await renderError(html(source))).toMatch(/tag "(include|render|layout|block)" not found/);
  });
});

describe('LiquidTemplateRenderer: escaping', () => {
  it('HTML-escapes variables in HTML bodies', async () => {
    expect(await html('<p>{{ x }}</p>', { x: '<script>alert("pwned")</script>' })).toBe(
      '<p>&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;</p>',
    );
    expect(await html('<a href="{{ u }}">r</a>', { u: '"><img src=x onerror=alert(1)>' })).toBe(
      '<a href="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;">r</a>',
    );
  });

  it('escapes filter output too, and not twice', async () => {
    expect(await html('{{ x | upcase }}', { x: '<b>&' })).toBe('&lt;B&gt;&amp;');
  });

  it('loops over lists of flat records, escaping each field, and reaches nothing deeper', async () => {
    const conversations = [
      { subject: '<b>Order</b>', unread_count: 2 },
      { subject: 'Refund', unread_count: 1, nested: { x: 1 } as unknown as string },
    ];
    expect(
      await renderer.render(
        '{% for c in conversations %}[{{ c.subject }} {{ c.unread_count }}{{ c.nested.x }}{{ c.constructor }}]{% endfor %}',
        { conversations },
        { escapeHtml: true },
      ),
    ).toBe('[&lt;b&gt;Order&lt;/b&gt; 2][Refund 1]');
  });

  it('renders the seeded digests with their lists', async () => {
    const digest = DEFAULT_EMAIL_TEMPLATES.find((t) => t.code === 'digest_weekly' && t.language === 'de');
    if (!digest) throw new Error('digest_weekly/de');
    const out = await renderer.render(
      digest.bodyHtml,
      {
        recipient_name: 'Ana',
        conversation_count: 1,
        unread_count: 2,
        inbox_url: 'https://parley.test/inbox',
        conversations: [
          {
            subject: 'Bestellung',
            unread_count: 2,
            sender_name: 'Sam',
            message_preview: 'Hallo',
            reply_url: 'https://parley.test/inbox/c/1',
          },
        ],
      },
      { escapeHtml: true },
    );
    expect(out).toMatch(
      /<a href="https:\/\/parley\.test\/inbox\/c\/1">Bestellung<\/a>\s*\(2 ungelesen\)<br>Sam: Hallo/,
    );
    expect(out).toContain('Posteingang öffnen');
  });

  it('does not escape subjects and plain text', async () => {
    expect(await plain('Re: {{ x }}', { x: '<b>Tom & Jerry</b>' })).toBe('Re: <b>Tom & Jerry</b>');
  });
});

describe('LiquidTemplateRenderer: limits and errors', () => {
  it('stops a huge loop (memory limit)', async () => {
    await expect(html('{% for i in (1..100000000) %}a{% endfor %}')).rejects.toMatchObject({
      code: 'TEMPLATE_TOO_LARGE',
      field: 'template',
      message: 'template needs more memory than allowed to render',
    });
  });

  it('refuses an output longer than the output limit, and HTML that long to convert', async () => {
    const small = new LiquidTemplateRenderer({ outputLimit: 1_000 });
    expect(
      await small.render('{% for i in (1..100) %}0123456789{% endfor %}', {}, { escapeHtml: true }),
    ).toHaveLength(1_000);
    await expect(
      small.render('{% for i in (1..101) %}0123456789{% endfor %}', {}, { escapeHtml: true }),
    ).rejects.toMatchObject({
      code: 'TEMPLATE_TOO_LARGE',
      message: 'template output is longer than 1000 characters',
    });
    await expect(small.htmlToText(`<p>${'a'.repeat(1_000)}</p>`)).rejects.toMatchObject({
      code: 'TEMPLATE_TOO_LARGE',
    });
  });

  it('stops a long render (time limit)', async () => {
    const slow = new LiquidTemplateRenderer({ renderLimit: 50, memoryLimit: Number.MAX_SAFE_INTEGER });
    const started = Date.now();
    await expect(
      slow.render(
        '{% for i in (1..100000) %}{% for j in (1..100000) %}{{ j }}{% endfor %}{% endfor %}',
        {},
        { escapeHtml: false },
      ),
    ).rejects.toMatchObject({
      code: 'TEMPLATE_TIMEOUT',
      field: 'template',
      message: 'template took longer than 50 ms to render',
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses a template longer than the parse limit', async () => {
    const small = new LiquidTemplateRenderer({ parseLimit: 100 });
    expect((await small.validate('x'.repeat(101)))[0]?.message).toContain('parse length limit exceeded');
    expect(await small.validate('x'.repeat(100))).toEqual([]);
  });

  it('reports syntax errors with their line, unknown filters included', async () => {
    expect(await renderer.validate('ok\n{% if x %}')).toEqual([
      { message: expect.stringContaining('not closed'), line: 2 },
    ]);
    expect(await renderer.validate('{{ x | shell }}')).toEqual([
      { message: 'undefined filter: shell', line: 1 },
    ]);
    expect(await renderer.validate('{% if message_count > 1 %}a{% else %}b{% endif %}')).toEqual([]);
  });

  it('uses Liquid truthiness (0 and "" are true)', async () => {
    expect(await plain('{% if n %}yes{% else %}no{% endif %}', { n: 0 })).toBe('yes');
  });
});

describe('the default new_message templates on Liquid', () => {
  const variables = {
    conversation_subject: 'Order #42',
    sender_name: 'Acme <Support>',
    message_preview: 'Your parcel left today',
    reply_url: 'https://parley.test/storefront/conversations/c1',
  };
  const byLanguage = (language: string) => {
    const template = DEFAULT_EMAIL_TEMPLATES.find((t) => t.code === 'new_message' && t.language === language);
    if (!template) throw new Error(language);
    return template;
  };

  it('validate in every language', async () => {
    for (const template of DEFAULT_EMAIL_TEMPLATES) {
      expect(await renderer.validate(template.subject)).toEqual([]);
      expect(await renderer.validate(template.bodyHtml)).toEqual([]);
    }
  });

  it('render one message, then a batch, in English', async () => {
    const en = byLanguage('en');
    expect(await plain(en.subject, variables)).toBe('New message: Order #42');
    const one = await html(en.bodyHtml, variables);
    expect(one).toBe(
      [
        '<p>Acme &lt;Support&gt; sent you a message in “Order #42”:</p>',
        '<blockquote>Your parcel left today</blockquote>',
        '<p><a href="https://parley.test/storefront/conversations/c1">Reply</a></p>',
      ].join('\n'),
    );
    expect(await renderer.htmlToText(one)).toBe(
      'Acme <Support> sent you a message in “Order #42”:\n\n> Your parcel left today\n\nReply [https://parley.test/storefront/conversations/c1]',
    );
    expect(await html(en.bodyHtml, { ...variables, message_count: 3 })).toContain(
      'You have 3 new messages in “Order #42”. The latest, from Acme &lt;Support&gt;:',
    );
  });

  it('render in French and German', async () => {
    expect(await plain(byLanguage('fr').subject, variables)).toBe('Nouveau message : Order #42');
    expect(await plain(byLanguage('de').subject, variables)).toBe('Neue Nachricht: Order #42');
    expect(await html(byLanguage('fr').bodyHtml, { ...variables, message_count: 2 })).toContain(
      'Vous avez 2 nouveaux messages dans « Order #42 »',
    );
    expect(await html(byLanguage('de').bodyHtml, variables)).toContain('>Antworten</a>');
  });
});
