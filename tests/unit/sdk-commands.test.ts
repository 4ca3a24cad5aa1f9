// The lean SDK modules (aws/sdk/*.ts) re-export only the commands the product sends, so the
// bundle carries nothing else. An operation named anywhere in the product source but missing
// there would fail at run time with "no such operation": this test fails first, and says to
// run `node scripts/sdk-commands.mjs --write`.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without type declarations
import { PACKAGES, wanted } from '../../scripts/sdk-commands.mjs';
import { SERVICES, type ServiceName } from '../../aws/services.js';

const want = wanted() as Record<ServiceName, string[]>;

describe('aws/sdk: the commands the product sends, and only those', () => {
  it.each(Object.keys(SERVICES) as ServiceName[])('%s', async (service) => {
    const mod = await SERVICES[service].load();
    const commands = Object.keys(mod)
      .filter((k) => k.endsWith('Command'))
      .sort();
    expect(commands, 'out of date: run `node scripts/sdk-commands.mjs --write`').toEqual(want[service]);
    expect(typeof mod[SERVICES[service].client]).toBe('function');
    expect(SERVICES[service].client).toBe((PACKAGES as Record<string, [string, string]>)[service]![1]);
  });

  it('finds the operations the steps send, whatever way they name them', () => {
    // A direct call, an action sent by the engine, a paginated read.
    expect(want.ec2).toEqual(expect.arrayContaining(['DescribeRegionsCommand', 'EnableEbsEncryptionByDefaultCommand']));
    expect(want.organizations).toEqual(expect.arrayContaining(['CreateAccountCommand', 'ListAccountsCommand']));
    expect(want['sso-admin']).toEqual(expect.arrayContaining(['ListAccountAssignmentCreationStatusCommand']));
  });
});
