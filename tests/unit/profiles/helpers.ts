import { readFileSync } from 'node:fs';
import ini from 'ini';
import { expect } from 'vitest';
import { renderProfiles, type ProfileInput } from '../../../profiles/render.js';

export function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/aws-config/${name}`, import.meta.url), 'utf8');
}

export const PROD: ProfileInput = {
  name: 'acme-prod-admin',
  accountId: '111122223333',
  roleName: 'AdministratorAccess',
  region: 'eu-west-1',
};
export const DEV: ProfileInput = {
  name: 'acme-dev-power',
  accountId: '444455556666',
  roleName: 'PowerUser',
  region: 'eu-west-1',
};

export function acmeSections(profiles: ProfileInput[] = [PROD, DEV]) {
  return renderProfiles({
    session: 'acme',
    startUrl: 'https://d-1234567890.awsapps.com/start',
    ssoRegion: 'eu-west-1',
    profiles,
  });
}

/** Exactly what gets appended for acmeSections(), written out by hand, LF endings. */
export const ACME_BLOCK = `# managed by secure-start
[sso-session acme]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

# managed by secure-start
[profile acme-prod-admin]
sso_session = acme
sso_account_id = 111122223333
sso_role_name = AdministratorAccess
region = eu-west-1
output = json

# managed by secure-start
[profile acme-dev-power]
sso_session = acme
sso_account_id = 444455556666
sso_role_name = PowerUser
region = eu-west-1
output = json
`;

/** Parses with the `ini` package (which doesn't know about BOMs) and checks our sections read back right. */
export function parseAndCheck(text: string): Record<string, any> {
  const parsed = ini.parse(text.replace(/^\uFEFF/, ''));
  expect(parsed['sso-session acme']).toEqual({
    sso_start_url: 'https://d-1234567890.awsapps.com/start',
    sso_region: 'eu-west-1',
    sso_registration_scopes: 'sso:account:access',
  });
  expect(parsed['profile acme-prod-admin']).toMatchObject({
    sso_session: 'acme',
    sso_account_id: '111122223333',
    sso_role_name: 'AdministratorAccess',
    region: 'eu-west-1',
    output: 'json',
  });
  return parsed;
}

export function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}
