// What PiscinaTemplateRenderer and its worker threads exchange: plain data, no Parley runtime.
import type { RenderOptions, TemplateSyntaxError, TemplateVariables } from '@parley/messaging-core';
import type { LiquidOutcome, LiquidTemplateRendererConfig } from './liquid-engine.js';

/** One piece of template work sent to a worker; `id` ties the "started" signal to it. */
export type LiquidRenderTask =
  | {
      readonly id: number;
      readonly op: 'render';
      readonly source: string;
      readonly variables: TemplateVariables;
      readonly options: RenderOptions;
    }
  | { readonly id: number; readonly op: 'htmlToText'; readonly html: string }
  | { readonly id: number; readonly op: 'validate'; readonly source: string };

/** What a worker answers. */
export type LiquidRenderResult = LiquidOutcome<string> | LiquidOutcome<TemplateSyntaxError[]>;

/** The key of the message a worker posts when it starts a task (the time limit starts then). */
export const TASK_STARTED = 'parleyLiquidTaskStarted';

/** What the pool hands each worker. */
export interface LiquidWorkerData {
  readonly limits: LiquidTemplateRendererConfig;
}
