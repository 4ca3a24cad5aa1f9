// The client factory against the emulator over real HTTP: per-service in-flight cap and the
// read-only guard. Endpoints come from AWS_ENDPOINT_URL, as for the CLI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { AwsFactory, ReadOnlyViolation } from '../../aws/factory.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ scenario: 'org-exists+iam-user' });
  Object.assign(process.env, emu.env());
});
afterAll(() => emu.stop());

/** Highest number of calls the emulator was serving at the same moment. */
function peakOverlap(calls: { time: string; durationMs: number | null }[]): number {
  const edges = calls.flatMap((c) => {
    const start = Date.parse(c.time);
    return [
      [start, 1],
      [start + (c.durationMs ?? 0), -1],
    ] as const;
  });
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, d] of edges) peak = Math.max(peak, (now += d));
  return peak;
}

describe('AwsFactory', () => {
  it('never has more than maxInFlightPerService requests in flight for one service', async () => {
    emu.clearCalls();
    emu.setFaults([{ service: 'organizations', kind: 'latency', delayMs: 60 }]);
    const aws = new AwsFactory({ region: 'us-east-1', readOnly: false, maxInFlightPerService: 3 });
    await Promise.all(Array.from({ length: 12 }, () => aws.call('organizations', 'DescribeOrganization', {})));
    emu.clearFaults();
    const calls = emu.calls({ service: 'organizations', operation: 'DescribeOrganization' });
    expect(calls).toHaveLength(12);
    expect(peakOverlap(calls)).toBeLessThanOrEqual(3);
    expect(aws.peakInFlight().organizations).toBe(3);
  });

  it('services do not share a budget: another service still runs while one is saturated', async () => {
    emu.clearCalls();
    emu.setFaults([{ service: 'organizations', kind: 'latency', delayMs: 300 }]);
    const aws = new AwsFactory({ region: 'us-east-1', readOnly: false, maxInFlightPerService: 1 });
    const slow = Promise.all([
      aws.call('organizations', 'DescribeOrganization', {}),
      aws.call('organizations', 'DescribeOrganization', {}),
    ]);
    await aws.call('sts', 'GetCallerIdentity', {});
    // STS answered while organizations was still busy with its first call.
    expect(emu.calls({ service: 'organizations' }).filter((c) => c.durationMs !== null)).toHaveLength(0);
    await slow;
    emu.clearFaults();
  });

  it("settings read once for every client still reach every client (the config file's application ID)", async () => {
    // The factory looks up such settings with its first client and hands them to the others
    // (sharedSettings): a client made later, for another service or region, must send the same.
    const dir = mkdtempSync(join(tmpdir(), 'ss-appid-'));
    writeFileSync(join(dir, 'config'), '[default]\nsdk_ua_app_id = acme-founders\n');
    const saved = process.env.AWS_CONFIG_FILE;
    process.env.AWS_CONFIG_FILE = join(dir, 'config');
    try {
      emu.clearCalls();
      const aws = new AwsFactory({ region: 'us-east-1', readOnly: false });
      await aws.call('sts', 'GetCallerIdentity', {});
      await Promise.all([
        aws.call('organizations', 'DescribeOrganization', {}),
        aws.call('ec2', 'GetEbsEncryptionByDefault', {}, { region: 'eu-west-1' }),
        aws.call('ec2', 'GetEbsEncryptionByDefault', {}, { region: 'us-east-1' }),
      ]);
      aws.destroy();
      const calls = emu.calls();
      expect(calls).toHaveLength(4);
      expect(calls.map((c) => c.appId)).toEqual(['acme-founders', 'acme-founders', 'acme-founders', 'acme-founders']);
    } finally {
      if (saved === undefined) delete process.env.AWS_CONFIG_FILE;
      else process.env.AWS_CONFIG_FILE = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a transient error is retried beyond 8 attempts (up to 10)', { timeout: 90_000 }, async () => {
    // Eight 503s in a row: the ninth attempt answers (8 attempts, the old limit, would fail).
    emu.clearCalls();
    emu.setFaults([{ service: 'sts', operation: 'GetCallerIdentity', kind: 'unavailable', times: 8 }]);
    const aws = new AwsFactory({ region: 'us-east-1', readOnly: false });
    try {
      const me = await aws.call('sts', 'GetCallerIdentity', {});
      expect(me.Account).toMatch(/^\d{12}$/);
      expect(emu.calls({ service: 'sts', operation: 'GetCallerIdentity' })).toHaveLength(9);
    } finally {
      emu.clearFaults();
      aws.destroy();
    }
  });

  it('refuses a write in read-only mode before anything is sent', async () => {
    emu.clearCalls();
    const aws = new AwsFactory({ region: 'us-east-1', readOnly: true });
    await expect(
      aws.call('organizations', 'CreateOrganizationalUnit', { ParentId: 'r-x', Name: 'X' }),
    ).rejects.toBeInstanceOf(ReadOnlyViolation);
    expect(emu.calls()).toHaveLength(0);
  });
});
