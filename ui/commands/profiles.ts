import type { GlobalOptions } from '../options.js';
import type { CommandEnv } from './index.js';
import { CliExit } from '../session.js';

// Interim: replaced by the real command in the same series of changes.
export async function profiles(_opts: GlobalOptions, _env: CommandEnv): Promise<number> {
  throw new CliExit('the profiles command is not built yet', 1);
}
