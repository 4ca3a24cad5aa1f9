// Latency profiles as data. `call` is how long AWS takes to answer a call; `async` is how
// long an asynchronous operation stays IN_PROGRESS/PENDING after answering. Keys are
// `<service>:<Operation>` (service = module name). `behaviours` times the AWS behaviours of
// behaviours.ts. A benchmark can read REALISTIC to
// compute the critical path of a run: use `mean(range)` of each call/async on the path.
import type { BehaviourTimings } from './behaviours.js';

export interface LatencyRange {
  /** milliseconds */
  min: number;
  max: number;
}

export interface OperationLatency {
  call?: LatencyRange;
  async?: LatencyRange;
}

export interface LatencyProfile {
  name: string;
  /** How long the AWS behaviours of behaviours.ts last in this profile. */
  behaviours: BehaviourTimings;
  /** Any call without its own entry. */
  defaultCall: LatencyRange;
  /** Any async completion without its own entry. */
  defaultAsync: LatencyRange;
  operations: Record<string, OperationLatency>;
}

const ZERO: LatencyRange = { min: 0, max: 0 };
const r = (min: number, max: number): LatencyRange => ({ min, max });

/**
 * Calls answer at once and most asynchronous work is done by the next request, but the AWS
 * behaviours of behaviours.ts still happen, compressed: a new account is unusable for tens of
 * milliseconds, a new OU missing from lists for a few tens, Identity Center work takes a few
 * milliseconds, so the code that waits for them runs in every test.
 */
export const INSTANT: LatencyProfile = {
  name: 'instant',
  defaultCall: ZERO,
  defaultAsync: ZERO,
  behaviours: {
    // Writes conflict only while they overlap (a held call, injected latency): a client that
    // waits for each answer is never refused here; the realistic profile adds AWS's tail.
    orgWriteTail: ZERO,
    bucketWriteTail: ZERO,
    accountRoleDelay: r(20, 40),
    accountServicesDelay: r(40, 80),
    consistency: r(20, 50),
    rateFactor: 20,
  },
  operations: {
    // Long enough that a second operation on the same permission set sent at once conflicts.
    'sso-admin:CreateAccountAssignment': { async: r(5, 15) },
    'sso-admin:DeleteAccountAssignment': { async: r(5, 15) },
    'sso-admin:ProvisionPermissionSet': { async: r(5, 15) },
  },
};

/** AWS-like durations (observed orders of magnitude, not guarantees). */
export const REALISTIC: LatencyProfile = {
  name: 'realistic',
  defaultCall: r(50, 300),
  defaultAsync: r(1000, 3000),
  behaviours: {
    // Not published; reports show sequential writes conflicting too (see behaviours.ts).
    orgWriteTail: r(200, 800),
    bucketWriteTail: r(100, 400),
    // "You might need to wait a few minutes before you can successfully access the account"
    // (API_CreateAccount.html): up to a minute for the role, up to two for the services.
    accountRoleDelay: r(10_000, 60_000),
    accountServicesDelay: r(30_000, 120_000),
    consistency: r(1000, 4000),
    rateFactor: 1,
  },
  operations: {
    'organizations:CreateOrganization': { call: r(2000, 5000) },
    'organizations:CreateAccount': { call: r(300, 800), async: r(60_000, 120_000) },
    'organizations:EnablePolicyType': { call: r(300, 700), async: r(2000, 5000) },
    'organizations:DisablePolicyType': { call: r(300, 700), async: r(2000, 5000) },
    'organizations:EnableAWSServiceAccess': { call: r(500, 1500) },
    'organizations:CreatePolicy': { call: r(200, 500) },
    'organizations:AttachPolicy': { call: r(300, 800) },
    'organizations:MoveAccount': { call: r(300, 900) },
    'sts:AssumeRole': { call: r(100, 400) },
    'sts:AssumeRoot': { call: r(100, 400) },
    'iam:EnableOrganizationsRootCredentialsManagement': { call: r(500, 1500) },
    'iam:EnableOrganizationsRootSessions': { call: r(500, 1500) },
    'sso-admin:CreatePermissionSet': { call: r(200, 600) },
    // Identity Center creates/updates IAM roles in the target account: seconds, not minutes.
    'sso-admin:ProvisionPermissionSet': { call: r(200, 600), async: r(5000, 20_000) },
    'sso-admin:CreateAccountAssignment': { call: r(200, 600), async: r(5000, 15_000) },
    'sso-admin:DeleteAccountAssignment': { call: r(200, 600), async: r(5000, 15_000) },
    'sso:GetRoleCredentials': { call: r(100, 400) },
    'cloudtrail:CreateTrail': { call: r(1000, 2500) },
    'cloudtrail:StartLogging': { call: r(300, 800) },
    's3:CreateBucket': { call: r(500, 1500) },
    'budgets:CreateBudget': { call: r(300, 800) },
    'ce:CreateAnomalyMonitor': { call: r(300, 900) },
    'organizations:RegisterDelegatedAdministrator': { call: r(300, 900) },
    'organizations:DeregisterDelegatedAdministrator': { call: r(300, 900) },
    'guardduty:CreateDetector': { call: r(500, 1500) },
    // Registers with Organizations, turns on trusted access and enables the administrator's detector.
    'guardduty:EnableOrganizationAdminAccount': { call: r(1000, 3000) },
    'guardduty:DisableOrganizationAdminAccount': { call: r(1000, 3000) },
    // ALL: existing accounts become members in the background (minutes for a large organization).
    'guardduty:UpdateOrganizationConfiguration': { call: r(300, 900), async: r(10_000, 60_000) },
    'guardduty:CreateMembers': { call: r(500, 2000) },
    // An analyzer is CREATING until its first scan starts.
    'access-analyzer:CreateAnalyzer': { call: r(500, 1500), async: r(5_000, 30_000) },
    // Security Hub: enabling takes a second or two; standards and central configuration settle
    // asynchronously (PENDING → READY / ENABLED / SUCCESS) over seconds.
    'securityhub:EnableSecurityHub': { call: r(800, 2000) },
    'securityhub:EnableOrganizationAdminAccount': { call: r(1000, 3000) },
    'securityhub:BatchEnableStandards': { call: r(300, 800), async: r(5000, 20_000) },
    'securityhub:BatchDisableStandards': { call: r(300, 800), async: r(3000, 10_000) },
    'securityhub:UpdateOrganizationConfiguration': { call: r(500, 1500), async: r(10_000, 40_000) },
    'securityhub:CreateFindingAggregator': { call: r(500, 1500) },
    'securityhub:StartConfigurationPolicyAssociation': { call: r(300, 900), async: r(20_000, 90_000) },
    'config:PutConfigurationRecorder': { call: r(300, 800) },
    'config:PutDeliveryChannel': { call: r(500, 1500) },
    'config:StartConfigurationRecorder': { call: r(300, 800), async: r(2000, 10_000) },
    'iam:CreateServiceLinkedRole': { call: r(300, 900) },
    'ec2:DeleteVpc': { call: r(300, 900) },
    'ec2:CreateDefaultVpc': { call: r(1000, 3000) },
  },
};

export const PROFILES: Record<'instant' | 'realistic', LatencyProfile> = { instant: INSTANT, realistic: REALISTIC };

export function mean(range: LatencyRange): number {
  return (range.min + range.max) / 2;
}

export interface LatencySettings {
  profile: LatencyProfile;
  /** Multiplies every duration (0.01 = a hundred times faster). */
  scale: number;
  /** Per-key overrides on top of the profile, e.g. {'organizations:CreateAccount': {async: {min: 200, max: 200}}}. */
  overrides: Record<string, OperationLatency>;
  /** Overrides of the profile's behaviour durations, e.g. {accountRoleDelay: {min: 0, max: 0}}. */
  behaviours?: Partial<Omit<BehaviourTimings, 'rateFactor'>>;
}

export function callRange(s: LatencySettings, key: string): LatencyRange {
  return s.overrides[key]?.call ?? s.profile.operations[key]?.call ?? s.profile.defaultCall;
}

export function asyncRange(s: LatencySettings, key: string): LatencyRange {
  return s.overrides[key]?.async ?? s.profile.operations[key]?.async ?? s.profile.defaultAsync;
}

/** A behaviour's duration in this profile, scaled, sampled. */
export function behaviourRange(s: LatencySettings, key: Exclude<keyof BehaviourTimings, 'rateFactor'>): LatencyRange {
  return s.behaviours?.[key] ?? s.profile.behaviours[key];
}

export function sample(range: LatencyRange, scale: number, rng: () => number): number {
  const ms = range.min + (range.max - range.min) * rng();
  return Math.round(ms * scale);
}
