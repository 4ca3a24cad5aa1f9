// Small comparisons shared by the budget and anomaly steps: AWS echoes amounts back as
// strings ("250.0") and may change the case of email addresses, so compare by meaning.

/** '250', '250.0' and 250 are the same amount. */
export function sameAmount(a: string | number | undefined, b: string | number | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const x = Number(a);
  const y = Number(b);
  return Number.isFinite(x) && Number.isFinite(y) && Math.abs(x - y) < 1e-9;
}

export const normEmail = (e: string): string => e.trim().toLowerCase();

/** Addresses in `want` missing from `have`, and in `have` missing from `want` (case-insensitive). */
export function emailDiff(want: string[], have: string[]): { missing: string[]; extra: string[] } {
  const w = new Set(want.map(normEmail));
  const h = new Set(have.map(normEmail));
  return {
    missing: want.filter((e, i) => !h.has(normEmail(e)) && want.findIndex((x) => normEmail(x) === normEmail(e)) === i),
    extra: have.filter((e) => !w.has(normEmail(e))),
  };
}

export function sameEmails(want: string[], have: string[]): boolean {
  const d = emailDiff(want, have);
  return d.missing.length === 0 && d.extra.length === 0;
}

/** Shows a short list: 'a@x, b@x' or 'a@x, b@x and 3 more'. */
export function shortList(items: string[], max = 2): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
