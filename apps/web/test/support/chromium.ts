import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium: the browser tests never download one. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Whether the browser tests run: always under CI (`CI=true`; a missing Chromium then fails them,
 * `.ci/run` installs it), elsewhere when Chromium is installed (else they are skipped, saying so).
 */
export function browserTestsRun(): boolean {
  if (existsSync(CHROMIUM_PATH) || process.env.CI === 'true') return true;
  console.warn(
    `Skipping the web inbox's browser tests: ${CHROMIUM_PATH} is missing (apt-get install -y chromium; under CI=true they run and fail without it).`,
  );
  return false;
}

/** Headless Chromium with a fresh profile, nothing in the background, no sandbox (CI runs as root). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { readonly target: readonly string[] }[];
}

let axeSource: Promise<string> | undefined;

/**
 * Runs axe-core in the page (its script evaluated through the DevTools protocol, which the page's
 * CSP does not govern) and answers the serious and critical violations, each as
 * `id: help (targets)`.
 */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  axeSource ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  const source = await axeSource;
  await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run();
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}
