// A small evaluator for the Deny statements of service control policies, enough to prove
// what our own templates deny and to whom. The emulator does not evaluate SCPs, so the tests
// use this to check that the calls secure-start makes into member accounts (through
// OrganizationAccountAccessRole) are not blocked by the guardrails it attached.
// It implements the parts of IAM policy evaluation our policies use: Action / NotAction and
// Resource / NotResource with * and ? wildcards, and the condition operators below (with
// IfExists). An operator it does not know throws, so a new template cannot pass unchecked.

export interface ScpRequest {
  /** IAM action, e.g. 's3:PutAccountPublicAccessBlock'. */
  action: string;
  /** Resource ARN; undefined = assume the statement's resource matches (the strictest view). */
  resource?: string;
  /** Request context keys, e.g. { 'aws:PrincipalArn': '…', 'aws:RequestedRegion': 'eu-west-1' }. */
  context: Record<string, string | undefined>;
}

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** IAM wildcard match: * any run, ? one character. */
export function wildcard(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const re = new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&'))).join('')}$`, caseInsensitive ? 'is' : 's');
  return re.test(value);
}

/** Whether one condition operator holds for the request. */
function conditionHolds(op: string, key: string, wanted: string[], context: ScpRequest['context']): boolean {
  const ifExists = op.endsWith('IfExists');
  const base = ifExists ? op.slice(0, -'IfExists'.length) : op;
  const actual = context[key];
  const negated = /Not/.test(base);
  if (actual === undefined) return ifExists || negated;
  const pos = base.replace('Not', '');
  let match: boolean;
  switch (pos) {
    case 'StringEquals': match = wanted.includes(actual); break;
    case 'StringEqualsIgnoreCase': match = wanted.some((w) => w.toLowerCase() === actual.toLowerCase()); break;
    case 'StringLike': match = wanted.some((w) => wildcard(w, actual, false)); break;
    case 'ArnEquals': match = wanted.includes(actual); break;
    case 'ArnLike': match = wanted.some((w) => wildcard(w, actual, false)); break;
    case 'Bool': match = wanted.some((w) => w.toLowerCase() === actual.toLowerCase()); break;
    default: throw new Error(`scp-eval: condition operator ${op} is not implemented`);
  }
  if (pos === 'Bool' && negated) throw new Error(`scp-eval: condition operator ${op} does not exist`);
  return negated ? !match : match;
}

/** Whether a statement applies to the request (Effect aside). */
export function statementMatches(s: Statement, r: ScpRequest): boolean {
  const action = s.Action !== undefined ? list(s.Action).some((p) => wildcard(p, r.action, true)) : !list(s.NotAction).some((p) => wildcard(p, r.action, true));
  if (!action) return false;
  if (r.resource !== undefined) {
    const res = s.Resource !== undefined ? list(s.Resource).some((p) => wildcard(p, r.resource!, false)) : !list(s.NotResource).some((p) => wildcard(p, r.resource!, false));
    if (!res) return false;
  }
  for (const [op, keys] of Object.entries(s.Condition ?? {})) {
    for (const [key, v] of Object.entries(keys)) {
      if (!conditionHolds(op, key, list(v), r.context)) return false;
    }
  }
  return true;
}

/** The Deny statements of a policy that apply to the request (empty: this policy does not deny it). */
export function denyingStatements(policy: string | { Statement: Statement | Statement[] }, r: ScpRequest): Statement[] {
  const doc = typeof policy === 'string' ? (JSON.parse(policy) as { Statement: Statement | Statement[] }) : policy;
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return statements.filter((s) => s.Effect === 'Deny' && statementMatches(s, r));
}

/** aws:PrincipalArn as IAM sees it: an assumed-role session counts as its role. */
export function principalArnOf(callerArn: string): string {
  const m = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  return m ? `arn:aws:iam::${m[1]}:role/${m[2]}` : callerArn;
}

/** The IAM action a call needs, from the emulator's service and operation names. */
export function iamActionOf(service: string, operation: string): string {
  const special: Record<string, string> = {
    's3-control:PutPublicAccessBlock': 's3:PutAccountPublicAccessBlock',
    's3-control:GetPublicAccessBlock': 's3:GetAccountPublicAccessBlock',
    's3-control:DeletePublicAccessBlock': 's3:PutAccountPublicAccessBlock',
    's3:PutPublicAccessBlock': 's3:PutBucketPublicAccessBlock',
    's3:PutBucketEncryption': 's3:PutEncryptionConfiguration',
    's3:PutBucketLifecycleConfiguration': 's3:PutLifecycleConfiguration',
    's3:DeleteBucketLifecycle': 's3:PutLifecycleConfiguration',
  };
  const prefix: Record<string, string> = { 'cost-explorer': 'ce', 'sso-admin': 'sso', 's3-control': 's3' };
  return special[`${service}:${operation}`] ?? `${prefix[service] ?? service}:${operation}`;
}
