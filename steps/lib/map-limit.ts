import { Limiter } from '../../aws/limiter.js';

/**
 * Runs `fn` over items with at most `limit` at once, keeping the order of results. Steps use
 * it for per-account or per-region reads so a 200-account organization does not start 200
 * requests at once (the AWS factory also caps requests in flight per service).
 */
export function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const limiter = new Limiter(Math.max(1, limit));
  return Promise.all(items.map((t) => limiter.run(() => fn(t))));
}
