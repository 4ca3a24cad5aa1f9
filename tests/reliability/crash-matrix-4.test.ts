// Crash matrix shard 4 of 4 (see crash-matrix.ts): SIGKILL at every mutating call, before and
// after it is applied, then run again; the world must equal an uninterrupted run's.
import { cleanRun, defineCrashShard, moreEmulators } from './crash-matrix.js';

defineCrashShard(4, await cleanRun(), await moreEmulators());
