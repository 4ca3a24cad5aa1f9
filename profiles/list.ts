/**
 * The profile names the AWS SDK and CLI can use, read from the config and credentials files the
 * way the SDK reads them (@smithy/shared-ini-file-loader, getConfigData / getCredentialsFilepath):
 * in the config file `[profile NAME]` and `[default]` (other sections, such as `[sso-session x]`,
 * `[services x]` or an unprefixed `[x]`, are not profiles); in the credentials file every
 * `[NAME]`. https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { normaliseHeader } from './merge.js';
import { defaultAwsConfigPath } from './write.js';
import { readRegularFile } from '../state/read-file.js';

// configparser (which the AWS CLI uses) takes a header from `[` up to `]`.
const HEADER_RE = /^[ \t]*\[([^\]]*)\]/;

function headers(text: string): string[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .flatMap((l) => {
      const m = HEADER_RE.exec(l);
      return m ? [normaliseHeader(m[1]!)] : [];
    });
}

/** Profile names in a config file's text and a credentials file's text, each once, in file order. */
export function profileNames(configText: string, credentialsText: string): string[] {
  const fromConfig = headers(configText).flatMap((h) =>
    h === 'default' ? ['default'] : h.startsWith('profile ') ? [h.slice('profile '.length)] : [],
  );
  const fromCredentials = headers(credentialsText)
    .map((h) => h.trim())
    .filter(Boolean);
  return [...new Set([...fromConfig, ...fromCredentials])];
}

/** Where the SDK reads shared credentials: AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials. */
export function credentialsFilePath(env: NodeJS.ProcessEnv = process.env): string {
  const p = env.AWS_SHARED_CREDENTIALS_FILE;
  if (p) return p.startsWith('~/') ? join(homedir(), p.slice(2)) : p;
  return join(homedir(), '.aws', 'credentials');
}

/** A file's text, or '' when it is missing or not a readable regular file (the SDK then has no profiles there either). */
function textOf(path: string): string {
  try {
    return readRegularFile(path, 10 * 1024 * 1024);
  } catch {
    return '';
  }
}

/** The profiles the founder's machine has, and the two files they come from. */
export function localProfiles(env: NodeJS.ProcessEnv = process.env): {
  names: string[];
  configPath: string;
  credentialsPath: string;
} {
  const configPath = defaultAwsConfigPath(env);
  const credentialsPath = credentialsFilePath(env);
  return { names: profileNames(textOf(configPath), textOf(credentialsPath)), configPath, credentialsPath };
}
