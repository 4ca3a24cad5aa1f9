// AWS-shaped errors. A handler throws an AwsError; the protocol layer turns it into the
// wire form the SDK expects (JSON `__type`, query `<ErrorResponse>`, EC2 `<Response>`,
// S3 `<Error>`), with the HTTP status and the request ID.

export interface AwsErrorOptions {
  /** HTTP status (default 400). */
  status?: number;
  /** Extra members serialised beside Code/Message (e.g. Organizations `Reason`, S3 `BucketName`). */
  extra?: Record<string, unknown>;
  /** Query protocols: `Sender` (4xx, default) or `Receiver` (5xx). */
  type?: 'Sender' | 'Receiver';
}

export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  readonly extra: Record<string, unknown>;
  readonly type: 'Sender' | 'Receiver';

  constructor(code: string, message: string, opts: AwsErrorOptions = {}) {
    super(message);
    this.name = 'AwsError';
    this.code = code;
    this.status = opts.status ?? 400;
    this.extra = opts.extra ?? {};
    this.type = opts.type ?? (this.status >= 500 ? 'Receiver' : 'Sender');
  }
}

/** Shorthand: `throw awsError('NoSuchEntity', 'The user cannot be found.', 404)`. */
export function awsError(code: string, message: string, status = 400, extra?: Record<string, unknown>): AwsError {
  return new AwsError(code, message, { status, extra });
}

/** A code + status pair, used by services to name their throttling/denied/internal errors. */
export interface ErrorSpec {
  code: string;
  status: number;
  message?: string;
  /** Extra members, e.g. Organizations' `Reason`. */
  extra?: Record<string, unknown>;
}
