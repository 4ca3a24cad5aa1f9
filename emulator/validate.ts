// Input validation helpers shared by service modules. Each service decides which AWS error
// a problem becomes (Organizations: InvalidInputException + Reason; IAM: ValidationError;
// most JSON services: ValidationException) by passing its own `fail`.

export type Problem =
  'required' | 'type' | 'min-length' | 'max-length' | 'pattern' | 'enum' | 'min-value' | 'max-value';
export type Fail = (field: string, problem: Problem, message: string) => never;

type Input = Record<string, unknown>;

export interface StrRules {
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
}

/** AWS's own wording for model validation ("1 validation error detected: …"). */
export function modelMessage(field: string, value: unknown, constraint: string): string {
  const shown = value === undefined ? 'null' : `'${String(value)}'`;
  return `1 validation error detected: Value ${shown} at '${field}' failed to satisfy constraint: ${constraint}`;
}

export function str(input: Input, field: string, rules: StrRules, fail: Fail): string | undefined {
  const v = input[field];
  if (v === undefined || v === null) {
    if (rules.required) fail(field, 'required', modelMessage(lc(field), undefined, 'Member must not be null'));
    return undefined;
  }
  if (typeof v !== 'string') return fail(field, 'type', `Value for '${field}' must be a string`);
  if (rules.min !== undefined && v.length < rules.min)
    fail(
      field,
      'min-length',
      modelMessage(lc(field), v, `Member must have length greater than or equal to ${rules.min}`),
    );
  if (rules.max !== undefined && v.length > rules.max)
    fail(field, 'max-length', modelMessage(lc(field), v, `Member must have length less than or equal to ${rules.max}`));
  if (rules.pattern && !rules.pattern.test(v))
    fail(
      field,
      'pattern',
      modelMessage(lc(field), v, `Member must satisfy regular expression pattern: ${rules.pattern.source}`),
    );
  return v;
}

export function int(
  input: Input,
  field: string,
  rules: { required?: boolean; min?: number; max?: number },
  fail: Fail,
): number | undefined {
  const raw = input[field];
  if (raw === undefined || raw === null || raw === '') {
    if (rules.required) fail(field, 'required', modelMessage(lc(field), undefined, 'Member must not be null'));
    return undefined;
  }
  const v = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(v)) return fail(field, 'type', `Value '${String(raw)}' for '${field}' is not an integer`);
  if (rules.min !== undefined && v < rules.min)
    fail(
      field,
      'min-value',
      modelMessage(lc(field), v, `Member must have value greater than or equal to ${rules.min}`),
    );
  if (rules.max !== undefined && v > rules.max)
    fail(field, 'max-value', modelMessage(lc(field), v, `Member must have value less than or equal to ${rules.max}`));
  return v;
}

/** Booleans arrive as JSON booleans or as 'true'/'false' strings (query protocols). */
export function bool(input: Input, field: string, fail: Fail): boolean | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  return fail(field, 'type', `Value '${String(v)}' for '${field}' is not a boolean`);
}

export function oneOf<T extends string>(
  input: Input,
  field: string,
  values: readonly T[],
  rules: { required?: boolean },
  fail: Fail,
): T | undefined {
  const v = input[field];
  if (v === undefined || v === null) {
    if (rules.required) fail(field, 'required', modelMessage(lc(field), undefined, 'Member must not be null'));
    return undefined;
  }
  if (!values.includes(v as T))
    fail(field, 'enum', modelMessage(lc(field), v, `Member must satisfy enum value set: [${values.join(', ')}]`));
  return v as T;
}

function lc(field: string): string {
  return field[0].toLowerCase() + field.slice(1);
}
