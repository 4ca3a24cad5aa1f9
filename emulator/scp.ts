// Service control policies, enforced on every signed call made inside a member account of an
// organization that has SCPs enabled. AWS's evaluation
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html):
// - at EVERY level on the path root → OUs → account, some attached SCP must Allow the action
//   (FullAWSAccess normally does), else the request is implicitly denied;
// - an explicit Deny in any SCP on the path denies it, whatever allows it.
// SCPs never apply to the management account, nor to service principals or service-linked
// roles (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html#not-restricted-by-scp).
// The emulator does not evaluate identity policies: every identity may do what SCPs allow
// (see README "What the emulator does not check").
import { iamActionOf, resourcesOf } from './iam-actions.js';
import { evaluate, type RequestContext, type Statement } from './policy.js';
import { findPolicy } from './services/organizations.js';
import type { Caller } from './types.js';
import type { Organization, World } from './world.js';

const SCP = 'SERVICE_CONTROL_POLICY';

/** aws:PrincipalArn: an assumed-role session counts as its role (with the role's path). */
export function principalArnOf(world: World, caller: Caller): string {
  const p = caller.principal;
  if (p.type === 'assumed-role')
    return world.account(p.accountId)?.roles[p.roleName]?.arn ?? `arn:aws:iam::${p.accountId}:role/${p.roleName}`;
  if (p.type === 'root-session') return `arn:aws:iam::${p.accountId}:root`;
  return caller.arn;
}

/**
 * The request context keys SCPs here condition on
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html):
 * aws:PrincipalArn, aws:PrincipalAccount, aws:RequestedRegion (the region the request is
 * signed for; us-east-1 for IAM and Organizations), aws:AssumedRoot ('true' only in an
 * sts:AssumeRoot session), aws:SecureTransport (AWS endpoints are HTTPS only).
 */
export function requestContext(world: World, caller: Caller, region: string): RequestContext {
  return {
    'aws:PrincipalArn': principalArnOf(world, caller),
    'aws:PrincipalAccount': caller.accountId,
    'aws:RequestedRegion': region,
    'aws:SecureTransport': 'true',
    ...(caller.principal.type === 'root-session' ? { 'aws:AssumedRoot': 'true' } : {}),
  };
}

/** Root, then each OU down to the account's parent, then the account: the levels SCPs attach to. */
export function scpPath(org: Organization, accountId: string): string[] {
  const path: string[] = [accountId];
  let parent = org.accountParents[accountId];
  while (parent && parent !== org.root.id) {
    path.unshift(parent);
    parent = org.ous[parent]?.parentId;
  }
  path.unshift(org.root.id);
  return path;
}

export interface ScpDenial {
  explicit: boolean;
  /** The denying policy and statement (explicit denies). */
  policy?: string;
  sid?: string;
  /** The level that allows nothing (implicit denies). */
  level?: string;
}

/** Whether SCPs govern this caller at all (a member account of an SCP-enabled organization). */
export function scpsApply(world: World, accountId: string): Organization | undefined {
  const org = world.orgOf(accountId);
  if (!org || org.managementAccountId === accountId) return undefined;
  const status = org.root.policyTypes[SCP];
  // PENDING_DISABLE: still attached and enforced until AWS finishes disabling the type.
  return status === 'ENABLED' || status === 'PENDING_DISABLE' ? org : undefined;
}

/** The SCP decision for one action on one resource; undefined = allowed. */
export function scpDenialFor(
  world: World,
  caller: Caller,
  region: string,
  action: string,
  resource: string,
): ScpDenial | undefined {
  const org = scpsApply(world, caller.accountId);
  if (!org) return undefined;
  const context = requestContext(world, caller, region);
  const request = { action, resource, context };
  let implicit: string | undefined;
  for (const level of scpPath(org, caller.accountId)) {
    const policies = Object.entries(org.attachments)
      .filter(([, targets]) => targets.includes(level))
      .map(([id]) => findPolicy(org, id))
      .filter((p) => p?.type === SCP);
    let allowed = false;
    for (const p of policies) {
      const d = evaluate(p!.content, request);
      if (d.effect === 'Deny') return { explicit: true, policy: p!.name, sid: (d.statement as Statement).Sid };
      if (d.effect === 'Allow') allowed = true;
    }
    if (!allowed) implicit ??= level;
  }
  return implicit ? { explicit: false, level: implicit } : undefined;
}

/**
 * AWS's wording for a request an SCP stops
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html#access-denied-error-messages).
 */
export function scpMessage(caller: Caller, action: string, resource: string, d: ScpDenial): string {
  const on = resource === '*' ? '' : ` on resource: ${resource}`;
  return d.explicit
    ? `User: ${caller.arn} is not authorized to perform: ${action}${on} with an explicit deny in a service control policy`
    : `User: ${caller.arn} is not authorized to perform: ${action}${on} because no service control policy allows the ${action} action`;
}

/**
 * Calls SCPs never govern: sts:GetCallerIdentity works whatever denies it
 * (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
 */
const NEVER_DENIED = new Set(['sts:GetCallerIdentity']);

/**
 * The request pipeline's check: the message of the AccessDenied to send, or undefined when
 * SCPs allow the call. `perResource` operations (S3 DeleteObjects) authorize each object in
 * their handler instead.
 */
export function authorizeScp(
  world: World,
  service: string,
  operation: string,
  input: Record<string, unknown>,
  caller: Caller,
  region: string,
): string | undefined {
  if (NEVER_DENIED.has(`${service}:${operation}`) || (service === 's3' && operation === 'DeleteObjects'))
    return undefined;
  if (!scpsApply(world, caller.accountId)) return undefined;
  const action = iamActionOf(service, operation, input);
  for (const resource of resourcesOf(world, service, operation, input, caller, region)) {
    const d = scpDenialFor(world, caller, region, action, resource);
    if (d) return scpMessage(caller, action, resource, d);
  }
  return undefined;
}
