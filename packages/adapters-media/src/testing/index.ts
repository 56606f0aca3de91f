export type { SampleFile } from './sample-files.js';
export { cfbHeader, elfHeader, makeSampleFiles, minimalPdf, undecodablePng } from './sample-files.js';
