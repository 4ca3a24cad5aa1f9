// The emulated AWS "world": accounts, credentials, the organization(s), Identity Center's
// organization instance, per-account per-service stores, and pending asynchronous work.
// Everything a service module reads or changes lives here, so a reset is one `new World()`
// and a state dump is one walk over this object.

import { hashChars } from './rng.js';
import { BehaviourClock, type BehaviourName, type BehaviourTimings } from './behaviours.js';

export const MANAGEMENT_ACCOUNT_ID = '123456789012';
/** Management account of the foreign organization in the `member-of-other-org` scenario. */
export const OTHER_ORG_MANAGEMENT_ACCOUNT_ID = '210987654321';
export const ORG_ACCESS_ROLE = 'OrganizationAccountAccessRole';

/** Fixed base credentials (secrets are not checked: signatures are never verified). */
export const ACCESS_KEYS = {
  /** Root user of the management account (default caller). */
  root: 'AKIAEMULATORROOT0001',
  /** IAM user `admin` in the management account (`iam-user` scenario). */
  iamUser: 'AKIAEMULATORADMIN001',
  /** Assumed-role session `Admin/founder` in the management account (`role` modifier). */
  role: 'ASIAEMULATORROLE0001',
} as const;
export const SECRET_ACCESS_KEY = 'emulator/secret/access/key/not/checked/0000';

export type Principal =
  | { type: 'root'; accountId: string }
  | { type: 'user'; accountId: string; userName: string; userId: string }
  | { type: 'assumed-role'; accountId: string; roleName: string; roleId: string; sessionName: string }
  /** A member account's root session obtained with sts:AssumeRoot (limited by a task policy). */
  | { type: 'root-session'; accountId: string; taskPolicyArn: string; sourceAccountId: string };

export interface CredentialRecord {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  accountId: string;
  principal: Principal;
  expiresAt?: number;
}

export interface AccessKeyRecord {
  accessKeyId: string;
  status: 'Active' | 'Inactive';
  createdAt: Date;
}

export interface RootUser {
  /** Console password set (member accounts created by CreateAccount have none). */
  passwordSetAt: Date | null;
  mfaSerials: { serial: string; enabledAt: Date }[];
  accessKeys: AccessKeyRecord[];
}

export interface IamUserRecord {
  userName: string;
  userId: string;
  arn: string;
  createdAt: Date;
  passwordSetAt: Date | null;
  accessKeys: AccessKeyRecord[];
  mfaSerials: { serial: string; enabledAt: Date }[];
}

export interface RoleRecord {
  roleName: string;
  roleId: string;
  arn: string;
  /** Account IDs whose principals may assume this role (the trust policy it was made with). */
  trustedAccountIds: string[];
  createdAt: Date;
  /** The trust policy (AssumeRolePolicyDocument) that sts:AssumeRole evaluates; see services/iam-roles.ts. */
  trustPolicy: string;
  /** IAM state of the role (services/iam-roles.ts): managed policy ARNs, inline policies, boundary, tags. */
  path?: string;
  attachedPolicies?: string[];
  inlinePolicies?: Record<string, string>;
  permissionsBoundary?: string;
  tags?: Record<string, string>;
  description?: string;
}

export interface AccountRecord {
  id: string;
  name: string;
  email: string;
  status: 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';
  createdAt: Date;
  root: RootUser;
  users: Record<string, IamUserRecord>;
  roles: Record<string, RoleRecord>;
  /**
   * A new account made by CreateAccount is not usable at once (behaviour account-readiness):
   * epoch ms until AssumeRole into it works, and until its services answer. Absent = ready.
   * Kept out of the state dump (a timing, not a fact about the world).
   */
  readyAt?: { role: number; services: number };
}

export type PolicyTypeStatus = 'ENABLED' | 'PENDING_ENABLE' | 'PENDING_DISABLE';

export interface OrgPolicy {
  id: string;
  arn: string;
  name: string;
  description: string;
  type: string;
  content: string;
  awsManaged: boolean;
}

export interface CreateAccountStatusRecord {
  id: string;
  accountName: string;
  email: string;
  state: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';
  requestedAt: Date;
  completedAt?: Date;
  accountId?: string;
  failureReason?: string;
}

export interface OrganizationalUnitRecord {
  id: string;
  arn: string;
  name: string;
  parentId: string;
}

export interface Organization {
  id: string;
  arn: string;
  featureSet: 'ALL' | 'CONSOLIDATED_BILLING';
  managementAccountId: string;
  createdAt: Date;
  root: { id: string; arn: string; name: string; policyTypes: Record<string, PolicyTypeStatus> };
  ous: Record<string, OrganizationalUnitRecord>;
  /** accountId -> parent (root or OU) ID. The keys are the members (management included). */
  accountParents: Record<string, string>;
  joined: Record<string, { method: 'CREATED' | 'INVITED'; at: Date }>;
  policies: Record<string, OrgPolicy>;
  /** policyId -> target IDs it is attached to. */
  attachments: Record<string, string[]>;
  /** Trusted access: service principal -> date enabled. */
  serviceAccess: Record<string, Date>;
  /**
   * Delegated administrators: service principal -> member account ID -> date registered
   * (organizations:RegisterDelegatedAdministrator, or a service's own
   * EnableOrganizationAdminAccount, which registers through Organizations). Optional so that
   * organizations made before it existed (copied worlds, scenarios) need no migration.
   */
  delegatedAdmins?: Record<string, Record<string, Date>>;
  createAccountStatuses: CreateAccountStatusRecord[];
  tags: Record<string, Record<string, string>>;
  /** CreateAccount fails with FinalizingOrganizationException while either limit holds. */
  finalizing: { untilMs?: number; callsLeft?: number };
  accountQuota: number;
  /** IAM centralised root access features (RootCredentialsManagement, RootSessions). */
  iamFeatures: string[];
}

export interface IdentityCenterInstance {
  instanceArn: string;
  identityStoreId: string;
  ownerAccountId: string;
  region: string;
  name?: string;
  status: 'ACTIVE';
  createdAt: Date;
}

export interface WorldConfig {
  /** Items per page on paginated list calls (small so paging is exercised). */
  pageSize: number;
  /** Return an empty first page with a NextToken, as AWS sometimes does. */
  emptyPages: boolean;
  /** Default quota for new organizations. */
  accountQuota: number;
  /** Applied to organizations made by CreateOrganization. */
  finalizing: { calls?: number; seconds?: number };
  /** AWS refuses sts:AssumeRole with root credentials; turn on to relax that. */
  allowRootAssumeRole: boolean;
  /** AWS behaviours (behaviours.ts) switched off by name; all are on by default. */
  lenient: BehaviourName[];
  /**
   * What a CreateAccount beyond the in-progress limit answers: AWS does not document it; public
   * reports show a throttling error ('throttle', TooManyRequestsException). The other form,
   * 'concurrent-modification', answers ConcurrentModificationException.
   */
  accountCreationLimitForm: 'throttle' | 'concurrent-modification';
  /**
   * Accounts an organization may create per 24 hours (ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED past
   * it). AWS does not publish the figure; 20 lets a 10-account quota fill in one day.
   */
  accountCreationsPerDay: number;
}

export const DEFAULT_CONFIG: WorldConfig = {
  pageSize: 3,
  emptyPages: false,
  accountQuota: 10,
  finalizing: {},
  allowRootAssumeRole: false,
  lenient: [],
  accountCreationLimitForm: 'throttle',
  accountCreationsPerDay: 20,
};

interface PendingTask {
  dueMs: number;
  seq: number;
  label: string;
  /**
   * Finds what it changes through the world it is given (by ID), never through objects it
   * captured: a copy of the world (snapshot()) then carries its own pending work.
   */
  run: (world: World) => void;
}

export class World {
  accounts: Record<string, AccountRecord> = {};
  credentials: Record<string, CredentialRecord> = {};
  orgs: Record<string, Organization> = {};
  identityCenter: IdentityCenterInstance | null = null;
  /** accountId -> service name -> whatever the service module keeps. */
  stores: Record<string, Record<string, unknown>> = {};
  /** The account whose base credentials `env()` hands out (the founder's account). */
  homeAccountId = MANAGEMENT_ACCOUNT_ID;
  homeAccessKeyId: string = ACCESS_KEYS.root;
  config: WorldConfig;
  /** Timing state of the AWS behaviours (in progress, not yet visible, token buckets). */
  readonly clock = new BehaviourClock();
  /** Samples a behaviour duration in ms; the emulator sets it from its latency settings. */
  behaviourMs: (key: Exclude<keyof BehaviourTimings, 'rateFactor'>) => number = () => 0;
  private counters: Record<string, number> = {};
  private tasks: PendingTask[] = [];
  private taskSeq = 0;

  constructor(config: Partial<WorldConfig> = {}) {
    this.config = { ...DEFAULT_CONFIG, ...config };
  }

  /** Whether an AWS behaviour of behaviours.ts is on (it is unless named in config.lenient). */
  strict(name: BehaviourName): boolean {
    return !this.config.lenient.includes(name);
  }

  /** `key` was just created: with eventual consistency on, lists miss it for a while. */
  created(key: string): void {
    if (this.strict('eventual-consistency')) this.clock.created(key, this.behaviourMs('consistency'));
  }

  /** Whether lists show `key` yet (see created()). */
  listed(key: string): boolean {
    return !this.strict('eventual-consistency') || this.clock.visible(key);
  }

  // ---- deterministic identifiers -------------------------------------------------------

  /** Next value of a named counter (1, 2, 3…). */
  next(name: string): number {
    this.counters[name] = (this.counters[name] ?? 0) + 1;
    return this.counters[name];
  }

  /** An ID made of `length` characters derived from a counter: same run, same IDs. */
  id(kind: string, length: number, alphabet?: string): string {
    return hashChars(`${kind}:${this.next(kind)}`, length, alphabet);
  }

  /** Member account IDs: 111100000001, 111100000002… (deterministic sequence). */
  nextAccountId(): string {
    return String(111100000000 + this.next('account-id'));
  }

  // ---- accounts and credentials --------------------------------------------------------

  addAccount(id: string, name: string, email: string): AccountRecord {
    const account: AccountRecord = {
      id,
      name,
      email,
      status: 'ACTIVE',
      createdAt: new Date(),
      root: { passwordSetAt: null, mfaSerials: [], accessKeys: [] },
      users: {},
      roles: {},
    };
    this.accounts[id] = account;
    this.stores[id] = {};
    return account;
  }

  account(id: string): AccountRecord | undefined {
    return this.accounts[id];
  }

  addRole(accountId: string, roleName: string, trustedAccountIds: string[]): RoleRecord {
    const role: RoleRecord = {
      roleName,
      roleId: 'AROA' + this.id('role-id', 17, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'),
      arn: `arn:aws:iam::${accountId}:role/${roleName}`,
      trustedAccountIds,
      createdAt: new Date(),
      trustPolicy: trustPolicyFor(trustedAccountIds),
      // AWS attaches AdministratorAccess to the role Organizations creates in a new account
      // (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_create-cross-account-role.html).
      attachedPolicies: roleName === ORG_ACCESS_ROLE ? ['arn:aws:iam::aws:policy/AdministratorAccess'] : [],
    };
    this.accounts[accountId].roles[roleName] = role;
    return role;
  }

  addUser(accountId: string, userName: string): IamUserRecord {
    const user: IamUserRecord = {
      userName,
      userId: 'AIDA' + this.id('user-id', 17, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'),
      arn: `arn:aws:iam::${accountId}:user/${userName}`,
      createdAt: new Date(),
      passwordSetAt: null,
      accessKeys: [],
      mfaSerials: [],
    };
    this.accounts[accountId].users[userName] = user;
    return user;
  }

  addCredentials(rec: CredentialRecord): CredentialRecord {
    this.credentials[rec.accessKeyId] = rec;
    return rec;
  }

  /** Mint temporary credentials (ASIA… + session token) for a principal. */
  mintSession(principal: Principal, durationSeconds: number): CredentialRecord {
    const key = 'ASIA' + this.id('session-key', 16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567');
    return this.addCredentials({
      accessKeyId: key,
      secretAccessKey: hashChars(`secret:${key}`, 40, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'),
      sessionToken:
        'FwoGZXIvYXdzE' +
        hashChars(`token:${key}`, 120, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'),
      accountId: principal.accountId,
      principal,
      expiresAt: Date.now() + durationSeconds * 1000,
    });
  }

  // ---- organizations -------------------------------------------------------------------

  /** The organization an account belongs to (as management account or member), if any. */
  orgOf(accountId: string): Organization | undefined {
    for (const org of Object.values(this.orgs)) if (accountId in org.accountParents) return org;
    return undefined;
  }

  /** Whether trusted access is enabled for a service principal in the account's org. */
  hasTrustedAccess(accountId: string, servicePrincipal: string): boolean {
    const org = this.orgOf(accountId);
    return !!org && servicePrincipal in org.serviceAccess;
  }

  /** Member accounts registered as delegated administrator for a service principal. */
  delegatedAdminsFor(org: Organization, servicePrincipal: string): string[] {
    return Object.keys(org.delegatedAdmins?.[servicePrincipal] ?? {});
  }

  /** Whether the account is a delegated administrator for the service in its organization. */
  isDelegatedAdmin(accountId: string, servicePrincipal: string): boolean {
    const org = this.orgOf(accountId);
    return !!org && this.delegatedAdminsFor(org, servicePrincipal).includes(accountId);
  }

  /** Registers (idempotently) a delegated administrator; callers check AWS's rules first. */
  registerDelegatedAdmin(org: Organization, accountId: string, servicePrincipal: string): void {
    const forService = ((org.delegatedAdmins ??= {})[servicePrincipal] ??= {});
    forService[accountId] ??= new Date();
  }

  deregisterDelegatedAdmin(org: Organization, accountId: string, servicePrincipal: string): void {
    const forService = org.delegatedAdmins?.[servicePrincipal];
    if (forService) delete forService[accountId];
  }

  isManagementAccount(accountId: string): boolean {
    return this.orgOf(accountId)?.managementAccountId === accountId;
  }

  // ---- per-account per-service stores --------------------------------------------------

  /** The store a service keeps for an account, created by `init` on first use. */
  store<T>(accountId: string, service: string, init: () => T): T {
    const forAccount = (this.stores[accountId] ??= {});
    if (!(service in forAccount)) forAccount[service] = init();
    return forAccount[service] as T;
  }

  // ---- asynchronous work ---------------------------------------------------------------
  // Asynchronous AWS operations finish "later". Rather than timers, due work runs at the
  // start of the next request (or state dump): outcomes then depend only on the order of
  // calls and on time, never on timer scheduling, and a reset simply drops the queue.

  later(delayMs: number, label: string, run: (world: World) => void): void {
    this.tasks.push({ dueMs: Date.now() + Math.max(0, delayMs), seq: this.taskSeq++, label, run });
  }

  /** Run every task that is due, oldest due time first. */
  settle(nowMs = Date.now()): void {
    for (;;) {
      const due = this.tasks.filter((t) => t.dueMs <= nowMs).sort((a, b) => a.dueMs - b.dueMs || a.seq - b.seq);
      if (due.length === 0) return;
      const task = due[0];
      this.tasks.splice(this.tasks.indexOf(task), 1);
      task.run(this);
    }
  }

  /**
   * Complete all pending asynchronous work now (tests): async operations, and the waits of the
   * AWS behaviours (new accounts ready, new resources listed, writes no longer in progress).
   */
  flush(): void {
    this.settle(Number.POSITIVE_INFINITY);
    for (const a of Object.values(this.accounts)) delete a.readyAt;
    this.clock.catchUp();
  }

  /**
   * A copy of this world that shares nothing with it, pending work and behaviour timings
   * included (for crash tests that start many runs from one moment of another run). No request
   * is in flight in the copy.
   */
  copy(): World {
    const w = new World(structuredClone(this.config));
    const data = structuredClone({
      accounts: this.accounts,
      credentials: this.credentials,
      orgs: this.orgs,
      identityCenter: this.identityCenter,
      stores: this.stores,
      counters: this.counters,
      tasks: this.tasks.map(({ run: _fn, ...t }) => t),
    });
    Object.assign(w, {
      accounts: data.accounts,
      credentials: data.credentials,
      orgs: data.orgs,
      identityCenter: data.identityCenter,
      stores: data.stores,
    });
    w.homeAccountId = this.homeAccountId;
    w.homeAccessKeyId = this.homeAccessKeyId;
    w.counters = data.counters;
    w.tasks = data.tasks.map((t, i) => ({ ...t, run: this.tasks[i]!.run }));
    w.taskSeq = this.taskSeq;
    w.clock.copyFrom(this.clock);
    return w;
  }

  /**
   * Moves every behaviour timing (pending work, account readiness, busy tails, list delays,
   * token buckets, session expiry) `ms` later: a copy restored a while after it was taken then
   * behaves as if no time had passed since.
   */
  shiftTime(ms: number): void {
    for (const t of this.tasks) t.dueMs += ms;
    for (const a of Object.values(this.accounts)) {
      if (a.readyAt) a.readyAt = { role: a.readyAt.role + ms, services: a.readyAt.services + ms };
    }
    for (const c of Object.values(this.credentials)) if (c.expiresAt !== undefined) c.expiresAt += ms;
    this.clock.shift(ms);
  }

  pendingTasks(): { label: string; dueInMs: number }[] {
    const now = Date.now();
    return this.tasks.map((t) => ({ label: t.label, dueInMs: Math.max(0, t.dueMs - now) }));
  }

  // ---- state dump ----------------------------------------------------------------------

  /**
   * A JSON-safe dump of the world. With `normalise` (default) timestamps become
   * "<date>" and keys are sorted, so two identical runs produce identical dumps.
   * Credentials are left out (they are secrets, even fake ones).
   */
  snapshot(normalise = true): unknown {
    const raw = {
      homeAccountId: this.homeAccountId,
      accounts: Object.fromEntries(Object.entries(this.accounts).map(([id, { readyAt: _timing, ...a }]) => [id, a])),
      orgs: this.orgs,
      identityCenter: this.identityCenter,
      stores: this.stores,
      pending: this.tasks.map((t) => t.label).sort(),
      config: this.config,
    };
    return toJsonSafe(raw, normalise);
  }
}

/** The trust policy of a role trusting whole accounts; none: a SAML provider (Identity Center roles). */
export function trustPolicyFor(accountIds: string[]): string {
  const statement = accountIds.length
    ? { Effect: 'Allow', Principal: { AWS: accountIds.map((a) => `arn:aws:iam::${a}:root`) }, Action: 'sts:AssumeRole' }
    : {
        Effect: 'Allow',
        Principal: { Federated: 'saml-provider/AWSSSO' },
        Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
      };
  return JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
}

export function toJsonSafe(value: unknown, normalise: boolean): unknown {
  if (value instanceof Date) return normalise ? '<date>' : value.toISOString();
  if (Array.isArray(value)) return value.map((v) => toJsonSafe(v, normalise));
  if (value instanceof Map) return toJsonSafe(Object.fromEntries(value), normalise);
  if (value instanceof Set) return toJsonSafe([...value], normalise);
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (normalise) keys.sort();
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const v = (value as Record<string, unknown>)[k];
      if (typeof v === 'function' || v === undefined) continue;
      out[k] = toJsonSafe(v, normalise);
    }
    return out;
  }
  return value;
}
