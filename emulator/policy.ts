// IAM policy language, as far as the emulator evaluates it: which statements of a policy
// apply to a request (Action/NotAction, Resource/NotResource, Principal/NotPrincipal,
// Condition). Service control policies (scp.ts), role trust policies (iam-roles.ts), KMS key
// policies (kms.ts) and bucket policies (cloudtrail.ts) all go through here.
// A condition operator this file does not know throws PolicyError: an SCP or key policy must
// never be treated as allowing (or not denying) something because the emulator skipped part
// of it. Sources: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
// and https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html

export type PolicyValue = string | string[];

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: '*' | Record<string, PolicyValue>;
  NotPrincipal?: '*' | Record<string, PolicyValue>;
  Action?: PolicyValue;
  NotAction?: PolicyValue;
  Resource?: PolicyValue;
  NotResource?: PolicyValue;
  Condition?: Record<string, Record<string, PolicyValue | boolean | number>>;
}

/** Request context keys (names are case-insensitive, as in IAM); a list is a multivalued key. */
export type RequestContext = Record<string, string | string[] | undefined>;

/** A policy the emulator cannot evaluate faithfully (unknown operator, bad shape). */
export class PolicyError extends Error {
  override name = 'PolicyError';
}

export const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Parsed policy texts and compiled patterns: every member-account call is evaluated, policies rarely change. */
const parsed = new Map<string, Statement[]>();
const patterns = new Map<string, RegExp>();
const remember = <K, V>(m: Map<K, V>, k: K, v: V): V => {
  if (m.size > 2000) m.clear();
  m.set(k, v);
  return v;
};

/** The statements of a policy document (text or parsed); malformed text throws PolicyError. */
export function statementsOf(policy: string | { Statement?: unknown }): Statement[] {
  if (typeof policy === 'string') {
    const hit = parsed.get(policy);
    if (hit) return hit;
    return remember(parsed, policy, parseStatements(policy));
  }
  return parseStatements(policy);
}

function parseStatements(policy: string | { Statement?: unknown }): Statement[] {
  let doc: { Statement?: unknown };
  if (typeof policy === 'string') {
    try {
      doc = JSON.parse(policy) as { Statement?: unknown };
    } catch {
      throw new PolicyError('the policy is not valid JSON');
    }
  } else doc = policy;
  const list = asList(doc?.Statement as Statement | Statement[] | undefined);
  for (const s of list) {
    if (!s || typeof s !== 'object' || (s.Effect !== 'Allow' && s.Effect !== 'Deny'))
      throw new PolicyError('a statement has no valid Effect');
  }
  return list;
}

/** IAM wildcard match: `*` any run of characters, `?` one character. */
export function wildcard(pattern: string, value: string, caseInsensitive = false): boolean {
  const key = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  let re = patterns.get(key);
  if (!re) {
    const body = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
      .join('');
    re = remember(patterns, key, new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's'));
  }
  return re.test(value);
}

/**
 * ArnLike: "each of the six colon-delimited components of the ARN is checked separately and
 * each can include wildcards" (condition operators page); the resource part keeps its colons.
 */
export function arnLike(pattern: string, value: string): boolean {
  const split = (a: string) => {
    const p = a.split(':');
    return p.length < 6 ? null : [...p.slice(0, 5), p.slice(5).join(':')];
  };
  const pp = split(pattern);
  const vv = split(value);
  if (!pp || !vv) return false;
  return pp.every((part, i) => wildcard(part, vv[i]!));
}

/** Action names are case-insensitive ("s3:getobject" = "s3:GetObject"). */
export function actionMatches(s: Statement, action: string): boolean {
  if (s.Action !== undefined) return asList(s.Action).some((p) => wildcard(p, action, true));
  if (s.NotAction !== undefined) return !asList(s.NotAction).some((p) => wildcard(p, action, true));
  throw new PolicyError(`statement ${s.Sid ?? ''} has neither Action nor NotAction`);
}

/** Resource ARNs are case-sensitive. A statement without Resource/NotResource (trust and key policies) matches. */
export function resourceMatches(s: Statement, resource: string): boolean {
  if (s.Resource !== undefined) return asList(s.Resource).some((p) => wildcard(p, resource));
  if (s.NotResource !== undefined) return !asList(s.NotResource).some((p) => wildcard(p, resource));
  return true;
}

/** Who makes a request, as a resource policy's Principal element sees it. */
export interface Requester {
  /** A service principal such as 'cloudtrail.amazonaws.com'. */
  service?: string;
  /** The caller's account (an `AWS` principal naming the account, or its root ARN, matches). */
  accountId?: string;
  /** Every ARN that names the caller: its role or user ARN, its session ARN. */
  arns?: string[];
}

function principalIn(p: '*' | Record<string, PolicyValue>, who: Requester): boolean {
  if (p === '*') return true;
  if (!p || typeof p !== 'object') return false;
  if (who.service && asList(p.Service).includes(who.service)) return true;
  for (const a of asList(p.AWS)) {
    if (a === '*') return !who.service;
    if (who.accountId && (a === who.accountId || a === `arn:aws:iam::${who.accountId}:root`)) return true;
    if (who.arns?.includes(a)) return true;
  }
  return false;
}

/** Principal/NotPrincipal of a resource-based policy statement. */
export function principalMatches(s: Statement, who: Requester): boolean {
  if (s.Principal !== undefined) return principalIn(s.Principal, who);
  if (s.NotPrincipal !== undefined) return !principalIn(s.NotPrincipal, who);
  return true; // identity-style policies (SCPs) have no Principal
}

function lookup(ctx: RequestContext, key: string): string[] | undefined {
  const k = Object.keys(ctx).find((x) => x.toLowerCase() === key.toLowerCase());
  const v = k === undefined ? undefined : ctx[k];
  return v === undefined ? undefined : asList(v);
}

type Matcher = (wanted: string, actual: string) => boolean;
const POSITIVE: Record<string, Matcher> = {
  StringEquals: (w, a) => w === a,
  StringEqualsIgnoreCase: (w, a) => w.toLowerCase() === a.toLowerCase(),
  StringLike: (w, a) => wildcard(w, a),
  ArnEquals: (w, a) => w === a,
  ArnLike: (w, a) => arnLike(w, a),
  Bool: (w, a) => w.toLowerCase() === a.toLowerCase(),
  NumericEquals: (w, a) => Number(w) === Number(a),
  NumericLessThan: (w, a) => Number(a) < Number(w),
  NumericLessThanEquals: (w, a) => Number(a) <= Number(w),
  NumericGreaterThan: (w, a) => Number(a) > Number(w),
  NumericGreaterThanEquals: (w, a) => Number(a) >= Number(w),
};
/** The negated operators and the positive one they negate. */
const NEGATED: Record<string, string> = {
  StringNotEquals: 'StringEquals',
  StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringNotLike: 'StringLike',
  ArnNotEquals: 'ArnEquals',
  ArnNotLike: 'ArnLike',
  NumericNotEquals: 'NumericEquals',
};

/** Whether one `Operator: { key: values }` entry holds for the request. */
export function conditionHolds(
  rawOp: string,
  key: string,
  rawWanted: PolicyValue | boolean | number,
  ctx: RequestContext,
): boolean {
  let op = rawOp;
  let set: 'ForAnyValue' | 'ForAllValues' | undefined;
  const m = /^(ForAnyValue|ForAllValues):(.+)$/.exec(op);
  if (m) {
    set = m[1] as 'ForAnyValue' | 'ForAllValues';
    op = m[2]!;
  }
  const ifExists = op.endsWith('IfExists') && op !== 'IfExists';
  if (ifExists) op = op.slice(0, -'IfExists'.length);
  const wanted = asList(rawWanted as PolicyValue).map(String);
  const actual = lookup(ctx, key);

  if (op === 'Null') {
    if (set || ifExists) throw new PolicyError(`condition operator ${rawOp} does not exist`);
    // "true": the key must be absent; "false": present.
    return wanted.some((w) => (w.toLowerCase() === 'true') === (actual === undefined));
  }
  const negatedOf = NEGATED[op];
  const positive = POSITIVE[negatedOf ?? op];
  if (!positive)
    throw new PolicyError(`condition operator ${rawOp} is not implemented by the emulator's policy evaluator`);

  if (actual === undefined) {
    // A missing key: IfExists holds; a negated operator holds ("not equal to nothing"); else false.
    // ForAllValues over no values holds too (the documented gotcha).
    return ifExists || !!negatedOf || set === 'ForAllValues';
  }
  const one = (a: string) => wanted.some((w) => positive(w, a));
  const matches = set === 'ForAllValues' ? actual.every(one) : actual.some(one);
  return negatedOf ? !matches : matches;
}

/** Every operator and key of a Condition block holds (AND), each key with any of its values (OR). */
export function conditionsHold(cond: Statement['Condition'], ctx: RequestContext): boolean {
  for (const [op, entries] of Object.entries(cond ?? {})) {
    if (!entries || typeof entries !== 'object') throw new PolicyError(`condition ${op} has no keys`);
    for (const [key, values] of Object.entries(entries)) {
      if (!conditionHolds(op, key, values, ctx)) return false;
    }
  }
  return true;
}

export interface PolicyRequest {
  action: string;
  /** Resource ARN ('*' for actions without resource-level permissions). */
  resource: string;
  context: RequestContext;
  /** Only for resource-based policies (trust, key, bucket policies). */
  requester?: Requester;
}

/** A statement applies to the request (whatever its Effect). */
export function statementApplies(s: Statement, r: PolicyRequest): boolean {
  if (r.requester && !principalMatches(s, r.requester)) return false;
  return actionMatches(s, r.action) && resourceMatches(s, r.resource) && conditionsHold(s.Condition, r.context);
}

export type Decision = { effect: 'Allow' | 'Deny'; statement: Statement } | { effect: 'None' };

/** Explicit deny wins over any allow; nothing applies: 'None' (an implicit deny). */
export function evaluate(policy: string | { Statement?: unknown }, r: PolicyRequest): Decision {
  const applying = statementsOf(policy).filter((s) => statementApplies(s, r));
  const deny = applying.find((s) => s.Effect === 'Deny');
  if (deny) return { effect: 'Deny', statement: deny };
  const allow = applying.find((s) => s.Effect === 'Allow');
  return allow ? { effect: 'Allow', statement: allow } : { effect: 'None' };
}

/** A resource policy lets the requester do it: an Allow applies and no Deny does. */
export const policyAllows = (policy: string | undefined, r: PolicyRequest): boolean =>
  !!policy && evaluate(policy, r).effect === 'Allow';
