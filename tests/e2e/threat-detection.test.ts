// GuardDuty and IAM Access Analyzer end to end, through the BUILT CLI against the emulator: a
// fresh run makes the audit account their delegated administrator and covers every account in
// every allowed region; the next run writes nothing; drift behind the tool's back is named by
// `verify` (exit 4, with the SSB IDs) and repaired by exactly the calls it needs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain, ops, removeDir, runCli } from '../helpers/harness.js';
import { CONFIG, HOME, MGMT, buildBaseline, driftRound, store, world, type Built } from '../helpers/baseline-drift.js';

const REGIONS = [HOME, 'us-east-1'];
const ANALYZER = 'secure-start-organization';

let b: Built;
beforeAll(async () => {
  b = await buildBaseline();
}, 60_000);
afterAll(async () => {
  await b?.emu.stop();
  if (b) removeDir(b.dir);
});

const gd = (account: string) => store(b.emu, account, 'guardduty');

describe('a fresh run', () => {
  it('GuardDuty: audit administers it in every allowed region, every account (management included) is an enabled member', () => {
    const audit = b.ids.audit!;
    for (const region of REGIONS) {
      expect(gd(MGMT).orgAdmins[region]).toBe(audit);
      const det = gd(audit).detectors[region];
      expect(det).toMatchObject({ findingPublishingFrequency: 'FIFTEEN_MINUTES' });
      expect(gd(audit).orgConfig[region]).toMatchObject({ autoEnableOrganizationMembers: 'ALL' });
      const members = gd(audit).members[region] ?? {};
      for (const id of [MGMT, ...Object.values(b.ids)].filter((id) => id !== audit)) {
        expect(members[id]?.relationshipStatus, `${id} in ${region}`).toBe('Enabled');
        expect(gd(id).detectors[region], `${id} has a detector in ${region}`).toBeTruthy();
      }
    }
    // The audit detector is made first, then designated, then the organization configured.
    const calls = ops(b.first.mutatingCalls).filter((o) => o.startsWith('guardduty:'));
    expect(calls.sort()).toEqual(
      REGIONS.flatMap(() => [
        'guardduty:CreateDetector',
        'guardduty:EnableOrganizationAdminAccount',
        'guardduty:UpdateOrganizationConfiguration',
      ]).sort(),
    );
  });

  it('Access Analyzer: audit is its delegated administrator and has one organization analyzer per allowed region', () => {
    const org = Object.values(world(b.emu).orgs as Record<string, any>)[0];
    expect(Object.keys(org.delegatedAdmins['access-analyzer.amazonaws.com'])).toEqual([b.ids.audit]);
    const analyzers = store(b.emu, b.ids.audit!, 'access-analyzer').analyzers;
    for (const region of REGIONS) expect(analyzers[region][ANALYZER]).toMatchObject({ type: 'ORGANIZATION' });
  });

  it('the next run writes nothing and verify is clean', async () => {
    const again = await runCli(['--yes', '--config', CONFIG], { emu: b.emu, dir: b.dir });
    expect(again.code, explain(again)).toBe(0);
    expect(again.mutatingCalls, explain(again)).toEqual([]);
  });
});

describe('drift', () => {
  it("a member's detector deleted, auto-enable turned off, the analyzer deleted and its administrator removed: verify names each, one run repairs exactly those", async () => {
    const { audit, prod } = b.ids as Record<string, string>;
    await driftRound(b, {
      drifts: [
        () => b.emu.drift('guardduty', 'detector-deleted', { account: prod, region: HOME }),
        () => b.emu.drift('guardduty', 'org-auto-enable-off', { account: audit, region: 'us-east-1' }),
        () =>
          b.emu.drift('access-analyzer', 'analyzer-deleted', { account: audit, region: 'us-east-1', name: ANALYZER }),
        () =>
          b.emu.drift('organizations', 'deregister-delegated-admin', {
            accountId: audit,
            servicePrincipal: 'access-analyzer.amazonaws.com',
          }),
      ],
      checks: [
        {
          title: 'GuardDuty',
          controls: ['SSB ACCT.14'],
          findings: [
            new RegExp(
              `~ guardduty:UpdateOrganizationConfiguration us-east-1: every account, existing and new \\(was NONE\\)`,
            ),
            new RegExp(`~ guardduty:CreateMembers ${HOME}: ${prod} \\(Removed\\) back under the audit account`),
          ],
        },
        {
          title: 'IAM Access Analyzer',
          controls: ['SSB ACCT.11'],
          findings: [/\+ accessanalyzer:CreateAnalyzer secure-start-organization \(organization\) in audit us-east-1/],
        },
        {
          title: 'Delegated administrators',
          controls: ['SSB ACCT.11'],
          findings: [/\+ organizations:RegisterDelegatedAdministrator audit for access-analyzer\.amazonaws\.com/],
        },
      ],
      repair: [
        `guardduty:UpdateOrganizationConfiguration@${audit}/us-east-1`,
        `guardduty:CreateMembers@${audit}/${HOME}`,
        `access-analyzer:CreateAnalyzer@${audit}/us-east-1`,
        `organizations:RegisterDelegatedAdministrator@${MGMT}/us-east-1`,
      ],
    });
    expect(gd(audit).members[HOME][prod].relationshipStatus).toBe('Enabled');
    expect(gd(prod).detectors[HOME]).toBeTruthy();
  });
});
