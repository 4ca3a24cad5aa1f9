// The contract every step follows. A step OBSERVES AWS with reads only, PLANS the missing
// mutations with a pure function, and the engine APPLIES them. The same step therefore
// serves the wizard, resume, dry-run and verify. A step is also the one place for everything
// about it: its part of the config (schema, defaults, checks), what it costs and what is hard
// to undo, the trusted access and delegated administrators it needs, the outputs it makes
// known and the controls it covers; plan views, status, verify, the wizard and the config
// schema derive from the steps. To add a step: copy steps/organization.ts (or, for a
// service with config, steps/guardduty.ts), then list it in steps/index.ts.
import type { z } from 'zod';
import type { Baseline, Rule } from '../config/schema.js';
import type { AwsApi } from '../aws/factory.js';
import type { ServiceName } from '../aws/services.js';
import type { InflightOp } from '../state/store.js';

export type StepId = string;

/**
 * A value another step creates, known only once it exists: `<prod.accountId>`.
 * The engine resolves refs inside action inputs and targets before it runs an action, and
 * prints them as `<key>` in a plan. Keys: see OUTPUT KEYS below.
 */
export class Ref {
  constructor(readonly key: string) {}
  toString(): string {
    return `<${this.key}>`;
  }
  toJSON(): string {
    return `<${this.key}>`;
  }
}
export const ref = (key: string): Ref => new Ref(key);
export const isRef = (v: unknown): v is Ref => v instanceof Ref;
/** A string, or a Ref while the thing does not exist yet. */
export type Val = string | Ref;

/**
 * Output keys that start with this only order the actions of one run (a subnet's delete before
 * its VPC's): the engine keeps them in memory, never in the state file, and a resumed run
 * observes and plans again.
 */
export const RUN_KEY = 'run:';

// OUTPUT KEYS are flat, dotted strings (`prod.accountId`, `sso.instanceArn`,
// `permissionSet.ReadOnly.arn`); each step lists the ones it makes known in `outputs`.

export interface Target {
  account: Val;
  region: string;
}

export interface ManualInfo {
  /** What to do, one short sentence per line. */
  instructions: string[];
  /** Why it matters, one sentence. */
  why: string;
  /** A console deep link. */
  link?: string;
  /**
   * Blocking: the steps that need this one cannot go on until it is done (the engine asks
   * the person, or stops with exit code 3). Not blocking: advice shown once per run (e.g.
   * turning on Identity Center MFA, which no API can check).
   */
  blocking: boolean;
  /**
   * Once done, go on with these AWS CLI profile credentials instead of the current ones
   * (e.g. leaving the root user for the Identity Center admin profile we just wrote). The
   * interactive UI re-opens AWS access with `--profile <switchProfile>` after the person
   * confirms; a non-interactive run stops and says to re-run with that flag.
   */
  switchProfile?: string;
}

export interface Action {
  kind: 'call' | 'manual';
  /** '+' create, '~' change, '-' remove; shown in plans like terraform. */
  symbol: '+' | '~' | '-' | '!';
  service: ServiceName | 'local' | 'console';
  operation: string;
  /** Exactly what is sent (refs resolved at apply time). */
  input: unknown;
  target: Target;
  /** One line that starts with the symbol: '+ organizations:CreateAccount prod (ops+aws-prod@acme.com)', '! Turn on MFA…'. */
  summary: string;
  /** Plain-words notes shown under the summary in a plan (what a guardrail blocks and breaks). */
  details?: string[];
  /** Output keys this action makes known once it ran (for ordering within a step). */
  produces?: string[];
  /** Output keys that must be known before this action runs, besides refs in input/target. */
  after?: string[];
  /** Controls this action satisfies, when narrower than the step's. */
  controls?: string[];
  /**
   * The call's success is the evidence: it puts a setting to exactly the value planned and
   * makes nothing known, so the step is not observed again to confirm it. A round made only of
   * such actions, all applied, ends the step (a step with many of them, such as EBS encryption
   * in every account and region, saves a read per action, and is not misled by a read that
   * lags behind the write).
   */
  confirmed?: boolean;
  manual?: ManualInfo;
  /**
   * Apply it. Without `run`, the engine sends `input` as one call and records nothing.
   * Return outputs (key → value) that later actions and steps can refer to.
   */
  run?(ctx: RunContext): Promise<Record<string, string> | void>;
}

/** What a run does: apply the plan, only print it, or report drift. */
export type Mode = 'apply' | 'plan' | 'verify';

/** The AWS CLI on this machine: its version string (`aws-cli/2.17.0`) and major version, or nothing. */
export interface AwsCli {
  version?: string;
  major?: number;
}

/** What the command that started the run knows, handed to the steps (never read from globals). */
export interface RunEnv {
  /** The arguments the command was started with (after `secure-start`), to say how to re-run it. */
  argv: readonly string[];
  /** The AWS CLI here, looked up at most once per run (it costs a process start). */
  awsCli(): Promise<AwsCli>;
  /** The founder's AWS CLI profiles: --force replaces same-named sections we did not write; `path` overrides AWS_CONFIG_FILE / ~/.aws/config. */
  awsConfig: { force: boolean; path?: string };
}

/** What observe() and run() can use. Nothing here writes to the terminal. */
export interface StepContext {
  want: Baseline;
  mode: Mode;
  env: RunEnv;
  /**
   * The steps of this run (the graph for this config), for steps that act on what the others
   * declare: trusted access and delegated administrators. The engine always gives it.
   */
  steps?: readonly Step<any, any>[];
  /** Reads only in observe (writes throw ReadOnlyViolation); full access in run. */
  aws: AwsApi;
  /** A known output, or undefined. */
  value(key: string): string | undefined;
  /** A known output, or a Ref to it for the plan. */
  ref(key: string): Val;
  /** Makes an output known (observe publishes what already exists, run what it created). */
  publish(key: string, value: string): void;
  /** Asynchronous requests recorded before waiting on them, by natural key. */
  inflight(key: string): InflightOp | undefined;
  warn(message: string): void;
  info(message: string): void;
  signal: AbortSignal;
}

export interface RunContext extends StepContext {
  /** The action's input with every ref resolved. */
  input: unknown;
  /** The action's target with the account resolved to 'management' or an account ID. */
  target: { account: string; region: string };
  /** Records an asynchronous request in the state file (saved) BEFORE waiting on it. */
  recordInflight(key: string, op: Omit<InflightOp, 'step' | 'startedAt' | 'key'>): Promise<void>;
  clearInflight(key: string): Promise<void>;
  /**
   * Polls `check` with backoff (1 s growing to 15 s) until it returns a value, reporting
   * the elapsed time as progress ("creating account prod… 1m12s"). Honors Ctrl-C. Throws
   * PollTimeout once `timeoutMs` (default 30 minutes) has passed.
   */
  poll<T>(
    what: string,
    check: () => Promise<T | undefined>,
    opts?: { timeoutMs?: number; firstDelayMs?: number; maxDelayMs?: number; factor?: number },
  ): Promise<T>;
  /**
   * Like poll, for many actions waiting on the same kind of work: every action of the run
   * waiting in `group` shares one `checkAll` per round (called with the IDs waited on, it
   * answers the result of each one that finished). Each waiter keeps its own backoff; a round
   * is due when the earliest one is. A failed round fails every action it looked at.
   */
  pollTogether<T>(
    group: string,
    id: string,
    what: string,
    checkAll: (ids: string[]) => Promise<Map<string, T>>,
    opts?: { timeoutMs?: number; firstDelayMs?: number; maxDelayMs?: number; factor?: number },
  ): Promise<T>;
  sleep(ms: number): Promise<void>;
  /**
   * Runs `fn` while holding one of `capacity` slots named `key`, shared by every action of the
   * run (all steps). For what AWS serialises across a whole asynchronous operation, longer than
   * one call: Identity Center work on one permission set, the 5 account creations AWS lets an
   * organization have in progress. Waiting for a slot honors Ctrl-C.
   */
  exclusive<T>(key: string, fn: () => Promise<T>, capacity?: number): Promise<T>;
}

/** A finding's weight in `verify` (the order findings are listed in). */
export type Severity = 'critical' | 'high' | 'medium' | 'low';

/**
 * A step's part of the config file: `key` is its top-level field (`"budget": {…}`). The
 * Baseline type is inferred from these schemas (steps/index.ts), never written twice.
 */
export interface StepConfig<K extends string = string, S extends z.ZodType = z.ZodType> {
  key: K;
  /** The fragment's schema; `placeholders` allows `<founder-email>`-style values (plan). */
  schema(rules: ConfigRules): S;
  /** The fragment a new config starts with, from the answers it follows. */
  defaults(known: DefaultsContext): z.input<S>;
  /** Rules spanning fields (the whole baseline is valid field by field when this runs). */
  check?(b: Baseline, issue: (path: (string | number)[], message: string) => void): void;
}

/** Declares a step's config fragment; the key and schema types are kept for the Baseline type. */
export function stepConfig<K extends string, S extends z.ZodType>(c: StepConfig<K, S>): StepConfig<K, S> {
  return c;
}

/** What a step's schema uses: rule-backed strings that accept placeholders only in plans. */
export interface ConfigRules {
  placeholders: boolean;
  /** A string checked by `rule` ("the contact email must …"); a placeholder passes when allowed. */
  ruled(rule: Rule, what: string): z.ZodType<string>;
}

/** The core answers a fragment's defaults follow (placeholders until the founder answers). */
export interface DefaultsContext {
  slug: string;
  mailbox: string;
  homeRegion: string;
  /** The founder's full name, or a placeholder. */
  fullName: string;
  accountNames: string[];
  logArchiveAccount: string;
  auditAccount: string;
}

/** The calls a step planned, for its cost and undo notes: `has('kms:CreateKey')`. */
export interface PlannedCalls {
  has(serviceOperation: string): boolean;
  count(serviceOperation: string): number;
}

/** What the founder reads before confirming: money, and what cannot be undone easily. */
export interface StepNotes {
  money?: string[];
  permanent?: string[];
}

/** A yes/no question the wizard asks for a step's option (`path` in the config). */
export interface StepQuestion {
  /** The boolean in the config it answers, e.g. 'scps.regionGuard'. */
  path: string;
  /** The question, from the answers so far (placeholders where none yet). */
  message: string | ((b: Baseline) => string);
  /** What Enter takes: the recommended answer (may differ from a config file's default). */
  initial: boolean;
  /** Shown before the question: what it does, costs and breaks. */
  note?: (b: Baseline) => string;
  /** The note's title. */
  title?: string;
}

/**
 * A delegated administrator registered through Organizations
 * (organizations:RegisterDelegatedAdministrator) by the delegated-administrators step.
 * Services with their own API for it (GuardDuty, Security Hub) call it in their own step.
 */
export interface DelegatedAdmin {
  servicePrincipal: string;
  /** The member account's name in the config (normally the audit account). */
  account(b: Baseline): string;
}

export interface Step<Observed = unknown, C extends StepConfig | undefined = undefined> {
  id: StepId;
  title: string;
  /** This step's part of the config, when it has one. */
  config?: C;
  /**
   * Cost and "not easy to undo" notes, from the calls the whole plan makes (shown before the
   * founder confirms). Without `want` (no config at hand) a note makes no claim that needs it.
   */
  notes?(want: Baseline | undefined, planned: PlannedCalls): StepNotes;
  /** Service principals that need trusted access in Organizations before this step works. */
  trustedAccess?: readonly string[];
  /** Delegated administrators it needs registered through Organizations. */
  delegatedAdmins?: readonly DelegatedAdmin[];
  /** Output keys it makes known; `*` stands for a name (`permissionSet.*.arn`). */
  outputs?: readonly string[];
  /** Yes/no options the wizard asks about (only when the config leaves them to it). */
  questions?: readonly StepQuestion[];
  /** Steps that must have finished well (ok or changed) before this one runs in apply mode. */
  needs: StepId[];
  /**
   * Steps this one runs after whatever their outcome: order only, never a gate. For a local
   * step (the founder's ~/.aws/config) that an AWS step must look at but never wait on.
   */
  waitsFor?: StepId[];
  /**
   * `needs` and `waitsFor` that apply only in some runs, decided from what is known once the
   * `needs` above are done (e.g. leave-root waits for the Identity Center assignments and the
   * profiles only when the caller is the root user, so nobody else's member-account steps wait
   * for them).
   */
  conditional?: {
    when: (value: (key: string) => string | undefined) => boolean;
    needs?: StepId[];
    waitsFor?: StepId[];
  };
  /** e.g. ['SSB ACCT.07', 'CIS 3.1'] */
  controls: string[];
  /** How much it matters when this step's controls are missing: `verify` groups its findings by it. */
  severity?: Severity;
  /** Why it matters, one sentence: `verify`'s "why" for drift (a manual action carries its own). */
  why?: string;
  /** Reads AWS (reads only). Publishes outputs for what exists already. */
  observe(ctx: StepContext): Promise<Observed>;
  /**
   * What a brand-new account looks like to this step: used by `plan` without credentials.
   * May use ctx.ref()/ctx.value() but must not call AWS.
   */
  fresh(ctx: StepContext): Observed;
  /** Pure: the actions still missing. Empty means no drift. */
  plan(want: Baseline, seen: Observed): Action[];
  /**
   * Title and controls for this config, when they depend on it (an opt-in part such as the
   * region guard): nothing may show a control that is not built. Default: `title`, `controls`.
   */
  describe?(want: Baseline): { title?: string; controls?: string[] };
  /** False: an option the config turned off; the step is left out of the run (steps/index.ts). */
  enabled?(want: Baseline): boolean;
}

/** Helpers every step uses to build actions. */
export const mgmt = (region: string): Target => ({ account: 'management', region });

/** What RunContext.poll throws when its timeout runs out (the message says what was waited for). */
export class PollTimeout extends Error {
  override name = 'PollTimeout';
}

/** Fails an action with a message the founder can act on (shown as is, exit code 1). */
export class StepError extends Error {
  /** `cause`: the AWS error this explains, so the failed operation can still be named. */
  constructor(
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StepError';
  }
}
