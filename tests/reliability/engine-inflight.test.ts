// Found by the crash matrix: a run killed while CreateAccount was in flight left the request in
// the state file; the next run found the account finished (nothing to do) but never forgot the
// request, so `status` said "waiting on AWS" forever. A step that settles clears its own
// in-flight records; other steps' records, and a step that is still blocked, keep theirs.
import { expect, test } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
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
    throw new Error('no AWS here');
  },
  pages: async () => {
    throw new Error('no AWS here');
  },
};
const inflight = (step: string, key: string) => ({
  step,
  service: 'organizations',
  operation: 'CreateAccount',
  requestId: `car-${key}`,
  key,
  startedAt: '2026-11-23T00:00:00Z',
});
const manual: Action = {
  kind: 'manual',
  symbol: '!',
  service: 'console',
  operation: 'EnableThing',
  input: {},
  target: { account: 'management', region: 'us-east-1' },
  summary: '! enable the thing',
  manual: { instructions: ['click'], why: 'because', link: 'https://example.com', blocking: true },
};
const step = (id: string, planned: Action[] = []): Step<null> => ({
  id,
  title: id,
  needs: [],
  controls: [],
  observe: async () => null,
  fresh: () => null,
  plan: () => planned,
});

test('a settled step forgets its own stale in-flight requests, and only its own', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'ss-inflight-')), 'state.json');
  const state = StateStore.open(path, 'test');
  state.data.inflight = {
    'account:a@x.example': inflight('accounts', 'account:a@x.example'),
    'ic:thing': inflight('waiting', 'ic:thing'),
    'other:thing': inflight('not-run', 'other:thing'),
  };
  await state.save();
  const e = new Engine({
    steps: [step('accounts'), step('waiting', [manual])],
    want,
    state,
    io: new RecordingIoHost(),
  });
  const r = await e.run({ mode: 'apply', aws: noAws, readAws: noAws });
  expect(r.steps.map((s) => [s.id, s.status])).toEqual([
    ['accounts', 'ok'],
    ['waiting', 'blocked'],
  ]);
  const saved = JSON.parse(readFileSync(path, 'utf8'));
  expect(Object.keys(saved.inflight).sort()).toEqual(['ic:thing', 'other:thing']);
});

test('plan and verify never drop in-flight records (they write nothing)', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'ss-inflight-')), 'state.json');
  const state = StateStore.open(path, 'test');
  state.data.inflight = { 'account:a@x.example': inflight('accounts', 'account:a@x.example') };
  await state.save();
  const before = readFileSync(path, 'utf8');
  for (const mode of ['plan', 'verify'] as const) {
    const e = new Engine({ steps: [step('accounts')], want, state, io: new RecordingIoHost() });
    await e.run({ mode, aws: noAws, readAws: noAws });
  }
  expect(readFileSync(path, 'utf8')).toBe(before);
  expect(Object.keys(state.data.inflight)).toEqual(['account:a@x.example']);
});
