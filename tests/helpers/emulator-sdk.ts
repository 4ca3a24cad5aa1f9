// The emulator in-process with real SDK v3 clients pointed at it, for tests/emulator/*.test.ts:
// one emulator per file (listening from beforeAll, stopped in afterAll), a new world before each
// test, and clients built with the emulator's endpoint, a region, credentials and no retries,
// destroyed after the test that made them. Plus the few steps several files take the same way:
// an organization with a member account, credentials out of an STS answer, and an SDK error
// reduced to the fields a test compares.
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  DescribeCreateAccountStatusCommand,
  EnableAWSServiceAccessCommand,
  OrganizationsClient,
  type CreateAccountStatus,
} from '@aws-sdk/client-organizations';
import { Emulator, type CredentialSet } from '../../emulator/emulator.js';
import type { ScenarioOptions } from '../../emulator/scenarios.js';
import type { BehaviourName } from '../../emulator/behaviours.js';

export type Creds = CredentialSet;

type SdkClient = { destroy(): void };
type SdkClientClass = new (config: any) => SdkClient; // any SDK v3 client class
type ConfigOf<T extends SdkClientClass> = NonNullable<ConstructorParameters<T>[0]>;

/** What tests vary; anything else the client takes (forcePathStyle, endpointProvider, …) passes through. */
export interface ClientOptions {
  /** Default us-east-1. */
  region?: string;
  /** Default: the current world's management credentials, `emu.credentials()`, read when the client is made. */
  credentials?: Creds;
  /** Default 1: a fault is seen as it is, not retried away. */
  maxAttempts?: number;
}

export interface UseEmulatorOptions {
  /** The world each test starts from (default 'fresh'); false: the file resets it itself. */
  reset?: string | ScenarioOptions | false;
  /**
   * AWS behaviours (emulator/behaviours.ts) this file switches off because it tests something
   * else; every other behaviour stays on. Say why next to the call.
   */
  lenient?: BehaviourName[];
}

export interface MemberOptions {
  /** Account name (default 'prod'); the e-mail is ops+aws-<name>@acme.example. */
  name?: string;
  /** A service principal to give trusted access to, e.g. 'iam.amazonaws.com'. */
  trust?: string;
}

export interface EmulatorSdk {
  /** The file's emulator: made at once (so it can be destructured), listening from beforeAll. */
  readonly emu: Emulator;
  /** A client of this class pointed at the emulator; destroyed after the current test. */
  client<T extends SdkClientClass>(
    Ctor: T,
    opts?: ClientOptions & Omit<Partial<ConfigOf<T>>, keyof ClientOptions>,
  ): InstanceType<T>;
  /**
   * CreateOrganization (all features) and CreateAccount with the management credentials; waits
   * for the account to be SUCCEEDED; optionally turns on trusted access for one service.
   */
  orgWithMember(opts?: MemberOptions): Promise<{ orgId: string; member: string }>;
}

/**
 * Register the hooks of an emulator test file and return what its tests use. Call it once, at
 * the top level of the file; a beforeEach the file adds afterwards runs after the reset here.
 */
export function useEmulator(opts: UseEmulatorOptions = {}): EmulatorSdk {
  const { reset = 'fresh', lenient = [] } = opts;
  const emu = new Emulator({ config: { lenient } });
  let clients: SdkClient[] = [];
  const destroyClients = () => {
    for (const c of clients) c.destroy();
    clients = [];
  };

  beforeAll(() => emu.listen());
  afterAll(async () => {
    destroyClients();
    await emu.stop();
  });
  if (reset !== false) beforeEach(() => emu.reset(reset));
  afterEach(destroyClients);

  function client<T extends SdkClientClass>(
    Ctor: T,
    opts?: ClientOptions & Omit<Partial<ConfigOf<T>>, keyof ClientOptions>,
  ): InstanceType<T> {
    const {
      region = 'us-east-1',
      credentials = emu.credentials(),
      maxAttempts = 1,
      ...rest
    }: ClientOptions & Record<string, unknown> = opts ?? {};
    const c = new Ctor({ region, endpoint: emu.url, credentials, maxAttempts, ...rest }) as InstanceType<T>;
    clients.push(c);
    return c;
  }

  async function orgWithMember({ name = 'prod', trust }: MemberOptions = {}): Promise<{
    orgId: string;
    member: string;
  }> {
    const o = client(OrganizationsClient);
    const orgId = (await o.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }))).Organization!.Id!;
    const started = (
      await o.send(new CreateAccountCommand({ AccountName: name, Email: `ops+aws-${name}@acme.example` }))
    ).CreateAccountStatus!;
    let status: CreateAccountStatus;
    let polls = 0;
    do {
      status = (await o.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: started.Id! })))
        .CreateAccountStatus!;
    } while (status.State === 'IN_PROGRESS' && ++polls < 20);
    expect(status.State).toBe('SUCCEEDED');
    // SUCCEEDED is not usable yet (behaviour account-readiness): tests act in the member next.
    await emu.accountReady(status.AccountId!);
    if (trust) await o.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: trust }));
    return { orgId, member: status.AccountId! };
  }

  return { emu, client, orgWithMember };
}

/** SDK credentials from the Credentials of an STS answer (AssumeRole, AssumeRoot). */
export function asCreds(
  c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } | undefined,
): Creds {
  return { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken };
}

/** An SDK error as tests compare it: name, message, HTTP status, and any service fields asked for. */
export type AwsError<K extends string = never> = { name: string; message: string; status: number | undefined } & {
  [F in K]: string | undefined;
};

/** The error a call must fail with (a call that succeeds fails the test), as an AwsError. */
export function errorOf<K extends string = never>(p: Promise<unknown>, ...fields: K[]): Promise<AwsError<K>> {
  return p.then(
    () => {
      throw new Error('expected an error');
    },
    (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
      const out: Record<string, unknown> = { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
      for (const f of fields) out[f] = (e as unknown as Record<string, unknown>)[f];
      return out as AwsError<K>;
    },
  );
}
