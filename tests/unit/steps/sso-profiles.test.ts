import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ini from 'ini';
import { ssoProfiles, sectionsFrom } from '../../../steps/sso-profiles.js';
import { leaveRoot, rerunCommand } from '../../../steps/leave-root.js';
import { AWS_CLI_INSTALL, awsCliOnce, loginAdviceFor, type AwsCli } from '../../../steps/sso-profiles.js';
import { managementAdminProfile, founderAccess } from '../../../steps/lib/sso-common.js';
import { StepError, type RunEnv } from '../../../steps/contract.js';
import { ACCOUNTS, MGMT, SSO_VALUES, START_URL, fakeCtx, fakeRun, testEnv, want as basicWant } from './fixtures.js';

const want = basicWant();
const NAMES = ['management', 'log-archive', 'audit', 'prod', 'dev'].map((a) => `acme-robotics-${a}-admin`);
let dir: string;
let file: string;
/** The run's environment: the profiles go to `file`; --force as the test sets it. */
let env: RunEnv;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ss-profiles-'));
  file = join(dir, 'config');
  env = testEnv({ awsConfig: { force: false, path: file } });
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('founder profiles', () => {
  it("one per account the founder's groups reach, management first: <org>-<account>-<set>", () => {
    expect(founderAccess(want)).toEqual(
      ['management', 'log-archive', 'audit', 'prod', 'dev'].map((account) => ({
        account,
        permissionSet: 'AdministratorAccess',
      })),
    );
    const sections = sectionsFrom({ want, value: (k) => SSO_VALUES[k] })!;
    expect(sections.map((s) => s.header)).toEqual(['sso-session acme-robotics', ...NAMES.map((n) => `profile ${n}`)]);
    expect(sections[0]!.entries).toEqual([
      ['sso_start_url', START_URL],
      ['sso_region', 'eu-west-1'],
      ['sso_registration_scopes', 'sso:account:access'],
    ]);
    expect(sections[4]!.entries).toEqual([
      ['sso_session', 'acme-robotics'],
      ['sso_account_id', ACCOUNTS.prod],
      ['sso_role_name', 'AdministratorAccess'],
      ['region', 'eu-west-1'],
      ['output', 'json'],
    ]);
  });

  it('a founder also in Developers gets the power and read-only profiles too, without duplicates', () => {
    const w = basicWant();
    w.identityCenter.founderGroups = ['Admins', 'Developers'];
    const names = founderAccess(w).map((a) => `${a.account}:${a.permissionSet}`);
    expect(names).toEqual([
      'management:AdministratorAccess',
      'log-archive:AdministratorAccess',
      'audit:AdministratorAccess',
      'prod:AdministratorAccess',
      'prod:ReadOnly',
      'dev:AdministratorAccess',
      'dev:PowerUser',
    ]);
  });

  it('undefined while the start URL or an account is still unknown', () => {
    const v: Record<string, string> = { ...SSO_VALUES };
    delete v['dev.accountId'];
    expect(sectionsFrom({ want, value: (k) => v[k] })).toBeUndefined();
  });
});

describe('sso-profiles observe + plan', () => {
  it('no file yet: one local write adding every section; applying it writes a file the ini parser reads back', async () => {
    const f = fakeCtx(
      want,
      () => {
        throw new Error('no AWS call expected');
      },
      SSO_VALUES,
      'apply',
      env,
    );
    const seen = await ssoProfiles.observe(f.ctx);
    expect(seen.diff).toEqual({
      changed: true,
      added: ['sso-session acme-robotics', ...NAMES.map((n) => `profile ${n}`)],
      updated: [],
    });
    const [a, ...rest] = ssoProfiles.plan(want, seen);
    expect(rest).toEqual([]);
    expect(a).toMatchObject({
      kind: 'call',
      symbol: '+',
      service: 'local',
      operation: 'WriteAwsConfig',
      input: { path: file },
    });
    const r = fakeRun(want, a!, () => undefined, SSO_VALUES, env);
    await a!.run!(r.ctx);
    const parsed = ini.parse(readFileSync(file, 'utf8'));
    expect(parsed['profile acme-robotics-prod-admin']).toEqual({
      sso_session: 'acme-robotics',
      sso_account_id: ACCOUNTS.prod,
      sso_role_name: 'AdministratorAccess',
      region: 'eu-west-1',
      output: 'json',
    });
    expect(parsed['profile acme-robotics-management-admin'].sso_account_id).toBe(MGMT);
    // Converged: nothing more to do.
    expect(ssoProfiles.plan(want, await ssoProfiles.observe(f.ctx))).toEqual([]);
  });

  it('an existing file keeps every unrelated byte; a changed account ID is an in-place update (~)', async () => {
    const mine = '# my stuff\r\n[profile work]\r\nregion = us-west-2\r\n\r\n';
    writeFileSync(file, mine);
    const f = fakeCtx(want, () => undefined, SSO_VALUES, 'apply', env);
    const [a] = ssoProfiles.plan(want, await ssoProfiles.observe(f.ctx));
    await a!.run!(fakeRun(want, a!, () => undefined, SSO_VALUES, env).ctx);
    expect(readFileSync(file, 'utf8').startsWith(mine)).toBe(true);
    const values = { ...SSO_VALUES, 'prod.accountId': '299999999999' };
    const f2 = fakeCtx(want, () => undefined, values, 'apply', env);
    const seen = await ssoProfiles.observe(f2.ctx);
    expect(seen.diff).toEqual({ changed: true, added: [], updated: ['profile acme-robotics-prod-admin'] });
    const [b] = ssoProfiles.plan(want, seen);
    expect(b!.symbol).toBe('~');
    await b!.run!(fakeRun(want, b!, () => undefined, values, env).ctx);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith(mine)).toBe(true);
    expect(ini.parse(text)['profile acme-robotics-prod-admin'].sso_account_id).toBe('299999999999');
  });

  it('a same-named section we did not write: a clear error, unless --force', async () => {
    writeFileSync(file, '[profile acme-robotics-prod-admin]\nregion = us-east-1\n');
    const f = fakeCtx(want, () => undefined, SSO_VALUES, 'apply', env);
    const err = await ssoProfiles.observe(f.ctx).catch((e) => e);
    expect(err).toBeInstanceOf(StepError);
    expect(err.message).toMatch(
      /already has \[profile acme-robotics-prod-admin\], not written by secure-start.*--force/,
    );
    env.awsConfig.force = true;
    const [a] = ssoProfiles.plan(want, await ssoProfiles.observe(f.ctx));
    await a!.run!(fakeRun(want, a!, () => undefined, SSO_VALUES, env).ctx);
    expect(ini.parse(readFileSync(file, 'utf8'))['profile acme-robotics-prod-admin'].sso_account_id).toBe(
      ACCOUNTS.prod,
    );
    expect(readFileSync(`${file}.secure-start.bak`, 'utf8')).toBe(
      '[profile acme-robotics-prod-admin]\nregion = us-east-1\n',
    );
  });

  it('verify: a difference is advice (profiles live on one machine), not drift', async () => {
    const f = fakeCtx(want, () => undefined, SSO_VALUES, 'verify', env);
    const actions = ssoProfiles.plan(want, await ssoProfiles.observe(f.ctx));
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ kind: 'manual', manual: { blocking: false } });
    expect(actions[0]!.manual!.instructions[0]).toContain('npx secure-start profiles');
  });

  it('fresh (plan without credentials): one write naming every profile', () => {
    const f = fakeCtx(want, () => undefined, {}, 'plan', env);
    const [a] = ssoProfiles.plan(want, ssoProfiles.fresh(f.ctx));
    expect(a!.summary).toContain('[sso-session acme-robotics] [profile acme-robotics-management-admin]');
  });
});

describe('leave-root', () => {
  it('root caller: one blocking manual step that switches to the management admin profile', () => {
    expect(managementAdminProfile(want)).toBe('acme-robotics-management-admin');
    const [a, ...rest] = leaveRoot.plan(want, {
      callerKind: 'root',
      startUrl: START_URL,
      argv: ['--yes', '--config', 'my config.json'],
    });
    expect(rest).toEqual([]);
    expect(a).toMatchObject({
      kind: 'manual',
      manual: { blocking: true, switchProfile: 'acme-robotics-management-admin', link: START_URL },
    });
    const text = a!.manual!.instructions.join('\n');
    expect(text).toContain('aws sso login --sso-session acme-robotics');
    expect(text).toContain("npx secure-start --yes --config 'my config.json' --profile acme-robotics-management-admin");
  });

  it('anyone else: nothing', () => {
    for (const callerKind of ['iam-user', 'assumed-role', undefined]) {
      expect(leaveRoot.plan(want, { callerKind, argv: [] })).toEqual([]);
    }
  });

  it('the re-run command replaces an earlier --profile; the demo has none (it goes on by itself)', () => {
    expect(rerunCommand(['--profile', 'old', '--yes', '--profile=older'], 'new')).toBe(
      'npx secure-start --yes --profile new',
    );
    expect(rerunCommand(['demo'], 'new')).toBeUndefined();
    expect(rerunCommand(['--config', 'demo', '--yes'], 'new')).toBe(
      'npx secure-start --config demo --yes --profile new',
    );
    const [a] = leaveRoot.plan(want, { callerKind: 'root', startUrl: START_URL, argv: ['demo'] });
    expect(a!.manual!.instructions.join('\n')).toContain('The demo then goes on with that profile by itself.');
    expect(a!.manual!.instructions.join('\n')).not.toContain('npx secure-start');
  });

  it('the sign-in step fits the AWS CLI found: v2 runs aws sso login, v1 and none install v2 first', () => {
    const text = (awsCli: AwsCli) =>
      leaveRoot.plan(want, { callerKind: 'root', startUrl: START_URL, argv: [], awsCli })[0]!.manual!.instructions[1];
    expect(text({ version: 'aws-cli/2.27.0', major: 2 })).toBe('Then run: aws sso login --sso-session acme-robotics');
    expect(text({ version: 'aws-cli/1.44.2', major: 1 })).toBe(
      `Then install the AWS CLI v2 (${AWS_CLI_INSTALL}; the aws-cli/1.44.2 here cannot sign in to Identity Center) and run: aws sso login --sso-session acme-robotics`,
    );
    expect(text({})).toBe(
      `Then install the AWS CLI v2 (${AWS_CLI_INSTALL}) and run: aws sso login --sso-session acme-robotics`,
    );
    expect(loginAdviceFor({ version: 'aws-cli/1.44.2', major: 1 }, 'acme')).toMatch(
      /^The AWS CLI here is aws-cli\/1\.44\.2: version 1 cannot sign in with IAM Identity Center/,
    );
    expect(loginAdviceFor({ version: 'aws-cli/2.1.0', major: 2 }, 'acme')).toBe(
      'Sign in with: aws sso login --sso-session acme   (aws-cli/2.1.0 found)',
    );
  });

  it('root with no founder assignment on the management account: a StepError saying what to add', () => {
    const w = basicWant();
    w.identityCenter.assignments = w.identityCenter.assignments.map((x) =>
      x.group === 'Admins' ? { ...x, accounts: ['prod'] } : x,
    );
    expect(() => leaveRoot.plan(w, { callerKind: 'root', argv: [] })).toThrow(StepError);
  });

  it('observe reads the caller kind preflight published', async () => {
    const f = fakeCtx(want, () => undefined, { 'caller.kind': 'root', 'sso.startUrl': START_URL });
    expect(await leaveRoot.observe(f.ctx)).toMatchObject({ callerKind: 'root', startUrl: START_URL });
  });

  it("observe and fresh take the command's arguments and the AWS CLI from the run (ctx.env), not from the process", async () => {
    let lookups = 0;
    const runEnv = testEnv({
      argv: ['--config', 'acme.json'],
      awsCli: async () => {
        lookups++;
        return { version: 'aws-cli/2.27.0', major: 2 };
      },
    });
    const f = fakeCtx(want, () => undefined, { 'caller.kind': 'root', 'sso.startUrl': START_URL }, 'plan', runEnv);
    const seen = await leaveRoot.observe(f.ctx);
    expect(seen).toMatchObject({ argv: ['--config', 'acme.json'], awsCli: { major: 2 } });
    expect(lookups).toBe(1);
    expect(leaveRoot.fresh(f.ctx)).toEqual({ argv: ['--config', 'acme.json'] });
    const text = leaveRoot.plan(want, seen)[0]!.manual!.instructions.join('\n');
    expect(text).toContain('npx secure-start --config acme.json --profile acme-robotics-management-admin');
    expect(text).toContain('Then run: aws sso login --sso-session acme-robotics');
    // Anyone but root never looks for the AWS CLI.
    await leaveRoot.observe(fakeCtx(want, () => undefined, { 'caller.kind': 'iam-user' }, 'plan', runEnv).ctx);
    expect(lookups).toBe(1);
  });

  it('awsCliOnce: one lookup per run, however many steps ask', async () => {
    let lookups = 0;
    const once = awsCliOnce(async () => {
      lookups++;
      return { version: 'aws-cli/2.1.0', major: 2 };
    });
    const [a, b] = await Promise.all([once(), once()]);
    expect(a).toEqual({ version: 'aws-cli/2.1.0', major: 2 });
    expect(b).toBe(a);
    expect(lookups).toBe(1);
    // Another run (another cache) looks again.
    await awsCliOnce(async () => {
      lookups++;
      return {};
    })();
    expect(lookups).toBe(2);
  });
});
