// Shared by the config-recording step and the log-archive bucket policy: where AWS Config
// delivers (its own prefix in the organization trail bucket) and which accounts record.
import type { Baseline } from '../../config/schema.js';
import type { StepContext, Val } from '../contract.js';

/** Config's key prefix in the log-archive bucket: `config/AWSLogs/<account>/Config/…`. */
export const CONFIG_PREFIX = 'config';

/** Every account that records: the management account, then the members in config order. */
export function recordingAccounts(
  ctx: Pick<StepContext, 'ref'>,
  want: Baseline,
): { name: string; target: Val; accountId: Val }[] {
  return [
    { name: 'management', target: 'management', accountId: ctx.ref('management.accountId') },
    ...want.accounts.map((a) => {
      const id = ctx.ref(`${a.name}.accountId`);
      return { name: a.name, target: id, accountId: id };
    }),
  ];
}
