/**
 * Runs `fn` over items with at most `limit` at once, keeping the order of results. Steps use
 * it for per-account or per-region reads so a 200-account organization does not start 200
 * requests at once (the AWS factory also caps requests in flight per service).
 */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }));
  return out;
}
