// Crash matrix shard 3 of 4 (see crash-matrix.ts): a crash at every mutating call, before and
// after it is applied, then a run again; the world must equal an uninterrupted run's.
import { defineCrashShard, moreEmulators, shardRun } from './crash-matrix.js';

defineCrashShard(3, await shardRun(3), await moreEmulators());
