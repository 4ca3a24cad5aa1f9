// The step graph, in a readable order (the engine orders by `needs`, not by this list).
// To add a step: copy steps/organization.ts, give it an id and `needs`, and add it here.
// Everything else is derived from this list: the config schema and Baseline type (each step's
// `config`), trusted access and delegated administrators, cost notes, status and verify.
import type { z } from 'zod';
import type { Baseline } from '../config/schema.js';
import type { Step, StepConfig } from './contract.js';
import { preflight } from './preflight.js';
import { organization } from './organization.js';
import { trustedAccess } from './trusted-access.js';
import { organizationalUnits } from './organizational-units.js';
import { accounts } from './accounts.js';
import { delegatedAdmins } from './delegated-admins.js';
import { identityCenterInstance } from './identity-center-instance.js';
import { permissionSets } from './permission-sets.js';
import { identityStore } from './identity-store.js';
import { accountAssignments } from './account-assignments.js';
import { ssoProfiles } from './sso-profiles.js';
import { leaveRoot } from './leave-root.js';
import { serviceControlPolicies } from './service-control-policies.js';
import { logArchiveBucket } from './log-archive-bucket.js';
import { orgTrail } from './org-trail.js';
import { trailKey } from './trail-key.js';
import { logArchiveObjectLock } from './log-archive-object-lock.js';
import { budget } from './budget.js';
import { costAnomalyDetection } from './cost-anomaly-detection.js';
import { alternateContacts } from './alternate-contacts.js';
import { accountHardening } from './account-hardening.js';
import { defaultVpcs } from './default-vpcs.js';
import { rootAccess } from './root-access.js';
import { trustedAdvisor } from './trusted-advisor.js';
import { guardDuty } from './guardduty.js';
import { accessAnalyzer } from './access-analyzer.js';
import { configRecording } from './config-recording.js';
import { securityHub } from './security-hub.js';

export const STEPS = [
  preflight,
  organization,
  trustedAccess,
  organizationalUnits,
  accounts,
  delegatedAdmins,
  identityCenterInstance,
  permissionSets,
  identityStore,
  accountAssignments,
  ssoProfiles,
  leaveRoot,
  serviceControlPolicies,
  logArchiveBucket,
  logArchiveObjectLock,
  trailKey,
  orgTrail,
  budget,
  costAnomalyDetection,
  alternateContacts,
  accountHardening,
  defaultVpcs,
  rootAccess,
  guardDuty,
  accessAnalyzer,
  configRecording,
  securityHub,
  trustedAdvisor,
] as const satisfies readonly Step<any, any>[];

/** Each step's config fragment as a type: `{ budget: { amount: number; … } }`. */
type ConfigOf<S> = S extends { config?: infer C }
  ? C extends StepConfig<infer K, infer Sch>
    ? { [P in K]: z.infer<Sch> }
    : never
  : never;
type Intersect<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/** The config every step adds to the core (config/schema.ts Baseline). */
export type StepConfigs = Intersect<ConfigOf<(typeof STEPS)[number]>>;

/**
 * The graph for one config: steps an option turned off are left out (and so are the needs on
 * them), and each step's title and controls are the ones this config builds — the plan, the
 * progress view, verify and the final summary all show these.
 */
export function stepsFor(want: Baseline, steps: readonly Step<any, any>[] = STEPS): Step<any, any>[] {
  const kept = steps.filter((s) => s.enabled?.(want) !== false);
  const ids = new Set(kept.map((s) => s.id));
  return kept.map((s) => {
    const d = s.describe?.(want) ?? {};
    return {
      ...s,
      title: d.title ?? s.title,
      controls: d.controls ?? s.controls,
      needs: s.needs.filter((n) => ids.has(n)),
    };
  });
}
