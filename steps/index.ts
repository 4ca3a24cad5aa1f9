// The step graph, in a readable order (the engine orders by `needs`, not by this list).
// To add a step: copy steps/organization.ts, give it an id and `needs`, and add it here.
import type { Step } from './contract.js';
import { preflight } from './preflight.js';
import { organization } from './organization.js';
import { trustedAccess } from './trusted-access.js';
import { organizationalUnits } from './organizational-units.js';
import { accounts } from './accounts.js';

export const STEPS: Step<any>[] = [
  preflight,
  organization,
  trustedAccess,
  organizationalUnits,
  accounts,
];
