// Plain, line-by-line rendering of engine events: for CI, pipes, and terminals where the
// richer listr2 view is off. Messages go to stderr; results go to stdout elsewhere.
import type { IoEvent, IoHost } from '../../engine/io.js';
import { style, type Style } from '../style.js';

export function fmtDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export class LinesIoHost implements IoHost {
  private readonly st: Style;
  private lastProgress = new Map<string, number>();
  /** Step titles by ID (from run-start): lines name steps in words, never by ID. */
  private titles = new Map<string, string>();

  /** quiet: plan/verify print their result on stdout; only problems go to stderr. */
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly o: { verbose: boolean; color: boolean; quiet?: boolean },
  ) {
    this.st = style(o.color);
  }

  private line(s: string): void {
    this.out.write(`${s}\n`);
  }

  notify(e: IoEvent): void {
    const st = this.st;
    switch (e.type) {
      case 'run-start':
        for (const x of e.steps) this.titles.set(x.id, x.title);
        // plan and verify say it in their own report (quiet).
        if (e.offline && !this.o.quiet)
          this.line(st.yellow('No AWS credentials found: planning for a brand-new account.'));
        break;
      case 'step-start':
        if (this.o.verbose) this.line(st.dim(`… ${e.title}`));
        break;
      case 'action-start':
        this.line(`  ${e.action.summary}`);
        break;
      case 'action-done':
        if (this.o.verbose) this.line(st.dim(`    done in ${fmtDuration(e.ms)}`));
        break;
      case 'action-failed':
        this.line(st.red(`  ✗ ${e.action.summary}: ${e.error.message}`));
        if (this.o.verbose && e.error.code)
          this.line(
            st.dim(`    AWS error ${e.error.code}${e.error.requestId ? `, request ${e.error.requestId}` : ''}`),
          );
        break;
      case 'progress': {
        // At most one line every 15 seconds per wait, so CI logs stay readable.
        const last = this.lastProgress.get(e.message) ?? -Infinity;
        if (e.elapsedMs - last >= 15_000 || this.o.verbose) {
          this.lastProgress.set(e.message, e.elapsedMs);
          this.line(st.dim(`    ${e.message}… ${fmtDuration(e.elapsedMs)}`));
        }
        break;
      }
      case 'retry':
        if (this.o.verbose)
          this.line(
            st.dim(
              `    retry: ${e.service}:${e.operation} attempt ${e.attempt} failed with ${e.error}; retrying with backoff`,
            ),
          );
        break;
      case 'manual':
        // In plan and verify (quiet) the report lists the console steps itself.
        if (!e.action.manual?.blocking && !this.o.quiet) this.line(st.cyan(`  ${e.action.summary}`)); // starts with its '!'
        break;
      case 'log':
        this.line(e.level === 'warn' ? st.yellow(`  ⚠ ${e.message}`) : `  ${e.message}`);
        break;
      case 'step-done': {
        if (this.o.quiet && e.status !== 'failed') break;
        const mark = {
          ok: st.green('✓'),
          changed: st.green('✓'),
          drift: st.yellow('~'),
          manual: st.cyan('!'),
          blocked: st.cyan('⏸'),
          failed: st.red('✗'),
          skipped: st.dim('-'),
          interrupted: st.yellow('■'),
        }[e.status];
        const title = this.titles.get(e.step) ?? e.step;
        const extra =
          e.status === 'changed'
            ? ` (${e.actions.length} change${e.actions.length === 1 ? '' : 's'})`
            : e.status === 'ok'
              ? ''
              : ` ${e.status}`;
        this.line(`${mark} ${title}${extra}${e.error && e.status !== 'failed' ? st.dim(` — ${e.error.message}`) : ''}`);
        if (e.status === 'failed' && e.error) this.line(st.red(`  ${e.error.message}`));
        break;
      }
    }
  }
}

/** The --json events' shape (every line carries it); raise it when a field changes meaning or goes away. */
export const EVENTS_SCHEMA_VERSION = 1;

/** One JSON object per line: for --json runs (every event), and stderr under --json (`keep`). */
export class JsonLinesIoHost implements IoHost {
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly keep: (e: IoEvent) => boolean = () => true,
  ) {}
  notify(e: IoEvent): void {
    if (!this.keep(e)) return;
    this.out.write(
      `${JSON.stringify({ schemaVersion: EVENTS_SCHEMA_VERSION, ...e, time: new Date().toISOString() })}\n`,
    );
  }
}

/**
 * What goes to stderr under --json, as JSON lines: every failure (with the operation that
 * failed) and warning, and with --verbose every retry. stdout keeps the command's own output.
 */
export const problems =
  (verbose: boolean) =>
  (e: IoEvent): boolean =>
    (e.type === 'step-done' && e.status === 'failed') ||
    e.type === 'action-failed' ||
    (e.type === 'log' && e.level === 'warn') ||
    (verbose && e.type === 'retry');

/** Sends every event to each host. */
export class TeeIoHost implements IoHost {
  private readonly hosts: IoHost[];
  constructor(...hosts: IoHost[]) {
    this.hosts = hosts;
  }
  notify(e: IoEvent): void {
    for (const h of this.hosts) h.notify(e);
  }
}
