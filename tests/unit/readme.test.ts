// The README is the package's page (issue 15): it stands alone (links go to the web or to its
// own headings, never to files beside it), gives the two commands that work from a clone and
// the one for an old Node, and answers what a founder asks before a real run. Its cost table
// and the plan's cost notes name the same things.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { planNotes } from '../../ui/plan-view.js';
import { stepsFor } from '../../steps/index.js';
import { resolveBaseline } from '../../config/load.js';
import { npxWithNode } from '../../scripts/node-version.mjs';
import type { RunResult, StepResult } from '../../engine/engine.js';
import type { ActionView } from '../../engine/io.js';

const root = join(__dirname, '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

/** Every [text](target) link of a markdown text that is not a web address or one of its own headings. */
export function linksLeaving(markdown: string): string[] {
  const text = markdown.replace(/```[\s\S]*?```/g, '');
  const anchors = new Set([...text.matchAll(/^#+ (.+)$/gm)].map((m) => anchorOf(m[1]!)));
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((t) => {
      if (/^https:\/\//.test(t)) return false;
      if (t.startsWith('#')) return !anchors.has(t.slice(1));
      return true;
    });
}

describe('the README stands alone', () => {
  test('the link check finds a link to a file and to a heading that does not exist', () => {
    expect(
      linksLeaving(
        '# A b\n[x](../shared/design/BASELINE.md) [y](#a-b) [z](#nope) [w](https://aws.amazon.com) [v](config/schema.ts)',
      ),
    ).toEqual(['../shared/design/BASELINE.md', '#nope', 'config/schema.ts']);
  });

  test('no link leaves the package page; in-page links reach a heading', () => {
    expect(linksLeaving(readme)).toEqual([]);
    expect(readme).not.toContain('../');
  });

  test('two commands from a clone, how long the tests take and a fast subset; the npx path for later', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(readme).toContain('npm ci && npm run demo');
    expect(pkg.scripts.demo).toMatch(/npm run build && node dist\/secure-start\.js demo/);
    expect(readme).toMatch(/`npm test` takes about \d+ minutes on a 2-core machine/);
    expect(readme).toContain('npm run test:unit');
    expect(pkg.scripts['test:unit']).toMatch(/vitest run tests\/unit/);
    expect(readme).toContain('npx secure-start demo');
    // The old-Node line is the one the CLI itself prints.
    expect(readme).toContain(npxWithNode(['plan']));
  });

  test('what a founder asks before a real run: time, money, what cannot be undone, how to start over', () => {
    for (const h of ['How long it takes', 'What it costs per month', 'What cannot be undone', 'Start over / undo'])
      expect(readme).toMatch(new RegExp(`^### ${h.replace('/', '\\/')}$`, 'm'));
    const undo = readme.slice(readme.indexOf('### Start over / undo'), readme.indexOf('## Use it'));
    // In order: the trail, Identity Center, the SCPs, budget/anomaly, the accounts, the organization, this machine.
    const order = [
      'organization trail',
      'Identity Center',
      'The SCPs',
      'budget and anomaly monitor',
      'member accounts',
      'The organization**',
      'On your machine',
    ].map((t) => undo.indexOf(t));
    expect(
      order.every((i) => i >= 0),
      JSON.stringify(order),
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(undo).toMatch(/suspended for 90 days/);
  });

  test("the cost table names what the plan's cost notes name", () => {
    const call = (service: string, operation: string): ActionView => ({
      step: 's',
      kind: 'call',
      symbol: '+',
      service,
      operation,
      input: {},
      account: 'management',
      region: 'us-east-1',
      summary: `+ ${operation}`,
      controls: [],
    });
    const step = (actions: ActionView[]): StepResult => ({
      id: 's',
      title: 'S',
      controls: [],
      status: 'changed',
      actions,
      manual: [],
      ms: 0,
    });
    const all: RunResult = {
      mode: 'plan',
      offline: true,
      interrupted: false,
      exitCode: 0,
      steps: [
        step([
          call('organizations', 'CreateOrganization'),
          call('organizations', 'CreateAccount'),
          call('cloudtrail', 'CreateTrail'),
          call('kms', 'CreateKey'),
          call('budgets', 'CreateBudget'),
          call('cost-explorer', 'CreateAnomalyMonitor'),
          call('guardduty', 'EnableOrganizationAdminAccount'),
          call('accessanalyzer', 'CreateAnalyzer'),
          call('securityhub', 'EnableOrganizationAdminAccount'),
          call('config-service', 'PutConfigurationRecorder'),
          call('ec2', 'DeleteVpc'),
        ]),
      ],
    };
    const costs = readme.slice(
      readme.indexOf('### What it costs per month'),
      readme.indexOf('### What cannot be undone'),
    );
    const label: Record<string, RegExp> = {
      CloudTrail: /CloudTrail/,
      'KMS key for the trail logs': /KMS key for the trail logs/,
      Budgets: /budget/,
      'Cost Anomaly Detection': /Cost Anomaly Detection/,
      'New accounts': /new member accounts/,
      'Organizations, SCPs and IAM Identity Center': /Organizations, SCPs, IAM Identity Center/,
      GuardDuty: /GuardDuty/,
      'IAM Access Analyzer (external access)': /IAM Access Analyzer/,
      'Security Hub': /Security Hub/,
      'AWS Config': /AWS Config/,
      'Deleting unused default VPCs': /default VPCs/,
    };
    const notes = planNotes(all).money;
    expect(notes).toHaveLength(Object.keys(label).length);
    for (const n of notes) {
      const key = Object.keys(label).find((k) => n.startsWith(`${k}:`));
      expect(key, n).toBeDefined();
      expect(costs).toMatch(label[key!]!);
    }
    // The KMS figures are the plan's.
    expect(notes.join(' ')).toContain('1 USD a month');
    expect(costs).toContain('at most 3 USD a month');
  });

  test('"What it covers": all 18 SSB lines, and every one said to be built is a control some step claims', () => {
    const table = readme.slice(readme.indexOf('## What it covers'), readme.indexOf('## Try it'));
    const rows = [...table.matchAll(/^\| (ACCT\.\d\d|WKLD\.\d\d) [^|]*\| [^|]+ \| ([^|]+) \|$/gm)].map((m) => ({
      id: `SSB ${m[1]}`,
      how: m[2]!.trim(),
    }));
    expect(rows.map((r) => r.id)).toEqual([
      ...Array.from({ length: 17 }, (_, i) => `SSB ACCT.${String(i + 1).padStart(2, '0')}`),
      'SSB WKLD.08',
    ]);
    expect(table).toContain('18 of 18');
    // Everything on (the asked options too): each automated, asked or guided line is a step's control.
    const b = resolveBaseline(JSON.parse(readFileSync(join(root, 'tests/fixtures/config/basic.json'), 'utf8')), {
      placeholders: false,
    });
    const all = {
      ...b,
      scps: { ...b.scps, regionGuard: true },
      securityHub: { enabled: true },
      defaultVpcs: { memberAccounts: true, managementAccount: true },
    };
    const claimed = new Set(stepsFor(all).flatMap((s) => s.controls));
    for (const r of rows.filter((x) => x.how !== 'advice')) expect(claimed.has(r.id), `${r.id} (${r.how})`).toBe(true);
    // Advice is given, never claimed as a control.
    const advice = rows.filter((x) => x.how === 'advice').map((x) => x.id);
    expect(advice).toEqual(['SSB ACCT.12']);
    expect(claimed.has('SSB ACCT.12')).toBe(false);
    expect(stepsFor(all).some((s) => s.title.includes('ACCT.12'))).toBe(true);
  });

  test('the performance tables live in bench/README.md; the README keeps a summary', () => {
    const bench = readFileSync(join(root, 'bench/README.md'), 'utf8');
    expect(bench).toContain('| figure | median | target | |');
    expect(bench).toMatch(/^## How it is measured$/m);
    expect(readme).not.toContain('| figure | median | target | |');
    expect(readme).toMatch(/^## Performance$/m);
    expect(readme).toContain('`bench/README.md`');
    expect(existsSync(join(root, 'bench/run.mjs'))).toBe(true);
  });
});
