// Turns a config file and/or saved answers into a validated Baseline, or a list of
// messages that each name the field and say what is allowed.
import { UnreadableFileError, readRegularFile } from '../state/read-file.js';
import { z } from 'zod';
import { isPlaceholder, type Baseline } from './schema.js';
import { baselineSchema, defaultBaseline } from './baseline.js';
import { plusAddress } from './defaults.js';

export interface ConfigIssue {
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(
    public readonly issues: ConfigIssue[],
    public readonly source?: string,
  ) {
    super(
      `${source ? `${source}: ` : ''}the configuration is not valid:\n` +
        issues.map((i) => `  - ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** Objects merge key by key; arrays and scalars from `over` replace those in `base`. */
export function deepMerge<T>(base: T, over: unknown): T {
  if (!isObj(base) || !isObj(over)) return (over === undefined ? base : over) as T;
  const out: Raw = { ...base };
  // Own keys only, defined (not assigned): a "__proto__" key in a config file stays a plain
  // key that validation reports as unknown, instead of silently replacing the prototype.
  for (const [k, v] of Object.entries(over)) {
    Object.defineProperty(out, k, {
      value: Object.hasOwn(out, k) ? deepMerge(out[k], v) : v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out as T;
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
    '',
  );
}

/** A value as the founder typed it, for "got …": the text "lots", the number 5, a list. */
export function found(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean')
    return `${typeof v === 'number' ? 'the number' : ''} ${String(v)}`.trim();
  if (Array.isArray(v)) return 'a list';
  return 'an object';
}

/**
 * Values derived from another answer when the config does not give them: a bad source is one
 * error, not one per value made from it (a bad mailbox would otherwise also be reported for
 * every account email, the alert emails and the contact emails).
 */
const DERIVED_FROM: Record<string, RegExp> = {
  mailbox: /^accounts\[\d+\]\.email$|^(budget|anomaly)\.emails(\[\d+\])?$|^contacts\.\w+\.email$/,
  'founder.email': /^founder\.userName$/,
  'founder.givenName': /^contacts\.\w+\.name$/,
  'founder.familyName': /^contacts\.\w+\.name$/,
  'org.name': /^org\.slug$|^trail\.name$/,
  'org.slug': /^trail\.name$/,
};

/** Drops the issues of values derived from a value that has an issue itself, when the config did not set them. */
export function withoutDerived(issues: ConfigIssue[], raw: Raw): ConfigIssue[] {
  const bad = new Set(issues.map((i) => i.path));
  const given = (path: string) => {
    let o: unknown = raw;
    for (const k of path.replace(/\[(\d+)\]/g, '.$1').split('.'))
      o = isObj(o) || Array.isArray(o) ? (o as Record<string, unknown>)[k] : undefined;
    return o !== undefined;
  };
  return issues.filter(
    (i) =>
      !Object.entries(DERIVED_FROM).some(
        ([source, derived]) => bad.has(source) && derived.test(i.path) && !given(i.path),
      ),
  );
}

/** Readable messages for zod's built-in issues; our own rules already read well. */
function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `${issue.keys.map((k) => `"${k}"`).join(', ')} ${issue.keys.length > 1 ? 'are not known settings' : 'is not a known setting'}; check the spelling`;
    case 'invalid_type': {
      // Our own message names the field ("the budget amount must be a number"); zod's default
      // one ("Invalid input: …") is replaced by what was expected. Either way, what was found.
      const expected = issue.message.startsWith('Invalid input')
        ? `must be ${issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}`
        : issue.message;
      return `${expected}, got ${found((issue as { input?: unknown }).input)}`;
    }
    case 'too_big':
      return issue.message.startsWith('Too big')
        ? `is too ${issue.origin === 'string' ? 'long' : 'big'}: at most ${issue.maximum}${issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' entries' : ''}`
        : issue.message;
    case 'too_small':
      return issue.message.startsWith('Too small')
        ? `is too ${issue.origin === 'string' ? 'short' : 'small'}: at least ${issue.minimum}${issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' entries' : ''}`
        : issue.message;
    case 'invalid_value':
      return issue.message.startsWith('Invalid')
        ? `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
        : issue.message;
    default:
      return issue.message;
  }
}

/** The answers only a founder can give, as paths into the baseline. */
export const REQUIRED_ANSWERS = [
  'org.name',
  'mailbox',
  'founder.givenName',
  'founder.familyName',
  'founder.email',
  'contacts.billing.phone',
  'contacts.operations.phone',
  'contacts.security.phone',
] as const;

/** Paths whose value is still a placeholder (nothing the founder answered yet). */
export function placeholdersIn(value: unknown, path: PropertyKey[] = []): string[] {
  if (isPlaceholder(value)) return [formatPath(path)];
  if (Array.isArray(value)) return value.flatMap((v, i) => placeholdersIn(v, [...path, i]));
  if (isObj(value)) return Object.entries(value).flatMap(([k, v]) => placeholdersIn(v, [...path, k]));
  return [];
}

/**
 * Resolves the baseline from raw input (a parsed config file merged with saved answers).
 * With `placeholders: true` (plan without a config), unanswered values stay visible as
 * `<founder-email>` and the like; otherwise each one is an error saying it is required.
 */
export function resolveBaseline(raw: unknown, opts: { placeholders: boolean; source?: string }): Baseline {
  if (raw === undefined || raw === null) raw = {};
  if (!isObj(raw))
    throw new ConfigError([{ path: '', message: 'must be a JSON object like {"org": {"name": "Acme"}}' }], opts.source);

  const org = isObj(raw.org) ? raw.org : {};
  const founder = isObj(raw.founder) ? raw.founder : {};
  const rawAccounts = Array.isArray(raw.accounts) ? raw.accounts : undefined;
  const accountNames = rawAccounts?.every((a) => isObj(a) && typeof a.name === 'string' && typeof a.ou === 'string')
    ? rawAccounts.map((a) => ({ name: (a as Raw).name as string, ou: (a as Raw).ou as string }))
    : undefined;

  const defaults = defaultBaseline({
    orgName: str(org.name),
    slug: str(org.slug),
    mailbox: str(raw.mailbox),
    homeRegion: str(raw.homeRegion),
    givenName: str(founder.givenName),
    familyName: str(founder.familyName),
    founderEmail: str(founder.email),
    accountNames,
  });
  // Accounts listed without an email get one by plus-addressing on the mailbox.
  const merged = deepMerge(defaults as unknown as Raw, raw);
  if (Array.isArray(merged.accounts)) {
    merged.accounts = merged.accounts.map((a) =>
      isObj(a) && a.email === undefined && typeof a.name === 'string'
        ? { ...a, email: plusAddress(defaults.mailbox, `aws-${a.name}`) }
        : a,
    );
  }

  // reportInput: each issue keeps the value it is about, so a message can say what was found.
  const parsed = baselineSchema({ placeholders: opts.placeholders }).safeParse(merged, { reportInput: true });
  const issues: ConfigIssue[] = parsed.success
    ? []
    : withoutDerived(
        parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: describe(i) })),
        raw,
      );
  if (!opts.placeholders && parsed.success) {
    for (const p of placeholdersIn(parsed.data))
      issues.push({ path: p, message: 'is required: answer it in the wizard or set it in the config file' });
  }
  if (issues.length) throw new ConfigError(issues, opts.source);
  return parsed.data as unknown as Baseline;
}

/** A config file is a few kilobytes. */
export const CONFIG_MAX_BYTES = 1_000_000;

/** Reads a JSON config file; syntax errors name the line and column. Never hangs on a FIFO or a device. */
export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readRegularFile(path, CONFIG_MAX_BYTES);
  } catch (e) {
    if (e instanceof UnreadableFileError) {
      throw new ConfigError(
        [
          {
            path: '',
            message:
              e.kind === 'too large'
                ? 'is larger than 1 MB; a config file is a few kilobytes (it was not read)'
                : `is a ${e.kind}, not a file; pass a JSON file with --config`,
          },
        ],
        path,
      );
    }
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(
      [{ path: '', message: code === 'ENOENT' ? 'file not found' : `cannot read the file (${code})` }],
      path,
    );
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    let where = '';
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split('\n').length;
      where = ` at line ${line}, column ${Number(pos[1]) - before.lastIndexOf('\n')}`;
    }
    throw new ConfigError(
      [{ path: '', message: `is not valid JSON${where}: ${msg.replace(/ in JSON at position \d+.*$/, '')}` }],
      path,
    );
  }
}
