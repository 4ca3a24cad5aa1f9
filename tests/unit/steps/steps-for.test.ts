// What a run shows is what this config builds: the step titles and controls that the plan,
// progress, verify and the final summary print come from stepsFor(want).
import { describe, expect, it } from 'vitest';
import { stepsFor } from '../../../steps/index.js';
import { basic } from './fixtures.js';

const byId = (want = basic()) => Object.fromEntries(stepsFor(want).map((s) => [s.id, s]));

describe('stepsFor: nothing shows a control that is not built', () => {
  it('the region guard is named, with SSB ACCT.17, only when it is on', () => {
    const scpOff = byId()['service-control-policies']!;
    expect(scpOff.title).toBe('Service control policies (guardrails, log protection)');
    expect(scpOff.controls).not.toContain('SSB ACCT.17');
    const w = basic();
    w.scps.regionGuard = true;
    const scpOn = byId(w)['service-control-policies']!;
    expect(scpOn.title).toBe('Service control policies (guardrails, log protection, region guard)');
    expect(scpOn.controls).toContain('SSB ACCT.17');
    const none = basic();
    none.scps = { guardrails: false, logProtection: false, regionGuard: false };
    expect(byId(none)['service-control-policies']!).toMatchObject({
      title: 'Service control policies (all turned off in the config)',
      controls: [],
    });
  });

  it('hardening turned off does not claim its CIS controls', () => {
    const w = basic();
    w.hardening = { ...w.hardening, ebsEncryption: false, s3BlockPublicAccess: false };
    const h = byId(w)['account-hardening']!;
    expect(h.title).toBe('Account hardening: password policy');
    expect(h.controls).toEqual(['SSB ACCT.06', 'CIS 1.8', 'CIS 1.9']);
    expect(byId()['account-hardening']!.controls).toEqual([
      'SSB ACCT.06',
      'SSB ACCT.08',
      'SSB WKLD.08',
      'CIS 1.8',
      'CIS 1.9',
      'CIS 2.1.4',
      'CIS 2.2.1',
    ]);
  });

  it('the trail claims CIS 3.5 (its KMS key) and the key CIS 3.6 (rotation)', () => {
    expect(byId()['org-trail']!.controls).toEqual(['SSB ACCT.07', 'CIS 3.1', 'CIS 3.2', 'CIS 3.5']);
    expect(byId()['trail-key']!.controls).toEqual(['CIS 3.5', 'CIS 3.6']);
    expect(byId()['org-trail']!.needs).toContain('trail-key');
  });
});
