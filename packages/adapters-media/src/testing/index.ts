export type { SampleFile } from './sample-files.js';
export {
  cfbHeader,
  elfHeader,
  makeSampleFiles,
  minimalPdf,
  photosZip,
  undecodablePng,
  ZIP_BOMB_INFLATED_BYTES,
  zipBombDocx,
} from './sample-files.js';
