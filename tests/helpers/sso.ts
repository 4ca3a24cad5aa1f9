// Sign in through the emulator's Identity Center the way a founder does with
// `aws sso login --sso-session <name>`: the browser step is the emulator's console action,
// and the token lands in the same cache file the AWS CLI writes, so the SDK's `fromSSO`
// (and so the CLI run with `--profile <org>-<account>-<set>`) picks it up.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Emulator } from '../../emulator/index.js';
import type { SsoLogin } from '../../emulator/services/sso.js';

/** `<home>/.aws/sso/cache/<sha1(session name)>.json`, as botocore and the SDK compute it. */
export function ssoCachePath(home: string, sessionName: string): string {
  return join(home, '.aws', 'sso', 'cache', `${createHash('sha1').update(sessionName).digest('hex')}.json`);
}

/**
 * Log `userName` in and write the token cache under `dir` (the run's HOME). Returns the
 * login (token, expiry, start URL, region) and the file written.
 */
export function ssoLogin(
  emu: Emulator,
  dir: string,
  sessionName: string,
  userName: string,
  opts: { expiresAt?: string } = {},
): SsoLogin & { path: string } {
  const login = emu.ssoLogin(userName);
  const cached = { ...login, ...(opts.expiresAt ? { expiresAt: opts.expiresAt } : {}) };
  const path = ssoCachePath(dir, sessionName);
  mkdirSync(join(dir, '.aws', 'sso', 'cache'), { recursive: true });
  // Same keys and order as the AWS CLI v2 cache file for an sso-session login.
  const file = {
    startUrl: cached.startUrl,
    region: cached.region,
    accessToken: cached.accessToken,
    expiresAt: cached.expiresAt,
    clientId: cached.clientId,
    clientSecret: cached.clientSecret,
    registrationExpiresAt: cached.registrationExpiresAt,
    refreshToken: cached.refreshToken,
  };
  writeFileSync(path, JSON.stringify(file), { mode: 0o600 });
  return { ...cached, path };
}

export interface SsoProfileSpec {
  name: string;
  accountId: string;
  roleName: string;
  region?: string;
}

/** A minimal `~/.aws/config` with one sso-session and its profiles (as `aws configure sso` writes). */
export function ssoConfigText(
  session: { name: string; startUrl: string; region: string },
  profiles: SsoProfileSpec[],
): string {
  const lines = [
    `[sso-session ${session.name}]`,
    `sso_start_url = ${session.startUrl}`,
    `sso_region = ${session.region}`,
    'sso_registration_scopes = sso:account:access',
    '',
  ];
  for (const p of profiles) {
    lines.push(
      `[profile ${p.name}]`,
      `sso_session = ${session.name}`,
      `sso_account_id = ${p.accountId}`,
      `sso_role_name = ${p.roleName}`,
      `region = ${p.region ?? session.region}`,
      'output = json',
      '',
    );
  }
  return lines.join('\n');
}
