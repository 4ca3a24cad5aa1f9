// Control API under /_emulator/ (no AWS service uses that path). JSON in, JSON out.
// Every route maps to an Emulator method, so tests in-process and harnesses over HTTP
// see the same behaviour.
import type { Emulator } from './emulator.js';
import type { FaultRule, FaultSpec } from './faults.js';
import type { HoldSpec } from './hold.js';
import type { ScenarioOptions } from './scenarios.js';

export interface ControlResponse {
  status: number;
  body: unknown;
}

export async function handleControl(
  emu: Emulator,
  method: string,
  url: URL,
  rawBody: Buffer,
): Promise<ControlResponse> {
  const route = `${method} ${url.pathname.replace(/^\/_emulator\//, '').replace(/\/$/, '')}`;
  let body: Record<string, any> = {};
  try {
    const text = rawBody.toString('utf8').trim();
    if (text) body = JSON.parse(text);
  } catch {
    return { status: 400, body: { error: 'body must be JSON' } };
  }
  const q = url.searchParams;
  try {
    switch (route) {
      case 'GET health':
        return ok({ ok: true, url: emu.url, scenario: emu.scenario });
      case 'POST reset':
        emu.reset((body.scenario as string | ScenarioOptions | undefined) ?? 'fresh');
        return ok({ ok: true, scenario: emu.scenario });
      case 'POST scenario':
        emu.reset((body.name ?? body.options ?? body) as string | ScenarioOptions);
        return ok({ ok: true, scenario: emu.scenario });
      case 'GET state':
        return ok(emu.state({ raw: q.get('raw') === '1' || q.get('raw') === 'true' }));
      case 'GET calls': {
        const mutating = q.get('mutating');
        return ok(
          emu.calls({
            service: q.get('service') ?? undefined,
            operation: q.get('operation') ?? undefined,
            account: q.get('account') ?? undefined,
            mutating: mutating === null ? undefined : mutating === 'true' || mutating === '1',
          }),
        );
      }
      case 'GET inflight':
        return ok(emu.inFlightPeaks());
      case 'DELETE calls':
        emu.clearCalls();
        return ok({ ok: true });
      case 'GET faults':
        return ok(emu.faults.list());
      case 'POST faults':
        emu.setFaults(Array.isArray(body) ? (body as FaultRule[]) : (body as FaultSpec));
        return ok({ ok: true, rules: emu.faults.list() });
      case 'POST faults/add':
        emu.addFault(body as FaultRule);
        return ok({ ok: true, rules: emu.faults.list() });
      case 'DELETE faults':
        emu.clearFaults();
        return ok({ ok: true });
      case 'GET latency':
        return ok(latencyOut(emu));
      case 'POST latency':
        emu.setLatency(body);
        return ok(latencyOut(emu));
      case 'POST config':
        return ok(emu.configure(body));
      case 'POST hold':
        emu.hold(body as HoldSpec);
        return ok(emu.holdStatus());
      case 'GET hold': {
        // ?wait=MS long-polls until a call is held (or the wait ends).
        const wait = Number(q.get('wait') ?? 0);
        if (wait > 0 && !emu.holdStatus().held) await emu.waitForHold(wait).catch(() => undefined);
        return ok(emu.holdStatus());
      }
      case 'DELETE hold':
        emu.holds.disarm();
        return ok(emu.holdStatus());
      case 'POST release':
        return ok({ released: emu.release() });
      case 'POST flush':
        emu.flushAsync();
        return ok({ ok: true });
      case 'POST console/enable-identity-center':
        return ok(emu.enableIdentityCenter(body.region));
      case 'POST console/sso-login':
        return ok(emu.ssoLogin(String(body.userName), body.region));
      case 'POST console/root-mfa':
        emu.setRootMfa(body.enabled !== false, body.account);
        return ok({ ok: true });
      case 'GET drift':
        return ok(emu.driftKinds());
      case 'POST drift': {
        const { service, kind, ...params } = body;
        return ok({ ok: true, result: emu.drift(String(service), String(kind), params) ?? null });
      }
      case 'GET credentials':
        return ok(emu.env(q.get('account') ?? 'management'));
      default:
        return { status: 404, body: { error: `no control route ${route}` } };
    }
  } catch (e) {
    return { status: 400, body: { error: (e as Error).message } };
  }
}

function ok(body: unknown): ControlResponse {
  return { status: 200, body };
}

function latencyOut(emu: Emulator) {
  return {
    profile: emu.latency.profile.name,
    scale: emu.latency.scale,
    overrides: emu.latency.overrides,
    behaviours: { ...emu.latency.profile.behaviours, ...emu.latency.behaviours },
  };
}
