// AWS Trusted Advisor (SSB ACCT.12): its security checks are worth a monthly look, but there
// is nothing to set up and nothing to verify without a paid plan: the AWS Support API (which
// reads Trusted Advisor) answers SubscriptionRequiredException on the Basic support plan
// (https://docs.aws.amazon.com/awssupport/latest/user/about-support-api.html). So this step
// makes no call: it gives advice with a link, which `verify` lists as advice, never as a check
// it passed or failed.
// Covers: SSB ACCT.12, as advice.
import { mgmt, type Step } from './contract.js';

export const TRUSTED_ADVISOR_LINK = 'https://console.aws.amazon.com/trustedadvisor/home#/category/security';

export const trustedAdvisor: Step<Record<string, never>> = {
  id: 'trusted-advisor',
  title: 'Trusted Advisor security checks (advice: SSB ACCT.12)',
  needs: ['preflight'],
  // No control is claimed: nothing here is set up or checked.
  controls: [],
  severity: 'low',

  observe: async () => ({}),
  fresh: () => ({}),

  plan: () => [
    {
      kind: 'manual',
      symbol: '!',
      service: 'console',
      operation: 'TrustedAdvisor',
      input: {},
      target: mgmt('us-east-1'),
      summary:
        '! Once a month, open Trusted Advisor → Security and act on what is red or yellow (SSB ACCT.12; without a paid support plan only the core checks show, and no API can read them)',
      manual: {
        instructions: [
          'Trusted Advisor console → Security: review the checks marked red or yellow (public S3 buckets, open security groups, root MFA, exposed access keys) and fix them.',
          'The Basic support plan shows the core security checks; Business support adds the rest and lets tools read them.',
        ],
        why: 'It spots common mistakes that appear after the baseline is built (SSB ACCT.12).',
        link: TRUSTED_ADVISOR_LINK,
        blocking: false,
      },
    },
  ],
};
