// Latency profiles as data. `call` is how long AWS takes to answer a call; `async` is how
// long an asynchronous operation stays IN_PROGRESS/PENDING after answering. Keys are
// `<service>:<Operation>` (service = module name). A benchmark can read REALISTIC to
// compute the critical path of a run: use `mean(range)` of each call/async on the path.

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
  /** Any call without its own entry. */
  defaultCall: LatencyRange;
  /** Any async completion without its own entry. */
  defaultAsync: LatencyRange;
  operations: Record<string, OperationLatency>;
}

const ZERO: LatencyRange = { min: 0, max: 0 };
const r = (min: number, max: number): LatencyRange => ({ min, max });

export const INSTANT: LatencyProfile = { name: 'instant', defaultCall: ZERO, defaultAsync: ZERO, operations: {} };

/** AWS-like durations (observed orders of magnitude, not guarantees). */
export const REALISTIC: LatencyProfile = {
  name: 'realistic',
  defaultCall: r(50, 300),
  defaultAsync: r(1000, 3000),
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
}

export function callRange(s: LatencySettings, key: string): LatencyRange {
  return s.overrides[key]?.call ?? s.profile.operations[key]?.call ?? s.profile.defaultCall;
}

export function asyncRange(s: LatencySettings, key: string): LatencyRange {
  return s.overrides[key]?.async ?? s.profile.operations[key]?.async ?? s.profile.defaultAsync;
}

export function sample(range: LatencyRange, scale: number, rng: () => number): number {
  const ms = range.min + (range.max - range.min) * rng();
  return Math.round(ms * scale);
}
