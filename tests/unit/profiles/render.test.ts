import { describe, expect, it } from 'vitest';
import {
  permissionSetSlug,
  profileName,
  ProfileConfigError,
  renderProfiles,
  validateName,
} from '../../../profiles/render.js';
import { acmeSections, DEV, PROD } from './helpers.js';

describe('renderProfiles', () => {
  it('renders one sso-session and one profile per entry in `aws configure sso` format', () => {
    expect(acmeSections()).toEqual([
      {
        header: 'sso-session acme',
        entries: [
          ['sso_start_url', 'https://d-1234567890.awsapps.com/start'],
          ['sso_region', 'eu-west-1'],
          ['sso_registration_scopes', 'sso:account:access'],
        ],
      },
      {
        header: 'profile acme-prod-admin',
        entries: [
          ['sso_session', 'acme'],
          ['sso_account_id', '111122223333'],
          ['sso_role_name', 'AdministratorAccess'],
          ['region', 'eu-west-1'],
          ['output', 'json'],
        ],
      },
      {
        header: 'profile acme-dev-power',
        entries: [
          ['sso_session', 'acme'],
          ['sso_account_id', '444455556666'],
          ['sso_role_name', 'PowerUser'],
          ['region', 'eu-west-1'],
          ['output', 'json'],
        ],
      },
    ]);
  });

  it('honours an explicit output format', () => {
    const [, p] = acmeSections([{ ...PROD, output: 'yaml' }]);
    expect(p.entries).toContainEqual(['output', 'yaml']);
  });

  it.each([
    [{ ...PROD, name: 'bad]name' }, /bracket/],
    [{ ...PROD, name: 'two\nlines' }, /line break/],
    [{ ...PROD, name: ' padded' }, /leading or trailing spaces/],
    [{ ...PROD, name: 'padded ' }, /leading or trailing spaces/],
    [{ ...PROD, name: 'has space' }, /whitespace/],
    [{ ...PROD, name: '' }, /empty/],
    [{ ...PROD, name: 'default' }, /reserved/],
    [{ ...PROD, accountId: '1234' }, /12 digits/],
    [{ ...PROD, region: 'Europe' }, /not an AWS region/],
    [{ ...PROD, roleName: 'bad role' }, /permission set name/],
    [{ ...PROD, output: 'xml' }, /output must be one of/],
  ])('rejects invalid profile %#', (profile, message) => {
    expect(() => acmeSections([profile])).toThrow(ProfileConfigError);
    expect(() => acmeSections([profile])).toThrow(message);
  });

  it('rejects duplicate profile names, a bad session name, a non-https start URL and a bad SSO region', () => {
    expect(() => acmeSections([PROD, PROD])).toThrow(/listed twice/);
    const base = {
      session: 'acme',
      startUrl: 'https://d-1234567890.awsapps.com/start',
      ssoRegion: 'eu-west-1',
      profiles: [DEV],
    };
    expect(() => renderProfiles({ ...base, session: 'ac]me' })).toThrow(/sso-session name .* bracket/);
    expect(() => renderProfiles({ ...base, startUrl: 'http://d-1234567890.awsapps.com/start' })).toThrow(/https/);
    expect(() => renderProfiles({ ...base, startUrl: 'not a url' })).toThrow(/not a URL/);
    expect(() => renderProfiles({ ...base, ssoRegion: 'eu west 1' })).toThrow(/SSO region/);
  });

  it('accepts GovCloud and China regions', () => {
    expect(() =>
      acmeSections([
        { ...PROD, region: 'us-gov-west-1' },
        { ...DEV, region: 'cn-north-1' },
      ]),
    ).not.toThrow();
  });
});

describe('profile names', () => {
  it.each([
    ['AdministratorAccess', 'admin'],
    ['PowerUser', 'power'],
    ['PowerUserAccess', 'power'],
    ['ReadOnly', 'readonly'],
    ['ReadOnlyAccess', 'readonly'],
    ['Billing', 'billing'],
    ['SecurityAudit', 'security-audit'],
    ['ViewOnlyAccess', 'view-only-access'],
    ['DBAdmin', 'db-admin'],
    ['data_science team', 'data-science-team'],
  ])('%s -> %s', (set, slug) => {
    expect(permissionSetSlug(set)).toBe(slug);
  });

  it('builds <org>-<account>-<set>', () => {
    expect(profileName('acme', 'prod', 'AdministratorAccess')).toBe('acme-prod-admin');
    expect(profileName('Acme Corp', 'Shared Services', 'ReadOnly')).toBe('acme-corp-shared-services-readonly');
  });

  it('refuses parts that slug to nothing', () => {
    expect(() => profileName('!!!', 'prod', 'Billing')).toThrow(/org name/);
    expect(() => profileName('acme', '  ', 'Billing')).toThrow(/account name/);
    expect(() => permissionSetSlug('---')).toThrow(/permission set/);
  });

  it('validateName explains each rule', () => {
    expect(() => validateName('profile', 'a]b')).toThrow('profile name "a]b" contains a bracket');
    expect(() => validateName('profile', 'ok-name_1')).not.toThrow();
  });
});
