// Renders a JSON template from templates/: placeholders `{{name}}` are filled from `vars`,
// then the document is minified (AWS counts SCP characters with the whitespace).
// A string that is exactly one placeholder takes the variable's value as is, so a list
// (e.g. regions) becomes a JSON array; a placeholder inside a longer string must be text.
// Values are inserted into the parsed document, never spliced into JSON text, so no value
// can break the JSON. A missing or unused variable is an error: a typo must not ship a policy
// with a hole in it.
import scpGuardrails from './scp-guardrails.json' with { type: 'json' };
import scpLogProtection from './scp-log-protection.json' with { type: 'json' };
import scpRegionGuard from './scp-region-guard.json' with { type: 'json' };

/** Every template, by file name without `.json` (bundled: no file is read at run time). */
export const TEMPLATES: Record<string, unknown> = {
  'scp-guardrails': scpGuardrails,
  'scp-log-protection': scpLogProtection,
  'scp-region-guard': scpRegionGuard,
};

export type TemplateVars = Record<string, string | string[]>;

const PLACEHOLDER = /\{\{([A-Za-z][A-Za-z0-9_]*)\}\}/g;
const WHOLE = /^\{\{([A-Za-z][A-Za-z0-9_]*)\}\}$/;

export class TemplateError extends Error {
  override name = 'TemplateError';
}

/** Fills the placeholders of a parsed document (a copy is returned). */
export function renderDocument(doc: unknown, vars: TemplateVars, what = 'template'): unknown {
  const used = new Set<string>();
  const get = (key: string) => {
    if (!Object.hasOwn(vars, key)) throw new TemplateError(`${what}: no value for {{${key}}}`);
    used.add(key);
    return vars[key]!;
  };
  const fill = (s: string): unknown => {
    const whole = WHOLE.exec(s);
    if (whole) return get(whole[1]!);
    return s.replace(PLACEHOLDER, (_m, key: string) => {
      const v = get(key);
      if (typeof v !== 'string')
        throw new TemplateError(`${what}: {{${key}}} is inside a string, so its value must be text, not a list`);
      return v;
    });
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return fill(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => {
          if (k.includes('{{')) throw new TemplateError(`${what}: placeholders are not allowed in keys ("${k}")`);
          return [k, walk(x)];
        }),
      );
    }
    return v;
  };
  const out = walk(doc);
  const unused = Object.keys(vars).filter((k) => !used.has(k));
  if (unused.length) throw new TemplateError(`${what}: variables not used by the template: ${unused.join(', ')}`);
  return out;
}

/** The template `name` with `vars` filled in, as minified JSON text. */
export function renderTemplate(name: string, vars: TemplateVars): string {
  const doc = TEMPLATES[name];
  if (doc === undefined)
    throw new TemplateError(`unknown template "${name}" (known: ${Object.keys(TEMPLATES).join(', ')})`);
  return JSON.stringify(renderDocument(doc, vars, name));
}
