// Things a person does in the AWS console (no API exists), performed on the world directly.
import { createOrganization } from './services/organizations.js';
import type { IdentityCenterInstance, World } from './world.js';

export class ConsoleError extends Error {}

/**
 * Enable the Identity Center organization instance, as the console does: it needs the
 * management account of an ALL-features organization (the console creates the
 * organization when there is none) and turns on trusted access for sso.amazonaws.com.
 */
export function enableIdentityCenter(world: World, region = 'us-east-1'): IdentityCenterInstance {
  if (world.identityCenter) return world.identityCenter;
  const home = world.homeAccountId;
  let org = world.orgOf(home);
  if (org && org.managementAccountId !== home) {
    throw new ConsoleError('only the management account can enable the Identity Center organization instance');
  }
  if (org && org.featureSet !== 'ALL')
    throw new ConsoleError('the organization must have all features enabled to use Identity Center');
  org ??= createOrganization(world, home, 'ALL');
  org.serviceAccess['sso.amazonaws.com'] ??= new Date();
  world.identityCenter = {
    instanceArn: `arn:aws:sso:::instance/ssoins-${world.id('ssoins', 16, '0123456789abcdef')}`,
    identityStoreId: `d-${world.id('identity-store', 10, '0123456789')}`,
    ownerAccountId: home,
    region,
    status: 'ACTIVE',
    createdAt: new Date(),
  };
  return world.identityCenter;
}

/** Turn the root user's MFA on or off (a virtual device, as the console registers it). */
export function setRootMfa(world: World, enabled: boolean, accountId = world.homeAccountId): void {
  const acct = world.account(accountId);
  if (!acct) throw new ConsoleError(`no account ${accountId}`);
  acct.root.mfaSerials = enabled
    ? [{ serial: `arn:aws:iam::${accountId}:mfa/root-account-mfa-device`, enabledAt: new Date() }]
    : [];
}
