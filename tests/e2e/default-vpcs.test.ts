// Default VPCs (SSB ACCT.09) end to end, on one bootstrap: a fresh run deletes the default VPC
// in every region of every member account and leaves the management account's alone; one a
// network interface uses (put there while the run creates the accounts, before this step looks)
// is kept and reported as advice; a second run writes nothing and reads one DescribeVpcs per
// account-region; a default VPC recreated behind the tool's back is drift `verify` names (exit
// 4) and the next run deletes it.
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BASIC_CONFIG,
  explain,
  removeDir,
  runCli,
  startEmu,
  type CallRecord,
  type CliResult,
  type Emulator,
} from '../helpers/harness.js';
import { HOME, MGMT, driftRound, store, verifyJson, world, type Built } from '../helpers/baseline-drift.js';
import { DEFAULT_ENABLED_REGIONS } from '../../steps/lib/default-regions.js';
import { join } from 'node:path';

/** basic.json with the default VPC deletion on (basic.json leaves it off for the other files). */
const CONFIG = join(BASIC_CONFIG, '../vpcs.json');

const MEMBERS = ['log-archive', 'audit', 'prod', 'dev'];
const VPC_READS = ['DescribeVpcs', 'DescribeNetworkInterfaces', 'DescribeSubnets', 'DescribeInternetGateways'];
const VPC_WRITES = ['DetachInternetGateway', 'DeleteInternetGateway', 'DeleteSubnet', 'DeleteVpc'];
const BUSY_REGION = 'us-east-1';

let b: Built;
/** The network interface put into prod's default VPC in us-east-1 during the first run. */
let busy: { account: string; region: string; vpcId: string } | undefined;

const ec2Calls = (r: CliResult, ops: string[]) =>
  r.calls.filter((c: CallRecord) => c.service === 'ec2' && ops.includes(c.operation));
const net = (account: string, region: string) => store(b.emu, account, 'ec2')?.network?.[region];

beforeAll(async () => {
  const emu: Emulator = await startEmu({ scenario: 'fresh+iam-user' });
  emu.setRootMfa(true);
  emu.enableIdentityCenter(HOME);
  // Someone starts using prod's default VPC as soon as the account exists: the first
  // Organizations move after prod is created (the accounts step, which this step needs).
  emu.checkpoints((c) => {
    if (busy || c.when !== 'after' || c.operation !== 'MoveAccount') return;
    const prod = Object.values(world(emu).accounts as Record<string, { id: string; name: string }>).find(
      (a) => a.name === 'prod',
    );
    if (prod)
      busy = emu.drift('ec2', 'network-interface-added', { account: prod.id, region: BUSY_REGION }) as typeof busy;
  });
  const first = await runCli(['--yes', '--config', CONFIG], { emu });
  emu.checkpoints(null);
  expect(first.code, explain(first)).toBe(0);
  const ids = Object.fromEntries(
    Object.values(world(emu).accounts as Record<string, { id: string; name: string }>)
      .filter((a) => a.id !== MGMT)
      .map((a) => [a.name, a.id]),
  );
  b = { emu, dir: first.dir, first, ids, config: CONFIG };
}, 90_000);
afterAll(async () => {
  await b?.emu.stop();
  if (b) removeDir(b.dir);
});

describe('a fresh bootstrap', () => {
  it('deletes the default VPC, its subnets and internet gateway in every region of every member account', () => {
    expect(busy?.account).toBe(b.ids.prod);
    for (const name of MEMBERS) {
      for (const region of DEFAULT_ENABLED_REGIONS) {
        if (name === 'prod' && region === BUSY_REGION) continue;
        const n = net(b.ids[name]!, region);
        expect(n, `${name} ${region}`).toBeDefined();
        expect([Object.keys(n.vpcs), Object.keys(n.subnets), Object.keys(n.igws)], `${name} ${region}`).toEqual([
          [],
          [],
          [],
        ]);
      }
    }
    const writes = ec2Calls(b.first, VPC_WRITES);
    expect(
      writes.every((c) => c.status === 200),
      explain(b.first),
    ).toBe(true);
    const count = (op: string) => writes.filter((c) => c.operation === op).length;
    const vpcs = MEMBERS.length * DEFAULT_ENABLED_REGIONS.length - 1;
    expect([
      count('DetachInternetGateway'),
      count('DeleteInternetGateway'),
      count('DeleteSubnet'),
      count('DeleteVpc'),
    ]).toEqual([vpcs, vpcs, 3 * vpcs, vpcs]);
    // What it cost: reads (DescribeRegions counted with account-hardening's) and writes.
    const reads = ec2Calls(b.first, VPC_READS);
    console.log(
      `default-vpcs, fresh bootstrap: ${writes.length} mutating calls, ${reads.length} VPC reads + ${ec2Calls(b.first, ['DescribeRegions']).length} DescribeRegions (shared count with account-hardening)`,
    );
  });

  it("keeps the management account's default VPCs (never without an explicit yes)", async () => {
    expect(
      b.first.calls.filter(
        (c) => c.account === MGMT && c.service === 'ec2' && [...VPC_READS, ...VPC_WRITES].includes(c.operation),
      ),
    ).toEqual([]);
    const ec2 = new EC2Client({ region: HOME, endpoint: b.emu.url, credentials: b.emu.credentials(), maxAttempts: 1 });
    try {
      const { Vpcs } = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
      expect(Vpcs?.map((v) => v.CidrBlock)).toEqual(['172.31.0.0/16']);
    } finally {
      ec2.destroy();
    }
  });

  it('keeps a default VPC something uses, and reports it as advice (plan, run and verify)', async () => {
    const n = net(b.ids.prod!, BUSY_REGION);
    expect(Object.keys(n.vpcs)).toEqual([busy!.vpcId]);
    expect(Object.keys(n.subnets)).toHaveLength(3);
    expect(Object.values(n.igws).map((g: any) => g.attachedVpcId)).toEqual([busy!.vpcId]);
    const advice = `Default VPC ${busy!.vpcId} in prod ${BUSY_REGION} kept: 1 network interface in it`;
    expect((b.first.stdout + b.first.stderr).replace(/\s+/g, ' ')).toContain(advice);
    const v = await verifyJson(b);
    expect(v.code, explain(v.run)).toBe(0);
    const check = v.checks.find((c) => c.step === 'default-vpcs') as any;
    expect(check).toMatchObject({ status: 'ok', controls: ['SSB ACCT.09'], findings: [] });
    expect(check.advice).toEqual([expect.stringContaining(advice)]);
    const plan = await runCli(['plan', '--config', CONFIG], { emu: b.emu, dir: b.dir });
    expect(plan.code, explain(plan)).toBe(0);
    expect(plan.stdout.replace(/\s+/g, ' ')).toContain(`${advice}`);
  });
});

describe('a second run', () => {
  it("writes nothing, and reads one DescribeVpcs per member account-region (plus the busy VPC's three)", async () => {
    const t0 = Date.now();
    const again = await runCli(['--yes', '--config', CONFIG], { emu: b.emu, dir: b.dir });
    expect(again.code, explain(again)).toBe(0);
    expect(again.mutatingCalls, explain(again)).toEqual([]);
    const reads = ec2Calls(again, VPC_READS);
    expect(reads.filter((c) => c.operation === 'DescribeVpcs')).toHaveLength(
      MEMBERS.length * DEFAULT_ENABLED_REGIONS.length,
    );
    expect(
      reads
        .filter((c) => c.operation !== 'DescribeVpcs')
        .map((c) => `${c.operation}@${c.account}/${c.region}`)
        .sort(),
    ).toEqual(
      ['DescribeInternetGateways', 'DescribeNetworkInterfaces', 'DescribeSubnets'].map(
        (op) => `${op}@${b.ids.prod}/${BUSY_REGION}`,
      ),
    );
    console.log(
      `default-vpcs, re-run: 0 mutating calls, ${reads.length} VPC reads + ${ec2Calls(again, ['DescribeRegions']).length} DescribeRegions (shared count with account-hardening); run ${Date.now() - t0} ms`,
    );
  });
});

describe('drift', () => {
  it('a recreated default VPC is named by verify (SSB ACCT.09, exit 4) and deleted by the next run', async () => {
    const dev = b.ids.dev!;
    let vpcId = '';
    const { repair } = await driftRound(b, {
      drifts: [
        () => {
          vpcId = (
            b.emu.drift('ec2', 'default-vpc-recreated', { account: dev, region: 'ap-south-1' }) as { vpcId: string }
          ).vpcId;
        },
      ],
      checks: [
        {
          title: 'Default VPCs',
          controls: ['SSB ACCT.09'],
          findings: [
            /- ec2:DetachInternetGateway dev ap-south-1 \(the default VPC's internet gateway\)/,
            /- ec2:DeleteInternetGateway dev ap-south-1 \(the default VPC's internet gateway\)/,
            /- ec2:DeleteSubnet dev ap-south-1a \(a default subnet\)/,
            /- ec2:DeleteSubnet dev ap-south-1b \(a default subnet\)/,
            /- ec2:DeleteSubnet dev ap-south-1c \(a default subnet\)/,
            new RegExp(`- ec2:DeleteVpc dev ap-south-1 \\(the default VPC ${vpcId || 'vpc-\\w+'}; nothing uses it\\)`),
          ],
        },
      ],
      repair: [
        'DetachInternetGateway',
        'DeleteInternetGateway',
        'DeleteSubnet',
        'DeleteSubnet',
        'DeleteSubnet',
        'DeleteVpc',
      ].map((op) => `ec2:${op}@${dev}/ap-south-1`),
    });
    expect(repair.mutatingCalls.map((c) => c.operation).at(-1)).toBe('DeleteVpc');
    const n = net(dev, 'ap-south-1');
    expect([Object.keys(n.vpcs), Object.keys(n.subnets), Object.keys(n.igws)]).toEqual([[], [], []]);
  });
});
