// Pure checks of SCP documents for unit tests (no emulator running): the same policy evaluator
// and operation → action mapping the emulator enforces (emulator/policy.ts, iam-actions.ts),
// so a template test and an attack test can never disagree about what a statement denies.
// An unknown condition operator throws (PolicyError), so a new template cannot pass unchecked.
import {
  actionMatches,
  conditionsHold,
  resourceMatches,
  statementsOf,
  wildcard,
  type Statement,
} from '../../emulator/policy.js';
export { iamActionOf } from '../../emulator/iam-actions.js';
export { wildcard, type Statement };

export interface ScpRequest {
  /** IAM action, e.g. 's3:PutAccountPublicAccessBlock'. */
  action: string;
  /** Resource ARN; undefined = assume the statement's resource matches (the strictest view). */
  resource?: string;
  /** Request context keys, e.g. { 'aws:PrincipalArn': '…', 'aws:RequestedRegion': 'eu-west-1' }. */
  context: Record<string, string | undefined>;
}

/** Whether a statement applies to the request (Effect aside). */
export function statementMatches(s: Statement, r: ScpRequest): boolean {
  if (!actionMatches(s, r.action)) return false;
  if (r.resource !== undefined && !resourceMatches(s, r.resource)) return false;
  return conditionsHold(s.Condition, r.context);
}

/** The Deny statements of a policy that apply to the request (empty: this policy does not deny it). */
export function denyingStatements(policy: string | { Statement: Statement | Statement[] }, r: ScpRequest): Statement[] {
  return statementsOf(policy).filter((s) => s.Effect === 'Deny' && statementMatches(s, r));
}

/** aws:PrincipalArn as IAM sees it: an assumed-role session counts as its role. */
export function principalArnOf(callerArn: string): string {
  const m = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  return m ? `arn:aws:iam::${m[1]}:role/${m[2]}` : callerArn;
}
