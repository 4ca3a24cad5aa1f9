// The step graph, in a readable order (the engine orders by `needs`, not by this list).
// To add a step: copy steps/organization.ts, give it an id and `needs`, and add it here.
import type { Step } from './contract.js';
import { preflight } from './preflight.js';
import { organization } from './organization.js';
import { trustedAccess } from './trusted-access.js';
import { organizationalUnits } from './organizational-units.js';
import { accounts } from './accounts.js';
import { identityCenterInstance } from './identity-center-instance.js';
import { permissionSets } from './permission-sets.js';
import { identityStore } from './identity-store.js';
import { accountAssignments } from './account-assignments.js';
import { ssoProfiles } from './sso-profiles.js';
import { leaveRoot } from './leave-root.js';
import { serviceControlPolicies } from './service-control-policies.js';
import { logArchiveBucket } from './log-archive-bucket.js';
import { orgTrail } from './org-trail.js';
import { budget } from './budget.js';
import { costAnomalyDetection } from './cost-anomaly-detection.js';
import { alternateContacts } from './alternate-contacts.js';
import { accountHardening } from './account-hardening.js';
import { rootAccess } from './root-access.js';

export const STEPS: Step<any>[] = [
  preflight,
  organization,
  trustedAccess,
  organizationalUnits,
  accounts,
  identityCenterInstance,
  permissionSets,
  identityStore,
  accountAssignments,
  ssoProfiles,
  leaveRoot,
  serviceControlPolicies,
  logArchiveBucket,
  orgTrail,
  budget,
  costAnomalyDetection,
  alternateContacts,
  accountHardening,
  rootAccess,
];
