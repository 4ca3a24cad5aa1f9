import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createElement } from 'react';
import { renderToString } from 'ink';
import { describe, expect, test } from 'vitest';
import { StateStore } from '../../state/store.js';
import { statusModel, stepOfOutput } from '../../ui/commands/status.js';
import { StatusView } from '../../ui/status-view.js';

function store() {
  const s = StateStore.open(join(mkdtempSync(join(tmpdir(), 'ss-status-')), 'secure-start.state.json'), 'test');
  s.data.managementAccountId = '123456789012';
  s.data.answers = { accounts: [{ name: 'prod', ou: 'Prod' }] };
  s.data.outputs = {
    'org.id': 'o-abc',
    'ou.Security.id': 'ou-1',
    'prod.accountId': '111100000001',
    'sso.startUrl': 'https://d-1.awsapps.com/start',
    'trail.bucket': 'acme-trail',
  };
  s.data.steps = {
    organization: { status: 'done', at: 'x' },
    accounts: { status: 'failed', at: 'x', error: 'quota reached' },
  };
  s.data.inflight = {
    'ops+aws-prod@acme.example': {
      step: 'accounts',
      service: 'organizations',
      operation: 'CreateAccount',
      requestId: 'car-1',
      key: 'ops+aws-prod@acme.example',
      startedAt: 't',
    },
  };
  return s;
}

describe('status', () => {
  test('outputs belong to the step that made them', () => {
    // From each step's `outputs`: the first step in the list whose pattern matches.
    expect(stepOfOutput('org.rootId')).toBe('organization');
    expect(stepOfOutput('prod.accountId')).toBe('accounts');
    expect(stepOfOutput('management.accountId')).toBe('preflight');
    expect(stepOfOutput('permissionSet.ReadOnly.arn')).toBe('permission-sets');
    expect(stepOfOutput('trail.bucket')).toBe('log-archive-bucket');
    expect(stepOfOutput('trail.keyArn')).toBe('trail-key');
    expect(stepOfOutput('trustedAccess.sso.amazonaws.com')).toBe('trusted-access');
    expect(stepOfOutput('something.else')).toBeUndefined();
  });

  test('the model: graph order and depth, saved status, resources, in-flight requests', () => {
    const m = statusModel(store());
    const ids = m.steps.map((s) => s.id);
    expect(ids.indexOf('organization')).toBeLessThan(ids.indexOf('accounts'));
    const accounts = m.steps.find((s) => s.id === 'accounts')!;
    expect(accounts.depth).toBeGreaterThan(m.steps.find((s) => s.id === 'organization')!.depth);
    expect(accounts).toMatchObject({
      saved: 'failed',
      error: 'quota reached',
      resources: [['prod.accountId', '111100000001']],
    });
    expect(m.inflight).toEqual(['organizations:CreateAccount ops+aws-prod@acme.example (request car-1, since t)']);
  });

  test("a step the state file calls done but AWS does not have: never a ✓, and its IDs are marked as the state file's", () => {
    const s = store();
    const m = statusModel(s);
    const out = renderToString(
      createElement(StatusView, {
        model: m,
        live: {
          organization: { live: 'drift', detail: '1 difference: + organizations:CreateOrganization (all features)' },
        },
      }),
      { columns: 120 },
    );
    expect(out).not.toMatch(/✓ AWS Organization/);
    expect(out).toMatch(/~ AWS Organization with all features +state file: done · AWS: drift/);
    expect(out).toContain('org.id = o-abc (state file; AWS differs, see above)');
  });

  test('the ink view renders the graph with saved and live status', () => {
    const m = statusModel(store());
    const out = renderToString(
      createElement(StatusView, {
        model: m,
        live: { organization: { live: 'ok' }, accounts: { live: 'drift', detail: '1 difference' } },
        footer: 'AWS: 1 step drifted.',
      }),
      { columns: 100 },
    );
    expect(out).toContain('secure-start status');
    // Where each fact comes from: the state file, then AWS; the mark follows AWS once it was read.
    expect(out).toMatch(/✓ AWS Organization with all features +state file: done · AWS: ok/);
    expect(out).toMatch(/~ Member accounts, each in its OU +state file: failed · AWS: drift/);
    expect(out).toContain('AWS: 1 difference');
    expect(out).toContain('quota reached');
    expect(out).toContain('prod.accountId = 111100000001 (state file; AWS differs, see above)');
    expect(out).toContain('org.id = o-abc (state file)');
    expect(out).toContain('Waiting on AWS');
    expect(out).toContain('AWS: 1 step drifted.');
  });
});
