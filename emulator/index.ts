// Public entry of the emulator: start it in-process (tests, `secure-start demo`).
import { Emulator, type EmulatorOptions } from './emulator.js';

export { Emulator, principalArn, credentialScope, paginate } from './emulator.js';
export type { EmulatorOptions, CallFilter, CredentialSet, Checkpoint, WorldCopy } from './emulator.js';
export type {
  CallRecord,
  ServiceModule,
  HandlerContext,
  OperationDef,
  Protocol,
  RawRequest,
  HttpResult,
  DriftHandler,
} from './types.js';
export type { FaultRule, FaultSpec, FaultKind } from './faults.js';
export type { HoldSpec, HoldStatus, HeldCall } from './hold.js';
export type { ScenarioOptions } from './scenarios.js';
export { SCENARIO_BASES, SCENARIO_MODIFIERS, parseScenario } from './scenarios.js';
export { PROFILES, INSTANT, REALISTIC, mean, type LatencyProfile, type LatencyRange } from './latency.js';
export {
  ACCESS_KEYS,
  MANAGEMENT_ACCOUNT_ID,
  OTHER_ORG_MANAGEMENT_ACCOUNT_ID,
  ORG_ACCESS_ROLE,
  SECRET_ACCESS_KEY,
  World,
} from './world.js';
export { AwsError, awsError } from './errors.js';

/** Start an emulator on 127.0.0.1 (port 0 = a random free port). Call `stop()` when done. */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const emu = new Emulator(opts);
  await emu.listen();
  return emu;
}
