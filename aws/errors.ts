// Telling AWS errors apart, in one place. The SDK names an error after its AWS error code
// (`e.name === 'ConflictException'`); an error the SDK has no shape for (some S3 XML
// errors) keeps the code in `Code` and a generic name. Steps and the UI ask through these
// two functions instead of reading `name` / `Code` themselves.

/** Names the SDK gives an error it could not identify: the code, if any, is in `Code`. */
const GENERIC = new Set(['', 'Error', 'Unknown', 'UnknownError']);

/** The AWS error code of `e` ('ConflictException', 'NoSuchBucket', 'CredentialsProviderError'…), or '' when it has none. */
export function awsErrorName(e: unknown): string {
  if (typeof e !== 'object' || e === null) return '';
  const { name, Code } = e as { name?: unknown; Code?: unknown };
  const n = typeof name === 'string' ? name : '';
  if (GENERIC.has(n) && typeof Code === 'string' && Code) return Code;
  return n;
}

/** Whether `e` is an AWS error with one of these codes (its SDK name or its `Code`). */
export function isAwsError(e: unknown, ...names: string[]): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { name, Code } = e as { name?: unknown; Code?: unknown };
  return (typeof name === 'string' && names.includes(name)) || (typeof Code === 'string' && names.includes(Code));
}
