// AWS STS (awsQuery, Version 2011-06-15). Credentials identify accounts: AssumeRole hands
// out ASIA… keys that the emulator then resolves to the member account.
import { AwsError } from '../errors.js';
import type { HandlerContext, ServiceModule } from '../types.js';
import { int, str, type Fail } from '../validate.js';
import type { CredentialRecord } from '../world.js';
import { roleTrusts } from './iam-roles.js';

type Ctx = HandlerContext<Record<string, any>>;

const fail: Fail = (_f, _p, message) => {
  throw new AwsError('ValidationError', message, { status: 400 });
};

const denied = (message: string) => new AwsError('AccessDenied', message, { status: 403 });

/** Task policies AWS offers for sts:AssumeRoot (root-task/…). */
export const ROOT_TASK_POLICIES = [
  'arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials',
  'arn:aws:iam::aws:policy/root-task/IAMCreateRootUserPassword',
  'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials',
  'arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy',
  'arn:aws:iam::aws:policy/root-task/SQSUnlockQueuePolicy',
];

function credentialsOut(c: CredentialRecord) {
  return {
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
    SessionToken: c.sessionToken,
    Expiration: new Date(c.expiresAt!),
  };
}

export const sts: ServiceModule = {
  name: 'sts',
  signingName: 'sts',
  protocol: 'query',
  xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
  operations: {
    GetCallerIdentity(ctx: Ctx) {
      const p = ctx.caller.principal;
      const userId =
        p.type === 'user' ? p.userId : p.type === 'assumed-role' ? `${p.roleId}:${p.sessionName}` : p.accountId;
      return { UserId: userId, Account: ctx.caller.accountId, Arn: ctx.caller.arn };
    },

    // Not a change to any resource: allowed in dry-run and not counted as mutating.
    AssumeRole: {
      mutating: false,
      handler(ctx: Ctx) {
        const roleArn = str(ctx.input, 'RoleArn', { required: true, min: 20, max: 2048 }, fail)!;
        const session = str(
          ctx.input,
          'RoleSessionName',
          { required: true, min: 2, max: 64, pattern: /^[\w+=,.@-]*$/ },
          fail,
        )!;
        const duration = int(ctx.input, 'DurationSeconds', { min: 900, max: 43200 }, fail) ?? 3600;
        const caller = ctx.caller;
        const m = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]+)$/.exec(roleArn);
        if (!m) throw new AwsError('ValidationError', `${roleArn} is invalid`, { status: 400 });
        if (caller.principal.type === 'root' && !ctx.world.config.allowRootAssumeRole) {
          // AWS refuses AssumeRole with root credentials.
          throw denied('Roles may not be assumed by root accounts.');
        }
        if (caller.principal.type === 'root-session') throw denied('Roles may not be assumed by root accounts.');
        if (caller.principal.type === 'assumed-role' && duration > 3600) {
          throw new AwsError(
            'ValidationError',
            'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
            { status: 400 },
          );
        }
        const [, accountId, roleName] = m;
        const target = ctx.world.account(accountId);
        const role = target?.roles[roleName];
        // The role's trust policy decides (services/iam-roles.ts); an attacker who rewrote it gets in.
        if (!role || !roleTrusts(ctx.world, role, caller, ctx.region)) {
          throw denied(`User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
        }
        // A new account answers SUCCEEDED before its role can be assumed: the same AccessDenied
        // for a few minutes (API_CreateAccount.html; behaviour account-readiness).
        if (target?.readyAt && ctx.world.strict('account-readiness') && Date.now() < target.readyAt.role) {
          throw denied(`User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
        }
        const creds = ctx.world.mintSession(
          { type: 'assumed-role', accountId, roleName, roleId: role.roleId, sessionName: session },
          duration,
        );
        return {
          Credentials: credentialsOut(creds),
          AssumedRoleUser: {
            AssumedRoleId: `${role.roleId}:${session}`,
            Arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${session}`,
          },
        };
      },
    },

    // Centralised root access: a short root session in a member account, scoped by a task policy.
    AssumeRoot: {
      mutating: false,
      handler(ctx: Ctx) {
        const targetId = str(ctx.input, 'TargetPrincipal', { required: true, min: 12, max: 2048 }, fail)!;
        const taskArn = (ctx.input.TaskPolicyArn as { arn?: string } | undefined)?.arn;
        if (!taskArn)
          fail(
            'TaskPolicyArn',
            'required',
            "1 validation error detected: Value null at 'taskPolicyArn' failed to satisfy constraint: Member must not be null",
          );
        const duration = int(ctx.input, 'DurationSeconds', { min: 0, max: 900 }, fail) ?? 900;
        if (!ROOT_TASK_POLICIES.includes(taskArn!))
          throw new AwsError('ValidationError', `The task policy ${taskArn} is not valid.`, { status: 400 });
        const world = ctx.world;
        const org = world.orgOf(ctx.caller.accountId);
        const deny = () =>
          denied(
            `User: ${ctx.caller.arn} is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::${targetId}:root`,
          );
        if (!org || org.managementAccountId !== ctx.caller.accountId) throw deny();
        if (!org.iamFeatures.includes('RootSessions')) throw deny();
        if (!(targetId in org.accountParents) || targetId === org.managementAccountId) throw deny();
        const creds = world.mintSession(
          { type: 'root-session', accountId: targetId, taskPolicyArn: taskArn!, sourceAccountId: ctx.caller.accountId },
          duration,
        );
        return { Credentials: credentialsOut(creds), SourceIdentity: undefined };
      },
    },
  },
};
