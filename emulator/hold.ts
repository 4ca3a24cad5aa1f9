// Hold: pause the Nth mutating call (counted from when the hold is armed), either before
// applying it or after applying it but before answering, until released or until the
// client disconnects. A crash test arms a hold, waits until a call is held, SIGKILLs the
// CLI, and so hits an exact crash point every time.
import type { CallFacts } from './faults.js';

export interface HoldSpec {
  /** Which matching mutating call to hold: 1 = the next one (default). */
  nth?: number;
  /** 'before' = not applied yet; 'after' = applied, response not sent. */
  when: 'before' | 'after';
  service?: string;
  operation?: string;
  account?: string;
}

export interface HeldCall {
  service: string;
  operation: string;
  account: string | null;
  requestId: string;
  when: 'before' | 'after';
  since: string;
}

export interface HoldStatus {
  /** A hold is armed and has not caught its call yet. */
  armed: (HoldSpec & { remaining: number }) | null;
  /** The call being held right now. */
  held: HeldCall | null;
  /** How the last held call ended. */
  last: (HeldCall & { outcome: 'released' | 'client-disconnected' }) | null;
}

export class HoldManager {
  private armedSpec: (HoldSpec & { remaining: number }) | null = null;
  private current: { call: HeldCall; resolve: (outcome: 'released' | 'client-disconnected') => void } | null = null;
  private lastHeld: HoldStatus['last'] = null;
  private waiters: (() => void)[] = [];

  arm(spec: HoldSpec): void {
    if (spec.when !== 'before' && spec.when !== 'after') throw new Error("hold.when must be 'before' or 'after'");
    const nth = spec.nth ?? 1;
    if (!Number.isInteger(nth) || nth < 1) throw new Error('hold.nth must be a positive integer');
    this.armedSpec = { ...spec, nth, remaining: nth };
  }

  disarm(): void {
    this.armedSpec = null;
  }

  /** Called once per mutating call, before it is applied: is this the call to hold? */
  claim(call: CallFacts): 'before' | 'after' | null {
    const spec = this.armedSpec;
    if (!spec || !call.mutating) return null;
    if (spec.service && spec.service !== call.service) return null;
    if (spec.operation && spec.operation !== call.operation) return null;
    if (spec.account && spec.account !== call.account) return null;
    spec.remaining--;
    if (spec.remaining > 0) return null;
    this.armedSpec = null;
    return spec.when;
  }

  /** Pause until released or until `onClientGone` fires. */
  hold(call: HeldCall, onClientGone: (cb: () => void) => void): Promise<'released' | 'client-disconnected'> {
    return new Promise((resolve) => {
      const finish = (outcome: 'released' | 'client-disconnected') => {
        if (this.current?.call !== call) return;
        this.current = null;
        this.lastHeld = { ...call, outcome };
        resolve(outcome);
      };
      this.current = { call, resolve: finish };
      onClientGone(() => finish('client-disconnected'));
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Release the held call (true if there was one). */
  release(): boolean {
    if (!this.current) return false;
    this.current.resolve('released');
    return true;
  }

  status(): HoldStatus {
    return {
      armed: this.armedSpec ? { ...this.armedSpec } : null,
      held: this.current ? { ...this.current.call } : null,
      last: this.lastHeld,
    };
  }

  /** Resolve when a call is held (immediately if one already is); reject after timeoutMs. */
  waitForHeld(timeoutMs = 30_000): Promise<HeldCall> {
    if (this.current) return Promise.resolve({ ...this.current.call });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no call was held within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = () => {
        clearTimeout(timer);
        resolve({ ...this.current!.call });
      };
      this.waiters.push(waiter);
    });
  }

  /** On reset/stop: let any held call go and forget the hold. */
  reset(): void {
    this.armedSpec = null;
    this.release();
    this.lastHeld = null;
  }
}
