// SSB ACCT.15 end to end, through the BUILT CLI against the emulator, with `securityHub.enabled`
// in the config (the basic fixture plus that one switch): a fresh run turns on AWS Config
// recording in every account and allowed region into the log archive, and Security Hub for the
// organization with central configuration from the audit account; the next run writes nothing;
// each drift made behind the tool's back is named by `verify` (exit 4, SSB ACCT.15) and repaired
// by exactly the calls it needs. One bootstrap for the whole file.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASIC_CONFIG, explain, ops, removeDir, runCli } from '../helpers/harness.js';
import {
  HOME,
  MGMT,
  buildBaseline,
  driftRound,
  store,
  verifyJson,
  where,
  world,
  type Built,
} from '../helpers/baseline-drift.js';

const REGIONS = ['eu-west-1', 'us-east-1'];
const OTHER = 'us-east-1';
const MEMBERS = ['log-archive', 'audit', 'prod', 'dev'];
const FSBP = (r: string) => `arn:aws:securityhub:${r}::standards/aws-foundational-security-best-practices/v/1.0.0`;
const CONFIG_TITLE = 'AWS Config recording';
const HUB_TITLE = 'Security Hub for the organization';

const cfgDir = mkdtempSync(join(tmpdir(), 'ss-sechub-cfg-'));
const CONFIG = join(cfgDir, 'security-hub.json');
writeFileSync(
  CONFIG,
  JSON.stringify({ ...JSON.parse(readFileSync(BASIC_CONFIG, 'utf8')), securityHub: { enabled: true } }, null, 2),
);

let b: Built;
let t0 = 0;
beforeAll(async () => {
  t0 = Date.now();
  b = await buildBaseline(CONFIG);
}, 90_000);
afterAll(async () => {
  await b?.emu.stop();
  if (b) removeDir(b.dir);
  removeDir(cfgDir);
});

const accountIds = () => [MGMT, ...MEMBERS.map((n) => b.ids[n]!)];
const bucket = () => `acme-robotics-org-trail-${b.ids['log-archive']}`;
const org = () => Object.values(world(b.emu).orgs)[0] as any;

describe('a fresh run with securityHub.enabled', () => {
  it('records AWS Config in every account and region: the service-linked role, all types (global ones in the home region only), delivery to the log archive under config/, recording', () => {
    for (const id of accountIds()) {
      expect(Object.keys(world(b.emu).accounts[id].roles), id).toContain('AWSServiceRoleForConfig');
      for (const region of REGIONS) {
        const st = store(b.emu, id, 'config').regions[region];
        expect(st.recorder, `${id} ${region}`).toMatchObject({
          name: 'default',
          recording: true,
          roleARN: `arn:aws:iam::${id}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
          recordingGroup: { allSupported: true, includeGlobalResourceTypes: region === HOME },
        });
        expect(st.channel, `${id} ${region}`).toMatchObject({
          name: 'default',
          s3BucketName: bucket(),
          s3KeyPrefix: 'config',
        });
      }
    }
  });

  it("the trail bucket policy lets AWS Config deliver for the organization's accounts only", () => {
    const policy = JSON.parse(
      store(b.emu, b.ids['log-archive']!, 's3')?.buckets?.[bucket()]?.policy ??
        world(b.emu).buckets?.[bucket()]?.policy ??
        '{}',
    );
    const delivery = policy.Statement?.find((s: any) => s.Sid === 'AWSConfigBucketDelivery');
    expect(delivery?.Resource).toEqual(
      accountIds().map((id) => `arn:aws:s3:::${bucket()}/config/AWSLogs/${id}/Config/*`),
    );
    expect(delivery?.Condition.StringEquals['aws:SourceAccount']).toEqual(accountIds());
  });

  it('Security Hub: audit is the administrator, the aggregator links the allowed regions, central configuration, the FSBP policy on the root, every account and region enabled', () => {
    const audit = b.ids.audit!;
    const sh = store(b.emu, MGMT, 'securityhub').org;
    expect(sh.admins).toEqual(Object.fromEntries(REGIONS.map((r) => [r, audit])));
    expect(sh.central).toMatchObject({ homeRegion: HOME, status: 'ENABLED' });
    expect(store(b.emu, audit, 'securityhub').aggregator).toMatchObject({
      FindingAggregationRegion: HOME,
      RegionLinkingMode: 'SPECIFIED_REGIONS',
      Regions: [OTHER],
    });
    const policies = Object.values(sh.policies) as any[];
    expect(policies.map((p) => p.Name)).toEqual(['secure-start-security-hub']);
    expect(policies[0].ConfigurationPolicy.SecurityHub).toEqual({
      ServiceEnabled: true,
      EnabledStandardIdentifiers: [FSBP(HOME)],
      SecurityControlsConfiguration: { DisabledSecurityControlIdentifiers: [] },
    });
    expect(sh.associations[org().root.id]).toMatchObject({
      ConfigurationPolicyId: policies[0].Id,
      TargetType: 'ROOT',
      AssociationStatus: 'SUCCESS',
    });
    for (const id of accountIds()) {
      for (const region of REGIONS) {
        const hub = store(b.emu, id, 'securityhub').hubs[region];
        expect(Object.keys(hub?.standards ?? {}), `${id} ${region}`).toEqual([FSBP(region)]);
      }
    }
  });

  it('makes exactly the Security Hub and Config calls it needs (counted for the report)', () => {
    const mine = b.first.mutatingCalls.filter(
      (c) =>
        c.service === 'securityhub' ||
        c.service === 'config' ||
        (c.service === 'iam' && c.operation === 'CreateServiceLinkedRole'),
    );
    const count = (op: string) => ops(mine).filter((o) => o === op).length;
    // Plus one organizations:EnableAWSServiceAccess for securityhub.amazonaws.com (trusted-access step).
    expect(Object.keys(org().serviceAccess)).toContain('securityhub.amazonaws.com');
    expect(count('iam:CreateServiceLinkedRole')).toBe(5);
    for (const op of [
      'config:PutConfigurationRecorder',
      'config:PutDeliveryChannel',
      'config:StartConfigurationRecorder',
    ])
      expect(count(op), op).toBe(10);
    for (const op of [
      'securityhub:EnableOrganizationAdminAccount',
      'securityhub:CreateFindingAggregator',
      'securityhub:UpdateOrganizationConfiguration',
      'securityhub:CreateConfigurationPolicy',
      'securityhub:StartConfigurationPolicyAssociation',
    ])
      expect(count(op), op).toBe(1);
    expect(mine).toHaveLength(5 + 30 + 5);
    const reads = b.first.calls.filter((c) => !c.mutating && (c.service === 'securityhub' || c.service === 'config'));
    console.log(
      `security-hub e2e: fresh bootstrap ${Math.round((Date.now() - t0) / 1000)} s; Security Hub + Config: ${mine.length} mutating calls (+1 trusted access), ${reads.length} reads`,
    );
  });

  it('a second run makes zero mutating calls, and verify finds nothing', async () => {
    const r = await runCli(['--yes', '--config', CONFIG], { emu: b.emu, dir: b.dir });
    expect(r.code, explain(r)).toBe(0);
    expect(ops(r.mutatingCalls), explain(r)).toEqual([]);
    const v = await verifyJson(b);
    expect(v.code, explain(v.run)).toBe(0);
    expect(
      v.checks
        .filter((c) => ['config-recording', 'security-hub'].includes(c.step))
        .map((c) => `${c.step} ${c.status} ${c.controls.join(',')}`),
    ).toEqual(['config-recording ok SSB ACCT.15', 'security-hub ok SSB ACCT.15']);
  });
});

describe("drift behind the tool's back is reported by verify and repaired by the next run", () => {
  it("a recorder stopped, a delivery channel deleted, the root's policy association removed", async () => {
    const prod = b.ids.prod!;
    const dev = b.ids.dev!;
    const audit = b.ids.audit!;
    await driftRound(b, {
      drifts: [
        () => b.emu.drift('config', 'recorder-stopped', { account: prod, region: OTHER }),
        () => b.emu.drift('config', 'delivery-channel-deleted', { account: dev, region: HOME }),
        () => b.emu.drift('securityhub', 'policy-disassociated', {}),
      ],
      checks: [
        {
          title: CONFIG_TITLE,
          controls: ['SSB ACCT.15'],
          findings: [
            /~ config-service:StartConfigurationRecorder prod us-east-1 \(recording is stopped\)/,
            /\+ config-service:PutDeliveryChannel dev eu-west-1 \(no delivery channel; deliver to acme-robotics-org-trail-\d+\/config\/\)/,
            /~ config-service:StartConfigurationRecorder dev eu-west-1 \(recording is stopped\)/,
          ],
        },
        {
          title: HUB_TITLE,
          controls: ['SSB ACCT.15'],
          findings: [
            /\+ securityhub:StartConfigurationPolicyAssociation secure-start-security-hub → the organization root \(the root has no configuration policy\)/,
          ],
        },
      ],
      repair: [
        `config:StartConfigurationRecorder@${prod}/${OTHER}`,
        `config:PutDeliveryChannel@${dev}/${HOME}`,
        `config:StartConfigurationRecorder@${dev}/${HOME}`,
        `securityhub:StartConfigurationPolicyAssociation@${audit}/${HOME}`,
      ],
    });
    expect(store(b.emu, dev, 'config').regions[HOME]).toMatchObject({
      recorder: { recording: true },
      channel: { s3BucketName: bucket(), s3KeyPrefix: 'config' },
    });
    expect(store(b.emu, MGMT, 'securityhub').org.associations[org().root.id]).toMatchObject({
      AssociationStatus: 'SUCCESS',
    });
  });

  it('Security Hub turned off in one account and region, the standard disabled in another: the policy is applied again', async () => {
    const prod = b.ids.prod!;
    const dev = b.ids.dev!;
    const { repair } = await driftRound(b, {
      drifts: [
        () => b.emu.drift('securityhub', 'hub-disabled', { account: prod, region: OTHER }),
        () => b.emu.drift('securityhub', 'standard-disabled', { account: dev, region: HOME }),
      ],
      checks: [
        {
          title: HUB_TITLE,
          controls: ['SSB ACCT.15'],
          findings: [
            /~ securityhub:StartConfigurationPolicyAssociation secure-start-security-hub → the organization root \(apply it again: prod us-east-1 has Security Hub off, dev eu-west-1 has the standard off\)/,
          ],
        },
      ],
      repair: [`securityhub:StartConfigurationPolicyAssociation@${b.ids.audit}/${HOME}`],
    });
    expect(repair.mutatingCalls.map(where)).toHaveLength(1);
    expect(Object.keys(store(b.emu, prod, 'securityhub').hubs[OTHER]?.standards ?? {})).toEqual([FSBP(OTHER)]);
    expect(Object.keys(store(b.emu, dev, 'securityhub').hubs[HOME]?.standards ?? {})).toEqual([FSBP(HOME)]);
    console.log(`security-hub e2e: whole file so far ${Math.round((Date.now() - t0) / 1000)} s`);
  });
});
