// Optional S3 Object Lock on the trail bucket: off by default (the step is not in the graph),
// a default retention when asked for, drift in mode or days repaired for new log files.
import { describe, expect, it } from 'vitest';
import { logArchiveObjectLock, objectLockMeaning } from '../../../steps/log-archive-object-lock.js';
import { stepsFor } from '../../../steps/index.js';
import { ACCOUNTS, awsErr, basic, brief, fakeCtx, KNOWN } from './fixtures.js';

const LA = ACCOUNTS['log-archive']!;
const BUCKET = `acme-robotics-org-trail-${LA}`;
const on = (mode: 'governance' | 'compliance', days = 365) => {
  const w = basic();
  w.trail.objectLock = { mode, days };
  return w;
};

describe('log-archive-object-lock', () => {
  it('is left out of the graph when off (the default), and the trail does not wait for it', () => {
    const ids = stepsFor(basic()).map((s) => s.id);
    expect(ids).not.toContain('log-archive-object-lock');
    expect(stepsFor(basic()).find((s) => s.id === 'org-trail')!.needs).not.toContain('log-archive-object-lock');
    const withLock = stepsFor(on('compliance'));
    expect(withLock.find((s) => s.id === 'log-archive-object-lock')!.title).toBe(
      'S3 Object Lock on the trail bucket (compliance, 365 days)',
    );
    expect(withLock.find((s) => s.id === 'org-trail')!.needs).toContain('log-archive-object-lock');
  });

  it('compliance: a default retention on the bucket, and the summary says nobody can delete and it never turns off', () => {
    const want = on('compliance', 400);
    const [a] = logArchiveObjectLock.plan(want, { account: LA, bucket: BUCKET, lock: null });
    expect(brief([a!])).toEqual([
      {
        symbol: '+',
        op: 's3:PutObjectLockConfiguration',
        input: {
          Bucket: BUCKET,
          ObjectLockConfiguration: {
            ObjectLockEnabled: 'Enabled',
            Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 400 } },
          },
        },
      },
    ]);
    expect(a!.target).toEqual({ account: LA, region: 'eu-west-1' });
    expect(a!.summary).toContain(
      "no one, not even the management account's root user, can delete or overwrite a log file version for 400 days",
    );
    expect(a!.summary).toContain('Object Lock can never be turned off on this bucket');
    expect(
      logArchiveObjectLock.plan(want, { account: LA, bucket: BUCKET, lock: { mode: 'COMPLIANCE', days: 400 } }),
    ).toEqual([]);
  });

  it('governance says who can still bypass it; a changed mode or days is put back for new files', () => {
    expect(objectLockMeaning(on('governance', 30))).toContain(
      "except by someone allowed to bypass governance retention (in this setup: the management account's administrators",
    );
    const [a] = logArchiveObjectLock.plan(on('governance', 30), {
      account: LA,
      bucket: BUCKET,
      lock: { mode: 'COMPLIANCE', days: 30 },
    });
    expect(a!.symbol).toBe('~');
    expect(a!.summary).toContain(
      'default retention was COMPLIANCE 30 days; GOVERNANCE 30 days for log files written from now on',
    );
  });

  it('observe reads the configuration (none: ObjectLockConfigurationNotFoundError) once the bucket is known', async () => {
    const none = fakeCtx(on('compliance'), () => awsErr('ObjectLockConfigurationNotFoundError', 404), {
      ...KNOWN,
      'trail.bucket': BUCKET,
    });
    expect(await logArchiveObjectLock.observe(none.ctx)).toEqual({ account: LA, bucket: BUCKET, lock: null });
    const some = fakeCtx(
      on('compliance'),
      () => ({
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } },
        },
      }),
      { ...KNOWN, 'trail.bucket': BUCKET },
    );
    expect(await logArchiveObjectLock.observe(some.ctx)).toEqual({
      account: LA,
      bucket: BUCKET,
      lock: { mode: 'COMPLIANCE', days: 365 },
    });
    expect(some.calls.map((c) => [c.op, c.target])).toEqual([
      ['GetObjectLockConfiguration', { account: LA, region: 'eu-west-1' }],
    ]);
  });
});
