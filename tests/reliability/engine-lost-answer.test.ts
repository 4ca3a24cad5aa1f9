// Found by the fault tests: when the answer to CreateAnomalySubscription was lost after AWS had
// applied it, the SDK sent it again and a second subscription appeared. The factory no longer
// resends such creates (aws/factory.ts NO_BLIND_RETRY); it reports an unknown outcome, and the
// engine observes again instead of failing: what happened is found, what did not is redone.
import { expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../engine/engine.js';
import { RecordingIoHost } from '../../engine/io.js';
import { StateStore } from '../../state/store.js';
import { resolveBaseline } from '../../config/load.js';
import type { Action, Step } from '../../steps/contract.js';
import type { AwsApi } from '../../aws/factory.js';

const want = resolveBaseline({}, { placeholders: true });
const noAws: AwsApi = {
  call: async () => {
    throw new Error('no AWS');
  },
  pages: async () => {
    throw new Error('no AWS');
  },
};
const lost = () =>
  Object.assign(new Error('cost-explorer:CreateAnomalySubscription was sent but its answer was lost (ECONNRESET)'), {
    name: 'UnknownOutcome',
  });

function world(failures: ('applied-then-lost' | 'lost' | 'denied')[]) {
  const have: string[] = [];
  let calls = 0;
  const create: Action = {
    kind: 'call',
    symbol: '+',
    service: 'cost-explorer',
    operation: 'CreateAnomalySubscription',
    input: {},
    target: { account: 'management', region: 'us-east-1' },
    summary: '+ subscription',
    async run() {
      calls++;
      const f = failures.shift();
      if (f === 'lost') throw lost();
      if (f === 'denied') throw Object.assign(new Error('no'), { name: 'AccessDeniedException' });
      have.push('subscription');
      if (f === 'applied-then-lost') throw lost();
    },
  };
  const step: Step<number> = {
    id: 'anomaly',
    title: 'anomaly',
    needs: [],
    controls: [],
    observe: async () => have.length,
    fresh: () => 0,
    plan: (_w, n) => (n ? [] : [create]),
  };
  const run = () =>
    new Engine({
      steps: [step],
      want,
      state: StateStore.open(join(mkdtempSync(join(tmpdir(), 'ss-lost-')), 's.json'), 't'),
      io: new RecordingIoHost(),
    }).run({ mode: 'apply', aws: noAws, readAws: noAws });
  return { have, run, calls: () => calls };
}

test('applied, answer lost: observe finds it, nothing is created twice, the step succeeds', async () => {
  const w = world(['applied-then-lost']);
  const r = await w.run();
  expect(r.exitCode).toBe(0);
  expect(w.have).toEqual(['subscription']);
  expect(w.calls()).toBe(1);
});

test('not applied, answer lost: observe sees nothing, it is created once', async () => {
  const w = world(['lost']);
  const r = await w.run();
  expect(r.exitCode).toBe(0);
  expect(w.have).toEqual(['subscription']);
  expect(w.calls()).toBe(2);
});

test('a real error still fails the step at once', async () => {
  const w = world(['denied']);
  const r = await w.run();
  expect(r.steps[0]!.status).toBe('failed');
  expect(w.calls()).toBe(1);
});
