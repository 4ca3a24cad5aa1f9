import { describe, expect, it } from 'vitest';
import { awsErrorName, isAwsError } from '../../aws/errors.js';

const sdkError = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error('boom'), { name, $metadata: {}, ...extra });

describe('awsErrorName', () => {
  it('is the SDK name of a modeled error', () => {
    expect(awsErrorName(sdkError('ConflictException'))).toBe('ConflictException');
  });
  it('is the Code of an error the SDK could not name', () => {
    expect(awsErrorName(sdkError('Unknown', { Code: 'NoSuchObjectLockConfiguration' }))).toBe(
      'NoSuchObjectLockConfiguration',
    );
    expect(awsErrorName(sdkError('Error', { Code: 'OperationAborted' }))).toBe('OperationAborted');
  });
  it('is empty for things that are not errors', () => {
    for (const e of [undefined, null, 'ConflictException', 42, {}]) expect(awsErrorName(e)).toBe('');
  });
});

describe('isAwsError', () => {
  it('matches any of the names given', () => {
    const e = sdkError('TooManyRequestsException');
    expect(isAwsError(e, 'ConcurrentModificationException', 'TooManyRequestsException')).toBe(true);
    expect(isAwsError(e, 'ConcurrentModificationException')).toBe(false);
  });
  it('matches the Code too (S3 errors without a modeled shape)', () => {
    expect(isAwsError(sdkError('Unknown', { Code: 'NoSuchBucket' }), 'NoSuchBucket')).toBe(true);
  });
  it('is false for non-errors and for no names', () => {
    expect(isAwsError(undefined, 'X')).toBe(false);
    expect(isAwsError('ConflictException', 'ConflictException')).toBe(false);
    expect(isAwsError(sdkError('ConflictException'))).toBe(false);
  });
});
