// Wire protocols: how a request's operation and input are read, and how results and
// errors are written back, for each of the five protocols the baseline's services use.
import type { AwsError } from './errors.js';
import type { HttpResult, Protocol, RawRequest, ServiceErrors, ServiceModule } from './types.js';
import { element, escapeXml, parseXml, xmlBody, xmlDocument } from './xml.js';

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** Protocol defaults for framework-generated errors; modules override per service. */
const DEFAULT_ERRORS: Record<Protocol, ServiceErrors> = {
  json: {
    throttling: { code: 'ThrottlingException', status: 400 },
    accessDenied: { code: 'AccessDeniedException', status: 400 },
    internal: { code: 'InternalFailure', status: 500 },
    unavailable: { code: 'ServiceUnavailable', status: 503 },
    unknownOperation: { code: 'UnknownOperationException', status: 400 },
    invalidCredentials: { code: 'UnrecognizedClientException', status: 400 },
    validation: { code: 'ValidationException', status: 400 },
    invalidToken: { code: 'ValidationException', status: 400 },
  },
  restJson: {
    throttling: { code: 'TooManyRequestsException', status: 429 },
    accessDenied: { code: 'AccessDeniedException', status: 403 },
    internal: { code: 'InternalServerException', status: 500 },
    unavailable: { code: 'ServiceUnavailable', status: 503 },
    unknownOperation: { code: 'UnknownOperationException', status: 404 },
    invalidCredentials: { code: 'UnrecognizedClientException', status: 403 },
    validation: { code: 'ValidationException', status: 400 },
    invalidToken: { code: 'ValidationException', status: 400 },
  },
  query: {
    throttling: { code: 'Throttling', status: 400 },
    accessDenied: { code: 'AccessDenied', status: 403 },
    internal: { code: 'InternalFailure', status: 500 },
    unavailable: { code: 'ServiceUnavailable', status: 503 },
    unknownOperation: { code: 'InvalidAction', status: 400 },
    invalidCredentials: { code: 'InvalidClientTokenId', status: 403 },
    validation: { code: 'ValidationError', status: 400 },
    invalidToken: { code: 'ValidationError', status: 400 },
  },
  ec2: {
    throttling: { code: 'RequestLimitExceeded', status: 503 },
    accessDenied: { code: 'UnauthorizedOperation', status: 403 },
    internal: { code: 'InternalError', status: 500 },
    unavailable: { code: 'Unavailable', status: 503 },
    unknownOperation: { code: 'InvalidAction', status: 400 },
    invalidCredentials: { code: 'AuthFailure', status: 401 },
    validation: { code: 'InvalidParameterValue', status: 400 },
    invalidToken: { code: 'InvalidPaginationToken', status: 400 },
  },
  restXml: {
    throttling: { code: 'SlowDown', status: 503 },
    accessDenied: { code: 'AccessDenied', status: 403 },
    internal: { code: 'InternalError', status: 500 },
    unavailable: { code: 'ServiceUnavailable', status: 503 },
    unknownOperation: { code: 'NotImplemented', status: 501 },
    invalidCredentials: { code: 'InvalidAccessKeyId', status: 403 },
    validation: { code: 'InvalidArgument', status: 400 },
    invalidToken: { code: 'InvalidArgument', status: 400 },
  },
};

export function serviceErrors(mod: ServiceModule): ServiceErrors {
  return { ...DEFAULT_ERRORS[mod.protocol], ...mod.errors };
}

export function protocolErrors(protocol: Protocol): ServiceErrors {
  return DEFAULT_ERRORS[protocol];
}

// ---- request side -------------------------------------------------------------------

export type OperationResolution =
  { operation: string; params?: Record<string, unknown> } | { error: 'unknown'; hint: string };

export function resolveOperation(mod: ServiceModule, req: RawRequest): OperationResolution {
  switch (mod.protocol) {
    case 'json': {
      const target = String(req.headers['x-amz-target'] ?? '');
      const dot = target.lastIndexOf('.');
      const prefix = target.slice(0, dot);
      const op = target.slice(dot + 1);
      // AWS accepts a service's short target prefix and its fully qualified form
      // (CloudTrail: `CloudTrail_20131101` and `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101`).
      const known =
        !mod.targetPrefix ||
        prefix === mod.targetPrefix ||
        mod.targetPrefix.endsWith(`.${prefix}`) ||
        prefix.endsWith(`.${mod.targetPrefix}`);
      if (dot < 0 || !known) return { error: 'unknown', hint: target || '(no X-Amz-Target)' };
      return { operation: op };
    }
    case 'query':
    case 'ec2': {
      const form = formFields(req);
      const action = form.get('Action');
      return action ? { operation: action } : { error: 'unknown', hint: '(no Action)' };
    }
    case 'restJson':
    case 'restXml': {
      if (mod.route) {
        const r = mod.route(req);
        return r ?? { error: 'unknown', hint: `${req.method} ${req.path}` };
      }
      // restJson default: POST /operationName (the Account service's style).
      const seg = req.path.split('/').filter(Boolean)[0];
      if (!seg) return { error: 'unknown', hint: `${req.method} ${req.path}` };
      return { operation: seg[0].toUpperCase() + seg.slice(1) };
    }
  }
}

/** Form fields of a query-protocol request (POST body, or the query string for GET). */
export function formFields(req: RawRequest): URLSearchParams {
  const ct = String(req.headers['content-type'] ?? '');
  if (req.method === 'POST' && (ct.includes('x-www-form-urlencoded') || ct === '')) {
    const params = new URLSearchParams(req.body.toString('utf8'));
    for (const [k, v] of req.query) if (!params.has(k)) params.set(k, v);
    return params;
  }
  return req.query;
}

/**
 * Turn flattened query fields into nested input:
 *   Tags.member.1.Key=a → { Tags: [{ Key: 'a' }] }     (awsQuery lists)
 *   Filter.1.Value.1=x  → { Filter: [{ Value: ['x'] }] } (ec2Query lists)
 *   Attrs.entry.1.key=k&Attrs.entry.1.value=v → { Attrs: { k: 'v' } } (maps)
 * Values stay strings; handlers convert numbers/booleans (see validate.ts helpers).
 */
export function parseQueryInput(fields: URLSearchParams): Record<string, unknown> {
  const root: Record<string, any> = {};
  for (const [key, value] of fields) {
    if (key === 'Action' || key === 'Version') continue;
    const parts = key.split('.');
    let node = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) node[part] = value;
      else node = node[part] ??= {};
    });
  }
  return normaliseQueryNode(root) as Record<string, unknown>;
}

function normaliseQueryNode(node: unknown): unknown {
  if (!node || typeof node !== 'object') return node;
  const obj = node as Record<string, unknown>;
  for (const k of Object.keys(obj)) obj[k] = normaliseQueryNode(obj[k]);
  const keys = Object.keys(obj);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => obj[k]);
  }
  if (keys.length === 1 && keys[0] === 'member') return Array.isArray(obj.member) ? obj.member : [obj.member];
  if (keys.length === 1 && keys[0] === 'entry' && Array.isArray(obj.entry)) {
    const map: Record<string, unknown> = {};
    for (const e of obj.entry as Record<string, unknown>[]) map[String(e.key)] = e.value;
    return map;
  }
  return obj;
}

export class BadRequest extends Error {}

/** Parse the input of a request according to the module's protocol. */
export function parseInput(
  mod: ServiceModule,
  req: RawRequest,
  params: Record<string, unknown> = {},
): Record<string, unknown> {
  switch (mod.protocol) {
    case 'json':
    case 'restJson': {
      const text = req.body.toString('utf8').trim();
      let body: unknown = {};
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          throw new BadRequest('Start of structure or map found where not expected.');
        }
      }
      if (!body || typeof body !== 'object' || Array.isArray(body))
        throw new BadRequest('Request body must be a JSON object.');
      return { ...(body as Record<string, unknown>), ...params };
    }
    case 'query':
    case 'ec2':
      return parseQueryInput(formFields(req));
    case 'restXml': {
      // S3-style: route params plus the parsed XML body (raw bytes stay on ctx.req.body).
      let body: Record<string, any> | undefined;
      const ct = String(req.headers['content-type'] ?? '');
      if (req.body.length > 0 && (ct.includes('xml') || req.body.subarray(0, 1).toString() === '<')) {
        try {
          body = parseXml(req.body);
        } catch {
          throw new BadRequest(
            'The XML you provided was not well-formed or did not validate against our published schema',
          );
        }
      }
      return { ...params, ...(body !== undefined ? { Body: body } : {}) };
    }
  }
}

// ---- response side ------------------------------------------------------------------

/** JSON protocols send timestamps as epoch seconds. */
export function toJsonWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toJsonWire);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJsonWire(v);
    return out;
  }
  return value;
}

export function isHttpResult(v: unknown): v is HttpResult {
  return !!v && typeof v === 'object' && (v as HttpResult).$http === true;
}

function requestIdHeaders(protocol: Protocol, requestId: string): Record<string, string> {
  if (protocol === 'restXml')
    return { 'x-amz-request-id': requestId, 'x-amz-id-2': Buffer.from(requestId).toString('base64') };
  return { 'x-amzn-RequestId': requestId };
}

export function serializeResult(
  mod: ServiceModule,
  operation: string,
  output: unknown,
  requestId: string,
): WireResponse {
  const ids = requestIdHeaders(mod.protocol, requestId);
  if (isHttpResult(output)) {
    return { status: output.status ?? 200, headers: { ...ids, ...output.headers }, body: output.body ?? '' };
  }
  switch (mod.protocol) {
    case 'json':
      return {
        status: 200,
        headers: { ...ids, 'content-type': 'application/x-amz-json-1.1' },
        body: JSON.stringify(toJsonWire(output ?? {})),
      };
    case 'restJson':
      return {
        status: 200,
        headers: { ...ids, 'content-type': 'application/json' },
        body: output === undefined ? '' : JSON.stringify(toJsonWire(output)),
      };
    case 'query': {
      const result =
        output === undefined ? '' : element(`${operation}Result`, output, 'member') || `<${operation}Result/>`;
      const meta = `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`;
      const ns = mod.xmlNamespace ? ` xmlns="${mod.xmlNamespace}"` : '';
      return {
        status: 200,
        headers: { ...ids, 'content-type': 'text/xml' },
        body: `<${operation}Response${ns}>${result}${meta}</${operation}Response>`,
      };
    }
    case 'ec2': {
      const ns = ` xmlns="${mod.xmlNamespace ?? 'http://ec2.amazonaws.com/doc/2016-11-15/'}"`;
      return {
        status: 200,
        headers: { ...ids, 'content-type': 'text/xml;charset=UTF-8' },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response${ns}><requestId>${requestId}</requestId>${xmlBody(output, 'item')}</${operation}Response>`,
      };
    }
    case 'restXml':
      // Without an HttpResult, a restXml op returns an empty 200 (e.g. PutBucketPolicy → 204 should use HttpResult).
      return { status: 200, headers: { ...ids }, body: output === undefined ? '' : String(output) };
  }
}

export function serializeError(
  protocol: Protocol,
  err: AwsError,
  requestId: string,
  opts: { errorWrapping?: boolean; head?: boolean } = {},
): WireResponse {
  const ids = requestIdHeaders(protocol, requestId);
  switch (protocol) {
    case 'json':
    case 'restJson':
      return {
        status: err.status,
        headers: {
          ...ids,
          'x-amzn-ErrorType': err.code,
          'content-type': protocol === 'json' ? 'application/x-amz-json-1.1' : 'application/json',
        },
        // Services differ in `message` vs `Message`; the SDK reads either.
        body: JSON.stringify(
          toJsonWire({ __type: err.code, message: err.message, Message: err.message, ...err.extra }),
        ),
      };
    case 'query': {
      const extra = xmlBody(err.extra, 'member');
      return {
        status: err.status,
        headers: { ...ids, 'content-type': 'text/xml' },
        body:
          `<ErrorResponse><Error><Type>${err.type}</Type><Code>${escapeXml(err.code)}</Code>` +
          `<Message>${escapeXml(err.message)}</Message>${extra}</Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      };
    }
    case 'ec2':
      return {
        status: err.status,
        headers: { ...ids, 'content-type': 'text/xml;charset=UTF-8' },
        body:
          `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(err.code)}</Code>` +
          `<Message>${escapeXml(err.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
      };
    case 'restXml': {
      // HEAD responses carry no body; the SDK maps the bare status (404 → NotFound).
      if (opts.head) return { status: err.status, headers: { ...ids }, body: '' };
      const inner = { Code: err.code, Message: err.message, ...err.extra, RequestId: requestId };
      const body = opts.errorWrapping
        ? xmlDocument('ErrorResponse', { Error: inner, RequestId: requestId })
        : xmlDocument('Error', inner);
      return { status: err.status, headers: { ...ids, 'content-type': 'application/xml' }, body };
    }
  }
}
