// AWS Account Management (restJson1, `POST /putAlternateContact` etc., us-east-1).
// Alternate contacts per account. Without AccountId a call acts on the caller's own
// account; with AccountId the caller must be the management account of an organization
// with all features and trusted access for account.amazonaws.com, and the account a member
// of that organization (the management account may not name itself).
import type { HandlerContext, ServiceModule } from '../types.js';
import type { World } from '../world.js';

export const CONTACT_TYPES = ['BILLING', 'OPERATIONS', 'SECURITY'] as const;
export interface ContactRec {
  AlternateContactType: string;
  Name: string;
  Title: string;
  EmailAddress: string;
  PhoneNumber: string;
}
interface Store {
  contacts: Record<string, ContactRec>;
}

const storeOf = (world: World, accountId: string): Store =>
  world.store<Store>(accountId, 'account', () => ({ contacts: {} }));

function validation(ctx: HandlerContext, field: string, message: string) {
  return ctx.error('ValidationException', message, 400, {
    reason: 'fieldValidationFailed',
    fieldList: [{ name: field, message }],
  });
}

function field(ctx: HandlerContext, name: string, max: number, pattern?: RegExp): string {
  const v = ctx.input[name];
  if (v === undefined || v === null) throw validation(ctx, name, `${name} is required.`);
  if (typeof v !== 'string' || v.length < 1 || v.length > max)
    throw validation(ctx, name, `${name} must be between 1 and ${max} characters.`);
  if (pattern && !pattern.test(v)) throw validation(ctx, name, `${name} has an invalid format.`);
  return v;
}

function contactType(ctx: HandlerContext): string {
  const t = ctx.input.AlternateContactType;
  if (t === undefined) throw validation(ctx, 'AlternateContactType', 'AlternateContactType is required.');
  if (!(CONTACT_TYPES as readonly string[]).includes(t as string))
    throw validation(ctx, 'AlternateContactType', `AlternateContactType must be one of ${CONTACT_TYPES.join(', ')}.`);
  return t as string;
}

/** The account a call acts on, after the organization checks AWS makes for AccountId. */
function targetAccount(ctx: HandlerContext): string {
  const id = ctx.input.AccountId;
  const caller = ctx.caller.accountId;
  if (id === undefined || id === null) return caller;
  if (typeof id !== 'string' || !/^\d{12}$/.test(id))
    throw validation(ctx, 'AccountId', 'AccountId must be 12 digits.');
  const org = ctx.world.orgOf(caller);
  if (!org || org.managementAccountId !== caller) {
    throw ctx.accessDenied(
      `User: ${ctx.caller.arn} is not authorized to perform this operation on account ${id}: only the management account of an organization (or a delegated administrator) may specify AccountId.`,
    );
  }
  if (id === caller) {
    throw validation(
      ctx,
      'AccountId',
      "The management account can't specify its own AccountId; call the operation without AccountId.",
    );
  }
  if (org.featureSet !== 'ALL' || !ctx.world.hasTrustedAccess(caller, 'account.amazonaws.com')) {
    throw ctx.accessDenied(
      'The request failed because your organization does not have trusted access enabled for the Account Management service (account.amazonaws.com).',
    );
  }
  if (ctx.world.orgOf(id)?.id !== org.id) {
    throw ctx.accessDenied(`The account ${id} is not a member of your organization.`);
  }
  return id;
}

export const account: ServiceModule = {
  name: 'account',
  signingName: 'account',
  protocol: 'restJson',
  route(req) {
    const m = /^\/(putAlternateContact|getAlternateContact|deleteAlternateContact)\/?$/.exec(req.path);
    if (!m || req.method !== 'POST') return undefined;
    return { operation: m[1]![0]!.toUpperCase() + m[1]!.slice(1) };
  },
  operations: {
    PutAlternateContact(ctx) {
      const AlternateContactType = contactType(ctx);
      const rec: ContactRec = {
        AlternateContactType,
        Name: field(ctx, 'Name', 64),
        Title: field(ctx, 'Title', 50),
        EmailAddress: field(ctx, 'EmailAddress', 254, /^[\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*$/),
        PhoneNumber: field(ctx, 'PhoneNumber', 25, /^[\s0-9()+-]+$/),
      };
      storeOf(ctx.world, targetAccount(ctx)).contacts[AlternateContactType] = rec;
      return undefined;
    },

    GetAlternateContact(ctx) {
      const type = contactType(ctx);
      const c = storeOf(ctx.world, targetAccount(ctx)).contacts[type];
      if (!c)
        throw ctx.error('ResourceNotFoundException', 'No contact of the inputted alternate contact type found.', 404);
      return { AlternateContact: { ...c } };
    },

    DeleteAlternateContact(ctx) {
      const type = contactType(ctx);
      const s = storeOf(ctx.world, targetAccount(ctx));
      if (!s.contacts[type])
        throw ctx.error('ResourceNotFoundException', 'No contact of the inputted alternate contact type found.', 404);
      delete s.contacts[type];
      return undefined;
    },
  },
  drift: {
    /** `{service:'account', kind:'contact-removed', account?, type}`: a contact deleted in the console. */
    'contact-removed'(d) {
      const type = String(d.params.type ?? 'SECURITY');
      const s = storeOf(d.world, d.accountId);
      if (!s.contacts[type]) throw d.error(`account ${d.accountId} has no ${type} contact`);
      delete s.contacts[type];
      return { account: d.accountId, removed: type };
    },
    /** `{kind:'contact-changed', account?, type, field?, value?}`: someone edited one field. */
    'contact-changed'(d) {
      const type = String(d.params.type ?? 'SECURITY');
      const c = storeOf(d.world, d.accountId).contacts[type];
      if (!c) throw d.error(`account ${d.accountId} has no ${type} contact`);
      const f = String(d.params.field ?? 'EmailAddress') as keyof ContactRec;
      c[f] = String(d.params.value ?? 'someone-else@example.com');
      return { account: d.accountId, type, field: f, value: c[f] };
    },
  },
};
