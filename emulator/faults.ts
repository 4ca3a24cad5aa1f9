// Fault injection. Rules match calls by service/operation/account and fire by rate (seeded
// PRNG, so a run repeats exactly), after skipping some calls, a limited number of times, or
// following a scripted sequence. Without rate/times/sequence a rule fires on every match:
// that is how a "permanent" failure (e.g. AccessDenied on one operation) is simulated.
import { makeRng } from './rng.js';

export type FaultKind =
  | 'throttle' // the service's own throttling code
  | 'internal' // 500 InternalFailure (service-specific code)
  | 'unavailable' // 503
  | 'drop' // destroy the socket without answering
  | 'latency' // add delayMs, then answer normally
  | 'accessDenied' // the service's access-denied code
  | 'error'; // any code/status/message

export interface FaultRule {
  service?: string;
  operation?: string;
  account?: string;
  /** Only mutating calls (or only reads with false). */
  mutating?: boolean;
  kind: FaultKind;
  /** For kind 'error'. */
  code?: string;
  status?: number;
  message?: string;
  /** For kind 'latency'. */
  delayMs?: number;
  /** 'after': apply the operation, then fail (only 'drop', 'internal', 'unavailable', 'error'). */
  when?: 'before' | 'after';
  /** Probability 0..1 that a matching call is hit (default 1). */
  rate?: number;
  /** Let the first N matching calls through. */
  skip?: number;
  /** Fire at most N times, then the rule is spent. */
  times?: number;
  /** Scripted outcome per matching call, e.g. ['throttle', 'throttle', 'ok']; spent at the end. */
  sequence?: (FaultKind | 'ok')[];
}

export interface FaultSpec {
  seed?: number;
  rules: FaultRule[];
}

export interface FaultDecision {
  kind: FaultKind;
  rule: FaultRule;
  when: 'before' | 'after';
}

interface RuleState {
  rule: FaultRule;
  seen: number;
  fired: number;
}

export interface CallFacts {
  service: string;
  operation: string;
  account: string | null;
  mutating: boolean;
}

export class FaultEngine {
  private rules: RuleState[] = [];
  private rng = makeRng(1);

  set(spec: FaultSpec): void {
    this.rng = makeRng(spec.seed ?? 1);
    this.rules = [];
    for (const rule of spec.rules ?? []) this.add(rule);
  }

  add(rule: FaultRule): void {
    validateRule(rule);
    this.rules.push({ rule, seen: 0, fired: 0 });
  }

  clear(): void {
    this.set({ rules: [] });
  }

  list(): (FaultRule & { seen: number; fired: number })[] {
    return this.rules.map((s) => ({ ...s.rule, seen: s.seen, fired: s.fired }));
  }

  /**
   * Decide the fate of one call: extra latency (summed over latency rules) and at most
   * one failure (the first rule that fires).
   */
  decide(call: CallFacts): { delayMs: number; failure?: FaultDecision } {
    let delayMs = 0;
    let failure: FaultDecision | undefined;
    for (const state of this.rules) {
      const { rule } = state;
      if (rule.service && rule.service !== call.service) continue;
      if (rule.operation && rule.operation !== call.operation) continue;
      if (rule.account && rule.account !== call.account) continue;
      if (rule.mutating !== undefined && rule.mutating !== call.mutating) continue;
      if (failure && rule.kind !== 'latency') continue;
      const index = state.seen++;
      let kind: FaultKind | 'ok' = rule.kind;
      if (rule.sequence) {
        if (index >= rule.sequence.length) continue;
        kind = rule.sequence[index];
        if (kind === 'ok') continue;
      } else {
        if (index < (rule.skip ?? 0)) continue;
        if (rule.times !== undefined && state.fired >= rule.times) continue;
        if (rule.rate !== undefined && this.rng() >= rule.rate) continue;
      }
      state.fired++;
      if (kind === 'latency') delayMs += rule.delayMs ?? 1000;
      else failure = { kind, rule, when: rule.when ?? 'before' };
    }
    return { delayMs, failure };
  }
}

const KINDS: FaultKind[] = ['throttle', 'internal', 'unavailable', 'drop', 'latency', 'accessDenied', 'error'];

function validateRule(rule: FaultRule): void {
  if (!KINDS.includes(rule.kind))
    throw new Error(`unknown fault kind ${JSON.stringify(rule.kind)} (one of ${KINDS.join(', ')})`);
  if (rule.kind === 'error' && !rule.code) throw new Error("fault kind 'error' needs a code");
  for (const k of rule.sequence ?? []) {
    if (k !== 'ok' && !KINDS.includes(k)) throw new Error(`unknown fault kind in sequence: ${k}`);
  }
  if (rule.rate !== undefined && (rule.rate < 0 || rule.rate > 1)) throw new Error('rate must be between 0 and 1');
}
