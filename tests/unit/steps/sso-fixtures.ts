// Shared fixtures for the Identity Center step tests (instance, permission sets, identity
// store, assignments, profiles, leave-root).
import type { Baseline } from '../../../config/schema.js';
import { basic } from './money-fixtures.js';

export { basic, brief, awsErr, fakeCtx, testEnv } from './money-fixtures.js';
export { fakeRun } from './org-fixtures.js';

export const INSTANCE = 'arn:aws:sso:::instance/ssoins-1111222233334444';
export const STORE = 'd-9067000001';
export const START_URL = `https://${STORE}.awsapps.com/start`;
export const MGMT = '111111111111';
export const ACCOUNTS: Record<string, string> = { 'log-archive': '200000000001', audit: '200000000002', prod: '200000000003', dev: '200000000004' };

/** The outputs known once the instance and the accounts exist (home region eu-west-1). */
export const SSO_VALUES: Record<string, string> = {
  'management.accountId': MGMT,
  'org.id': 'o-abcdefghij',
  'org.rootId': 'r-abcd',
  'sso.instanceArn': INSTANCE,
  'sso.identityStoreId': STORE,
  'sso.region': 'eu-west-1',
  'sso.startUrl': START_URL,
  ...Object.fromEntries(Object.entries(ACCOUNTS).map(([n, id]) => [`${n}.accountId`, id])),
};

export const psArn = (name: string): string => `arn:aws:sso:::permissionSet/ssoins-1111222233334444/ps-${name.toLowerCase()}`;
export const SETS = ['AdministratorAccess', 'PowerUser', 'ReadOnly', 'Billing'];
export const GROUP_IDS: Record<string, string> = { Admins: 'g-admins', Developers: 'g-devs', Auditors: 'g-auditors', Billing: 'g-billing' };
export const USER_ID = 'u-ada';

/** Outputs once permission sets, groups and the founder exist too. */
export const ALL_VALUES: Record<string, string> = {
  ...SSO_VALUES,
  ...Object.fromEntries(SETS.map((s) => [`permissionSet.${s}.arn`, psArn(s)])),
  ...Object.fromEntries(Object.entries(GROUP_IDS).map(([g, id]) => [`group.${g}.id`, id])),
  'user.ada@acme.example.id': USER_ID,
};

export const want = (): Baseline => basic();
