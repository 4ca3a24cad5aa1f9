// Stopping a run from outside: Ctrl-C (SIGINT), SIGTERM (a container, a CI job or a cloud
// shell being stopped) and SIGHUP (the terminal closed) all do the same thing. While the
// engine runs: start nothing new, let the calls already sent answer, save the state, say how
// to resume, release the lock. Anywhere else (a question, a credentials lookup, a wait for
// the founder) there is nothing in flight: say how to resume, release the lock, exit. A
// second signal quits at once. The exit code is 128 + the signal's number, the shell's
// convention: 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP.
import { constants } from 'node:os';

export type StopCause = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'lock-lost';
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** 128 + the signal's number; a lost lock is a failure (1). */
export function stopExitCode(cause: StopCause): number {
  return cause === 'lock-lost' ? 1 : 128 + constants.signals[cause];
}

/** The demo cannot be resumed (its folder is deleted): every "run again" says so instead. */
export const DEMO_STOPPED =
  'The demo stopped. Nothing real was touched, and its temporary folder is deleted. `npx secure-start demo` starts it again.';

/** How a stop is named to the founder. */
export function stopLabel(cause: StopCause): string {
  return cause === 'SIGINT' ? 'Ctrl-C' : cause === 'lock-lost' ? 'another run taking over the lock' : cause;
}

export interface StopTarget {
  /** Start nothing new; let calls already sent finish (Engine.interrupt). */
  interrupt(): void;
  /** Show one line to the founder (through the progress renderer when there is one). */
  notice(message: string): void;
}

export class Stopper {
  cause?: StopCause;
  private count = 0;
  private target?: StopTarget;
  private readonly handlers = new Map<string, () => void>();

  /** `idle`: stop when nothing is in flight (or at a second signal); it must end the process. */
  constructor(private readonly idle: (cause: StopCause, atOnce: boolean) => void) {}

  install(): void {
    for (const s of STOP_SIGNALS) {
      const h = () => this.stop(s);
      this.handlers.set(s, h);
      process.on(s, h);
    }
  }

  uninstall(): void {
    for (const [s, h] of this.handlers) process.off(s, h);
    this.handlers.clear();
  }

  /** The engine run under way, which a stop interrupts; undefined when none is. */
  attach(target: StopTarget | undefined): void {
    this.target = target;
  }

  stop(cause: StopCause): void {
    this.count++;
    this.cause ??= cause;
    if (!this.target || this.count > 1) return this.idle(this.cause, this.count > 1);
    const why =
      cause === 'lock-lost'
        ? 'Another secure-start run took over the lock (this one was paused for too long). Stopping after the calls already sent…'
        : `Stopping after the calls already sent… (${stopLabel(cause)}; ${cause === 'SIGINT' ? 'Ctrl-C' : 'a signal'} again to quit at once)`;
    this.target.notice(why);
    this.target.interrupt();
  }

  get exitCode(): number | undefined {
    return this.cause ? stopExitCode(this.cause) : undefined;
  }
}
