// What the attack tests share: one bootstrap of the baseline per test file (the built CLI
// against the emulator, which enforces the SCPs), SDK clients pointed at the emulator, and the
// attacker — a role with AdministratorAccess made in a member account through the access-role
// session the emulator hands out (emu.credentials(memberId)), as a member account's own
// administrator would make one, then assumed.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import {
  BASIC_CONFIG,
  explain,
  runCli,
  scratchDir,
  startEmu,
  type CliResult,
  type Emulator,
} from '../helpers/harness.js';
import type { CredentialSet } from '../../emulator/emulator.js';

export const HOME = 'eu-west-1';
export const MGMT = '123456789012';
export const TRAIL = 'acme-robotics-org-trail';
export const TRAIL_ARN = `arn:aws:cloudtrail:${HOME}:${MGMT}:trail/${TRAIL}`;
export const ACCESS_ROLE = 'OrganizationAccountAccessRole';
export const ADMIN_POLICY = 'arn:aws:iam::aws:policy/AdministratorAccess';
/** AWS's wording for a request an SCP refuses. */
export const SCP_DENY = /with an explicit deny in a service control policy$/;

export type Creds = CredentialSet;

export interface Built {
  emu: Emulator;
  dir: string;
  config: string;
  first: CliResult;
  /** Member account IDs by name. */
  ids: Record<string, string>;
  bucket: string;
  clients: { destroy(): void }[];
}

/** basic.json with changes, written into a scratch folder (the run's working directory). */
export function configWith(dir: string, change: (c: Record<string, any>) => void): string {
  const c = JSON.parse(readFileSync(BASIC_CONFIG, 'utf8')) as Record<string, any>;
  change(c);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'secure-start.config.json');
  writeFileSync(path, JSON.stringify(c, null, 2));
  return path;
}

/**
 * The whole baseline on a fresh management account (IAM user caller, root MFA on, Identity
 * Center enabled in the console): one run, which must succeed with SCP enforcement on.
 */
export async function bootstrap(change: (c: Record<string, any>) => void): Promise<Built> {
  const emu = await startEmu({ scenario: 'fresh+iam-user' });
  emu.setRootMfa(true);
  emu.enableIdentityCenter(HOME);
  const dir = scratchDir('ss-security-');
  const config = configWith(dir, change);
  const first = await runCli(['--yes', '--config', config], { emu, dir, timeoutMs: 120_000 });
  expect(first.code, explain(first)).toBe(0);
  const world = emu.state() as { accounts: Record<string, { id: string; name: string }> };
  const ids = Object.fromEntries(
    Object.values(world.accounts)
      .filter((a) => a.id !== MGMT)
      .map((a) => [a.name, a.id]),
  );
  return { emu, dir, config, first, ids, bucket: `acme-robotics-org-trail-${ids['log-archive']}`, clients: [] };
}

/** An SDK client against the emulator (no retries: a refusal is seen as it is). */
export function client<T extends { destroy(): void }>(
  b: Built,
  Ctor: new (config: any) => T,
  credentials: Creds | undefined,
  region = HOME,
  extra: Record<string, unknown> = {},
): T {
  const c = new Ctor({
    region,
    endpoint: b.emu.url,
    credentials: credentials ?? b.emu.credentials(),
    maxAttempts: 1,
    ...extra,
  });
  b.clients.push(c);
  return c;
}

/** A role named `name` with AdministratorAccess in a member account, assumed: that account's administrator. */
export async function memberAdmin(b: Built, account: string, name = 'Mallory'): Promise<Creds> {
  const access = b.emu.credentials(account);
  const iam = client(b, IAMClient, access);
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }],
  });
  await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: ADMIN_POLICY }));
  const r = await client(b, STSClient, access).send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/${name}`, RoleSessionName: 'attacker' }),
  );
  const c = r.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken };
}

/** Credentials of the founder's Identity Center AdministratorAccess session in an account (what the Admins group gets). */
export async function identityCenterAdmin(b: Built, account: string): Promise<Creds> {
  const login = b.emu.ssoLogin('ada@acme.example');
  const res = await fetch(`${b.emu.url}/federation/credentials?role_name=AdministratorAccess&account_id=${account}`, {
    headers: { 'x-amz-sso_bearer_token': login.accessToken },
  });
  expect(res.status).toBe(200);
  const c = (
    (await res.json()) as { roleCredentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string } }
  ).roleCredentials;
  return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken };
}

export interface Refusal {
  name: string;
  status: number | undefined;
  message: string;
}

/** The call must be refused; returns how (a call that succeeds fails the test, naming the attack). */
export async function refused(what: string, call: () => Promise<unknown>): Promise<Refusal> {
  try {
    await call();
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message };
  }
  throw new Error(`ATTACK SUCCEEDED: ${what}`);
}

/** One attack: refused by a service control policy (AWS's SCP wording), with the service's own code. */
export async function deniedBySCP(what: string, code: string, call: () => Promise<unknown>): Promise<void> {
  const r = await refused(what, call);
  expect(r.name, `${what}: ${r.message}`).toBe(code);
  expect(r.message, what).toMatch(SCP_DENY);
}

export function cleanup(b: Built | undefined): Promise<void> {
  if (!b) return Promise.resolve();
  for (const c of b.clients) c.destroy();
  return b.emu.stop();
}

/** The emulator's world: stores[account][service]. */
export const store = (b: Built, account: string, service: string): any =>
  (b.emu.state() as any).stores[account]?.[service];
