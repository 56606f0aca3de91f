export type { SharpMediaInspectorConfig } from './sharp-media-inspector.js';
export { SharpMediaInspector } from './sharp-media-inspector.js';
