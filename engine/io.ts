// How the engine talks to the person: events only, like the AWS CDK toolkit's io host.
// The engine never writes to the terminal and never asks questions while it runs: it stops
// at a blocking manual action and returns; the UI asks, then runs the engine again.
import type { Action, Mode, StepId } from '../steps/contract.js';

/** An action as shown and serialised: refs printed as `<key>`. */
export interface ActionView {
  step: StepId;
  kind: Action['kind'];
  symbol: Action['symbol'];
  service: string;
  operation: string;
  input: unknown;
  account: string;
  region: string;
  summary: string;
  controls: string[];
  manual?: Action['manual'];
  /** Plain-words notes for the plan (Action.details). */
  details?: string[];
}

export interface Explained {
  /** One or two sentences: what happened and what to do. */
  message: string;
  code?: string;
  requestId?: string;
  service?: string;
  operation?: string;
}

export type StepStatus = 'ok' | 'changed' | 'drift' | 'manual' | 'blocked' | 'failed' | 'skipped' | 'interrupted';

export type IoEvent =
  | { type: 'run-start'; mode: Mode; offline: boolean; steps: { id: StepId; title: string; needs: StepId[] }[] }
  | { type: 'step-start'; step: StepId; title: string }
  | { type: 'action-start'; step: StepId; action: ActionView }
  | { type: 'action-done'; step: StepId; action: ActionView; ms: number }
  | { type: 'action-failed'; step: StepId; action: ActionView; error: Explained }
  | { type: 'progress'; step: StepId; message: string; elapsedMs: number }
  | {
      type: 'retry';
      step?: StepId;
      service: string;
      operation: string;
      attempt: number;
      error: string;
      account: string;
      region: string;
    }
  | { type: 'manual'; step: StepId; action: ActionView }
  | { type: 'log'; level: 'info' | 'warn'; step?: StepId; message: string }
  | { type: 'step-done'; step: StepId; status: StepStatus; ms: number; actions: ActionView[]; error?: Explained };

export interface IoHost {
  notify(event: IoEvent): void;
}

/** Collects events; used by tests and by renderers that print after the fact. */
export class RecordingIoHost implements IoHost {
  readonly events: IoEvent[] = [];
  notify(event: IoEvent): void {
    this.events.push(event);
  }
}
