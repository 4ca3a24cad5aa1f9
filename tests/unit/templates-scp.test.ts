// The service control policies as AWS receives them: every template rendered for several
// configs is minified JSON under AWS's 5,120-character limit with nothing left unfilled, and
// every Deny exempts OrganizationAccountAccessRole — checked both on the text and by
// evaluating each statement, because the emulator does not evaluate SCPs.
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Baseline } from '../../config/schema.js';
import { AWS_REGIONS } from '../../config/regions.js';
import { renderTemplate, TEMPLATES, TemplateError } from '../../templates/render.js';
import { SCPS, scpContent, type ScpDef } from '../../steps/lib/org-scp-policies.js';
import { accountHardening } from '../../steps/account-hardening.js';
import { logArchiveBucket } from '../../steps/log-archive-bucket.js';
import { logArchiveObjectLock } from '../../steps/log-archive-object-lock.js';
import { trailKey } from '../../steps/trail-key.js';
import { denyingStatements, iamActionOf, type ScpRequest, type Statement } from '../helpers/scp-eval.js';
import { basic, fakeCtx } from './steps/fixtures.js';

const ROLE = 'OrganizationAccountAccessRole';
const MEMBER = '111100000003';
const accessRole = `arn:aws:iam::${MEMBER}:role/${ROLE}`;
const developer = `arn:aws:iam::${MEMBER}:role/Developer`;
const ssoAdmin = `arn:aws:iam::${MEMBER}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_0123456789abcdef`;
const memberRoot = `arn:aws:iam::${MEMBER}:root`;
const MAX = 5120;

/** Configs that change what the templates render: region sets, guard on/off, a 20-character slug. */
function variants(): { label: string; want: Baseline }[] {
  const out: { label: string; want: Baseline }[] = [];
  const regionSets: [string, string[]][] = [
    ['one region', ['eu-west-1']],
    ['two regions', ['eu-west-1', 'us-east-1']],
    ['five regions', ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2', 'ap-southeast-2']],
    ['every region', [...AWS_REGIONS]],
  ];
  for (const [label, regions] of regionSets) {
    for (const regionGuard of [false, true]) {
      const want = basic();
      want.allowedRegions = regions;
      want.homeRegion = regions[0]!;
      want.scps = { ...want.scps, regionGuard };
      want.org = { ...want.org, slug: label === 'every region' ? 'abcdefghij-klmnopqrs' : want.org.slug };
      out.push({ label: `${label}, region guard ${regionGuard ? 'on' : 'off'}`, want });
    }
  }
  return out;
}

const rendered = variants().flatMap(({ label, want }) =>
  SCPS.filter((d) => d.enabled(want)).map((def) => ({
    label: `${def.name} (${label})`,
    def,
    want,
    text: scpContent(def, want),
  })),
);

const statementsOf = (text: string): Statement[] => {
  const s = JSON.parse(text).Statement;
  return Array.isArray(s) ? s : [s];
};

/** A region that the config does not allow (a made-up one when every real region is allowed). */
const outsideRegion = (want: Baseline) => AWS_REGIONS.find((r) => !want.allowedRegions.includes(r)) ?? 'xx-nowhere-1';

describe('SCP templates render', () => {
  it('covers every template file and every policy of the baseline, region guard included', () => {
    const files = readdirSync(join(__dirname, '../../templates'))
      .filter((f) => /^scp-.*\.json$/.test(f))
      .map((f) => f.replace(/\.json$/, ''));
    expect(files.sort()).toEqual(SCPS.map((d) => d.template).sort());
    expect(Object.keys(TEMPLATES)).toEqual(expect.arrayContaining(files));
    expect(new Set(rendered.map((r) => r.def.name))).toEqual(new Set(SCPS.map((d) => d.name)));
    // The region guard is opt-in: off by default, rendered only when asked for.
    expect(SCPS.filter((d) => d.enabled(basic())).map((d) => d.name)).toEqual([
      'secure-start-guardrails',
      'secure-start-log-protection',
    ]);
  });

  for (const r of rendered) {
    it(`${r.label}: minified JSON, at most ${MAX} characters, nothing unfilled`, () => {
      const doc = JSON.parse(r.text);
      expect(r.text).toBe(JSON.stringify(doc)); // minified: AWS counts whitespace
      expect(r.text.length).toBeLessThanOrEqual(MAX);
      expect(r.text).not.toMatch(/\{\{/); // no template placeholder left
      expect(r.text).not.toMatch(/<[a-z0-9.+@-]+>/i); // no config placeholder like <org>
      expect(doc.Version).toBe('2012-10-17');
      const statements = statementsOf(r.text);
      expect(statements.length).toBeGreaterThan(0);
      expect(new Set(statements.map((s) => s.Sid)).size).toBe(statements.length);
      for (const s of statements) {
        expect(s.Effect).toBe('Deny'); // SCPs here only take away; FullAWSAccess grants
        expect(JSON.stringify(s)).not.toMatch(/"":|,""|\[""\]/); // no empty value left by a missing variable
      }
    });

    it(`${r.label}: every Deny exempts ${ROLE} by aws:PrincipalArn`, () => {
      for (const s of statementsOf(r.text).filter((x) => x.Effect === 'Deny')) {
        const exempt = [s.Condition?.ArnNotLike?.['aws:PrincipalArn'] ?? []].flat();
        expect(exempt, `${s.Sid} has no ArnNotLike aws:PrincipalArn exemption`).toContain(
          `arn:aws:iam::*:role/${ROLE}`,
        );
      }
    });
  }

  it('the region guard lists exactly the allowed regions and stays under the limit with every region allowed', () => {
    for (const { want } of variants().filter((v) => v.want.scps.regionGuard)) {
      const def = SCPS.find((d) => d.name === 'secure-start-region-guard')!;
      const s = statementsOf(scpContent(def, want))[0]!;
      expect(s.Condition!.StringNotEquals!['aws:RequestedRegion']).toEqual(want.allowedRegions);
    }
  });

  it('log protection names the trail bucket by pattern, whatever the log-archive account ID', () => {
    const want = basic();
    const text = scpContent(
      SCPS.find((d) => d.name === 'secure-start-log-protection')!,
      want,
    );
    expect(statementsOf(text).map((s) => s.Resource)).toEqual([
      'arn:aws:s3:::acme-robotics-org-trail-*',
      'arn:aws:s3:::acme-robotics-org-trail-*/*',
      '*',
    ]);
  });

  it("log protection already covers AWS Config's prefix (config/AWSLogs/…): it protects every object of the bucket", () => {
    const want = basic();
    const text = scpContent(
      SCPS.find((d) => d.name === 'secure-start-log-protection')!,
      want,
    );
    const obj = `arn:aws:s3:::${want.org.slug}-org-trail-111100000001/config/AWSLogs/111100000003/Config/eu-west-1/2025/1/1/ConfigHistory/x.json.gz`;
    for (const action of ['s3:DeleteObject', 's3:PutObject', 's3:DeleteObjectVersion']) {
      expect(
        denyingStatements(text, {
          action,
          resource: obj,
          context: { 'aws:PrincipalArn': ssoAdmin, 'aws:RequestedRegion': want.homeRegion },
        }).map((s) => s.Sid),
        action,
      ).toEqual(['ProtectTrailLogs']);
    }
  });
});

/**
 * For each statement, a request it exists to deny (for an ordinary principal in a member
 * account). Every statement of every template must have one here, so a new statement cannot
 * skip the exemption check below.
 */
function witness(def: ScpDef, sid: string, want: Baseline): ScpRequest {
  const region = want.homeRegion;
  const bucket = `${want.org.slug}-org-trail-111100000001`;
  const ctx = (principal: string, extra: Record<string, string> = {}) => ({
    'aws:PrincipalArn': principal,
    'aws:RequestedRegion': region,
    ...extra,
  });
  const table: Record<string, ScpRequest> = {
    DenyLeaveOrganization: { action: 'organizations:LeaveOrganization', context: ctx(ssoAdmin) },
    DenyMemberRootUser: { action: 'ec2:RunInstances', context: ctx(memberRoot) },
    DenyLongTermCredentials: { action: 'iam:CreateAccessKey', context: ctx(developer) },
    ProtectCloudTrail: { action: 'cloudtrail:StopLogging', context: ctx(ssoAdmin) },
    ProtectAccountSettings: { action: 's3:PutAccountPublicAccessBlock', context: ctx(ssoAdmin) },
    ProtectAccessRole: { action: 'iam:UpdateAssumeRolePolicy', resource: accessRole, context: ctx(ssoAdmin) },
    ProtectLogKeys: {
      action: 'kms:ScheduleKeyDeletion',
      resource: `arn:aws:kms:${region}:111100000001:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
      context: ctx(ssoAdmin),
    },
    ProtectTrailBucket: { action: 's3:PutBucketPolicy', resource: `arn:aws:s3:::${bucket}`, context: ctx(ssoAdmin) },
    ProtectTrailLogs: {
      action: 's3:DeleteObject',
      resource: `arn:aws:s3:::${bucket}/AWSLogs/123456789012/x.json.gz`,
      context: ctx(ssoAdmin),
    },
    DenyOutsideAllowedRegions: {
      action: 'ec2:RunInstances',
      context: ctx(ssoAdmin, { 'aws:RequestedRegion': outsideRegion(want) }),
    },
  };
  const w = table[sid];
  if (!w) throw new Error(`${def.name}: statement ${sid} has no witness request in this test; add one`);
  return w;
}

const asRole = (r: ScpRequest, principal = accessRole): ScpRequest => ({
  ...r,
  context: { ...r.context, 'aws:PrincipalArn': principal },
});

describe('SCP statements deny what they should, never OrganizationAccountAccessRole', () => {
  for (const r of rendered) {
    it(`${r.label}: each statement denies its witness to others, and nothing to ${ROLE}`, () => {
      for (const s of statementsOf(r.text)) {
        const w = witness(r.def, s.Sid!, r.want);
        // The statement is live: an ordinary principal is denied (so the exemption below is not vacuous).
        expect(
          denyingStatements(r.text, w).map((x) => x.Sid),
          `${s.Sid} should deny ${w.action}`,
        ).toContain(s.Sid);
        // The same request through the access role passes the whole policy.
        expect(denyingStatements(r.text, asRole(w)), `${s.Sid} denies ${w.action} to ${ROLE}`).toEqual([]);
      }
    });

    it(`${r.label}: every action any statement names is allowed to ${ROLE}`, () => {
      const actions = statementsOf(r.text).flatMap((s) => [s.Action ?? [], s.NotAction ?? []].flat());
      for (const action of [...actions, 'ec2:RunInstances', 's3:PutObject', 'iam:CreateRole']) {
        for (const region of [r.want.homeRegion, outsideRegion(r.want)]) {
          expect(
            denyingStatements(r.text, {
              action: action.replace(/\*/g, 'Anything'),
              context: { 'aws:PrincipalArn': accessRole, 'aws:RequestedRegion': region },
            }),
          ).toEqual([]);
        }
      }
    });
  }

  it('member root sessions from sts:AssumeRoot (centralized root access) are not denied, plain member root is', () => {
    const want = basic();
    const guardrails = scpContent(SCPS[0]!, want);
    const req = {
      action: 'iam:DeleteLoginProfile',
      context: { 'aws:PrincipalArn': memberRoot, 'aws:RequestedRegion': 'us-east-1' },
    };
    expect(denyingStatements(guardrails, req).map((s) => s.Sid)).toEqual(['DenyMemberRootUser']);
    expect(denyingStatements(guardrails, { ...req, context: { ...req.context, 'aws:AssumedRoot': 'true' } })).toEqual(
      [],
    );
  });

  it('the region guard leaves allowed regions and global services alone for everyone', () => {
    const want = basic();
    want.allowedRegions = ['eu-west-1', 'us-east-1'];
    want.scps.regionGuard = true;
    const guard = scpContent(
      SCPS.find((d) => d.name === 'secure-start-region-guard')!,
      want,
    );
    const ctx = (region: string) => ({ 'aws:PrincipalArn': ssoAdmin, 'aws:RequestedRegion': region });
    expect(denyingStatements(guard, { action: 'ec2:RunInstances', context: ctx('eu-west-1') })).toEqual([]);
    expect(denyingStatements(guard, { action: 'iam:CreateRole', context: ctx('ap-south-1') })).toEqual([]);
    expect(denyingStatements(guard, { action: 'sts:AssumeRole', context: ctx('ap-south-1') })).toEqual([]);
    expect(denyingStatements(guard, { action: 'ec2:RunInstances', context: ctx('ap-south-1') })).toHaveLength(1);
    // The global services the wizard and README name keep working in any region.
    for (const action of [
      'organizations:DescribeOrganization',
      'budgets:ViewBudget',
      'aws-portal:ViewBilling',
      'cloudfront:ListDistributions',
      'route53:ListHostedZones',
      'kms:CreateKey',
      'iam:ListRoles',
    ]) {
      expect(denyingStatements(guard, { action, context: ctx('ap-south-1') }), action).toEqual([]);
    }
  });
});

describe('the hardening secure-start does inside member accounts passes the guardrails', () => {
  // Exactly what account-hardening, log-archive-bucket, Object Lock and the trail key would
  // send to members of a fresh organization, evaluated against every policy the baseline
  // attaches (region guard on). tests/security/ proves the same against the emulator.
  const want = basic();
  want.scps.regionGuard = true;
  want.trail.objectLock = { mode: 'compliance', days: 30 };
  const ids = {
    'log-archive.accountId': '111100000001',
    'audit.accountId': '111100000002',
    'prod.accountId': '111100000003',
    'dev.accountId': '111100000004',
    'management.accountId': '123456789012',
  };
  const f = fakeCtx(
    want,
    () => {
      throw new Error('no AWS call');
    },
    ids,
  );
  const memberCalls = [
    ...accountHardening.plan(want, accountHardening.fresh(f.ctx)),
    ...logArchiveBucket.plan(want, logArchiveBucket.fresh(f.ctx)),
    ...logArchiveObjectLock.plan(want, logArchiveObjectLock.fresh(f.ctx)),
    ...trailKey.plan(want, trailKey.fresh(f.ctx)),
  ].filter((a) => a.kind === 'call' && a.target.account !== 'management');
  const policies = SCPS.filter((d) => d.enabled(want)).map((d) => ({ name: d.name, text: scpContent(d, want) }));
  const requests = memberCalls.map((a) => {
    const bucket = (a.input as { Bucket?: string }).Bucket;
    return {
      summary: a.summary,
      action: iamActionOf(a.service, a.operation),
      ...(bucket ? { resource: `arn:aws:s3:::${bucket}` } : {}),
      region: a.target.region,
      account: String(a.target.account),
    };
  });

  it('plans member calls for every member (the check below is not empty)', () => {
    expect(new Set(requests.map((r) => r.account))).toEqual(
      new Set(Object.values(ids).filter((x) => x !== '123456789012')),
    );
    expect(requests.map((r) => r.action)).toEqual(
      expect.arrayContaining([
        's3:PutAccountPublicAccessBlock',
        'ec2:EnableEbsEncryptionByDefault',
        'iam:UpdateAccountPasswordPolicy',
        's3:PutBucketPolicy',
        's3:PutLifecycleConfiguration',
      ]),
    );
  });

  it('through OrganizationAccountAccessRole: no policy denies any of them', () => {
    for (const r of requests) {
      for (const p of policies) {
        const denied = denyingStatements(p.text, {
          action: r.action,
          ...(r.resource ? { resource: r.resource } : {}),
          context: { 'aws:PrincipalArn': `arn:aws:iam::${r.account}:role/${ROLE}`, 'aws:RequestedRegion': r.region },
        });
        expect(
          denied.map((s) => s.Sid),
          `${p.name} blocks "${r.summary}"`,
        ).toEqual([]);
      }
    }
  });

  it('as any other role the guardrails would block the account-level and trail-bucket changes (the exemption is what lets them through)', () => {
    const blocked = requests.filter((r) =>
      policies.some(
        (p) =>
          denyingStatements(p.text, {
            action: r.action,
            ...(r.resource ? { resource: r.resource } : {}),
            context: {
              'aws:PrincipalArn': `arn:aws:iam::${r.account}:role/Developer`,
              'aws:RequestedRegion': r.region,
            },
          }).length,
      ),
    );
    // EBS encryption is turned on in every enabled region, also those the region guard closes.
    expect(new Set(blocked.map((r) => r.action))).toEqual(
      new Set([
        's3:PutAccountPublicAccessBlock',
        's3:PutBucketPolicy',
        's3:PutLifecycleConfiguration',
        's3:PutBucketVersioning',
        's3:PutEncryptionConfiguration',
        's3:PutBucketPublicAccessBlock',
        's3:PutBucketOwnershipControls',
        's3:PutBucketObjectLockConfiguration',
        'ec2:EnableEbsEncryptionByDefault',
      ]),
    );
  });
});

describe('renderTemplate refuses holes', () => {
  it('a missing variable, an unused one, a list inside text, an unknown template', () => {
    expect(() => renderTemplate('scp-guardrails', {})).toThrow(TemplateError);
    expect(() => renderTemplate('scp-guardrails', {})).toThrow(/no value for \{\{accessRole\}\}/);
    expect(() => renderTemplate('scp-guardrails', { accessRole: ROLE, extra: 'x' })).toThrow(
      /not used by the template: extra/,
    );
    expect(() => renderTemplate('scp-log-protection', { accessRole: ROLE, bucketPattern: ['a', 'b'] })).toThrow(
      /must be text, not a list/,
    );
    expect(() => renderTemplate('scp-nope', {})).toThrow(/unknown template/);
  });

  it('values go into the parsed document, so a quote in a value cannot break the JSON', () => {
    const text = renderTemplate('scp-guardrails', { accessRole: 'Evil"},{"Effect":"Allow' });
    expect(() => JSON.parse(text)).not.toThrow();
    expect(statementsOf(text).every((s) => s.Effect === 'Deny')).toBe(true);
  });
});
