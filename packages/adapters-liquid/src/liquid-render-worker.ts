// The module each PiscinaTemplateRenderer worker thread loads: one LiquidEngine per thread,
// configured from `workerData`. It imports no Parley package at run time (see liquid-engine.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { LiquidEngine } from './liquid-engine.js';
import {
  type LiquidRenderResult,
  type LiquidRenderTask,
  type LiquidWorkerData,
  TASK_STARTED,
} from './liquid-render-task.js';

const engine = new LiquidEngine((workerData as LiquidWorkerData | null)?.limits ?? {});

/** Runs one task on this thread's engine. */
export default function runLiquidTask(task: LiquidRenderTask): LiquidRenderResult {
  // Queue time must not count against the template: the main thread starts its clock on this.
  parentPort?.postMessage({ [TASK_STARTED]: task.id });
  switch (task.op) {
    case 'render':
      return engine.render(task.source, task.variables, task.options);
    case 'htmlToText':
      return engine.htmlToText(task.html);
    case 'validate':
      return { ok: true, value: engine.validate(task.source) };
  }
}
