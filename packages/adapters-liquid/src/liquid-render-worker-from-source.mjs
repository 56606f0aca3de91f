// The worker entry when Parley runs from its TypeScript sources (vitest, `pnpm start` under tsx):
// worker threads start as plain Node, so the TypeScript worker module is loaded through tsx.
// Compiled packages load `dist/liquid-render-worker.js` directly and never read this file.
import { tsImport } from 'tsx/esm/api';

const worker = await tsImport('./liquid-render-worker.ts', import.meta.url);

export default worker.default;
