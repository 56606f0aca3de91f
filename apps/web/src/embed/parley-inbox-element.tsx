import type { TokenProvider } from '@parley/client';
import inboxStylesheet from '../inbox.css?url';
import { mountInbox } from '../inbox-mount.js';

/**
 * `<parley-inbox api-base="https://parley.example.com">`: the inbox inside a host platform's own
 * page. The host sets `tokenProvider` (a function answering a fresh Parley JWT for the signed-in
 * person, called before every request and reconnect); the inbox mounts once both are there. It
 * renders in a shadow root with its own stylesheet, so neither page's styles leak into the other,
 * and leaves the page's URL alone. The API must list the host's origin in `PARLEY_CORS_ORIGINS`.
 */
export class ParleyInboxElement extends HTMLElement {
  #provider: TokenProvider | null = null;
  #unmount: (() => void) | null = null;
  #mounting = false;

  /** The token provider: a function answering the bearer token (async allowed). */
  get tokenProvider(): TokenProvider | null {
    return this.#provider;
  }

  set tokenProvider(provider: TokenProvider | null) {
    this.#provider = provider;
    void this.#mount();
  }

  connectedCallback(): void {
    void this.#mount();
  }

  disconnectedCallback(): void {
    this.#unmount?.();
    this.#unmount = null;
  }

  async #mount(): Promise<void> {
    if (this.#unmount || this.#mounting || !this.isConnected || !this.#provider) return;
    this.#mounting = true;
    try {
      const shadow = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
      shadow.replaceChildren();
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = new URL(inboxStylesheet, import.meta.url).href;
      const root = document.createElement('div');
      root.className = 'parley-inbox-root';
      shadow.append(link, root);
      const apiBase = (
        this.getAttribute('api-base') ?? new URL(/* @vite-ignore */ '../../', import.meta.url).href
      ).replace(/\/+$/, '');
      this.#unmount = await mountInbox(root, { apiBase, token: this.#provider, routing: 'memory' });
    } finally {
      this.#mounting = false;
    }
  }
}

if (!customElements.get('parley-inbox')) customElements.define('parley-inbox', ParleyInboxElement);
