// `secure-start profiles`: (re)writes the founder's `aws configure sso` profiles from what AWS
// says now (reads only): the Identity Center instance, the founder's user and groups, and the
// accounts and permission sets those are assigned. `--print` prints the sections instead of
// writing them; `--force` replaces same-named sections secure-start did not write.
import type { GlobalOptions } from '../options.js';
import type { CommandEnv } from './index.js';
import { CliExit, openState, setUpBaseline } from '../session.js';
import { AwsFactory } from '../../aws/factory.js';
import { StepError } from '../../steps/contract.js';
import { conflictError, configPath, founderProfilesFromAws, loginAdvice, tilde } from '../../steps/sso-profiles.js';
import { formatSections } from '../../profiles/merge.js';
import { AwsConfigConflictError, writeAwsConfig } from '../../profiles/write.js';
import { ProfileConfigError, type Section } from '../../profiles/render.js';
import { explainError } from '../../engine/explain.js';
import { isAwsError } from '../../aws/errors.js';

export async function profiles(opts: GlobalOptions, env: CommandEnv): Promise<number> {
  const state = openState(opts, env.version);
  const want = setUpBaseline(opts, state);
  const aws = new AwsFactory({ profile: opts.profile, region: want.homeRegion, readOnly: true });
  try {
    let sections: Section[];
    try {
      sections = await founderProfilesFromAws(aws.readOnlyView(), want, (m) => env.stderr.write(`${m}\n`));
    } catch (e) {
      if (e instanceof StepError) throw new CliExit(`${e.message}${e.hint ? `\n${e.hint}` : ''}`, 1);
      if (e instanceof ProfileConfigError) throw new CliExit(`cannot build the profiles: ${e.message}`, 1);
      const ex = explainError(e);
      throw new CliExit(ex.message, isAwsError(e, 'CredentialsProviderError') ? 2 : 1);
    }
    if (opts.print) {
      env.stdout.write(formatSections(sections));
      return 0;
    }
    const path = configPath(env.run);
    let r;
    try {
      r = await writeAwsConfig(path, sections, { force: opts.force || env.run.awsConfig.force });
    } catch (e) {
      if (e instanceof AwsConfigConflictError) {
        const err = conflictError(e);
        throw new CliExit(`${err.message}\n${err.hint}`, 1);
      }
      throw e;
    }
    const names = sections.slice(1).map((s) => s.header.replace(/^profile /, ''));
    if (r.backupPath) env.stdout.write(`Backed up ${tilde(path)} to ${tilde(r.backupPath)}.\n`);
    env.stdout.write(
      r.changed
        ? `Wrote ${r.added.length} new and ${r.updated.length} updated section${r.added.length + r.updated.length === 1 ? '' : 's'} to ${tilde(path)}.\n`
        : `${tilde(path)} already has these profiles; nothing changed.\n`,
    );
    env.stdout.write(`Profiles: ${names.join(', ')}\n${await loginAdvice(env.run, want.org.slug)}\n`);
    return 0;
  } finally {
    aws.destroy();
  }
}
