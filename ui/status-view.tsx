// `secure-start status` on a terminal: the step graph with what the state file remembers
// and what AWS says now (a read-only check that fills in live), and each step's resources.
// Loaded only by `status` (ink and React are their own chunk).
import { useEffect, useState } from 'react';
import { Box, Text, render, useApp } from 'ink';

export type Live = 'checking' | 'ok' | 'drift' | 'manual' | 'error' | 'not checked';

export interface StatusStep {
  id: string;
  title: string;
  /** Depth in the graph: how many steps must come before it (for indentation). */
  depth: number;
  needs: string[];
  saved?: 'done' | 'failed' | 'blocked' | 'pending';
  error?: string;
  resources: [string, string][];
}

export interface StatusModel {
  stateFile: string;
  account?: string;
  updated?: string;
  steps: StatusStep[];
  inflight: string[];
  journal: number;
}

/** Reports each step's live status as AWS is read; resolves with a closing line. */
export type LiveCheck = (report: (step: string, live: Live, detail?: string) => void) => Promise<string>;

const SAVED: Record<string, { mark: string; color: string }> = {
  done: { mark: '✓', color: 'green' }, failed: { mark: '✗', color: 'red' }, blocked: { mark: '⏸', color: 'cyan' },
  pending: { mark: '·', color: 'gray' }, none: { mark: '·', color: 'gray' },
};
const LIVE_COLOR: Record<Live, string> = { checking: 'gray', ok: 'green', drift: 'yellow', manual: 'cyan', error: 'red', 'not checked': 'gray' };

export function StatusView(p: { model: StatusModel; live: Record<string, { live: Live; detail?: string }>; footer?: string }) {
  const { model } = p;
  return (
    <Box flexDirection="column">
      <Text bold>secure-start status</Text>
      <Text dimColor>{`${model.stateFile} · account ${model.account ?? 'unknown'}${model.updated ? ` · updated ${model.updated}` : ''}`}</Text>
      <Box flexDirection="column" marginTop={1}>
        {model.steps.map((s) => {
          const saved = SAVED[s.saved ?? 'none']!;
          const live = p.live[s.id];
          return (
            <Box key={s.id} flexDirection="column" marginLeft={Math.min(s.depth, 6) * 2}>
              <Box>
                <Text color={saved.color}>{`${saved.mark} `}</Text>
                <Box flexGrow={1}><Text>{s.title}</Text></Box>
                {live ? <Text color={LIVE_COLOR[live.live]}>{` ${live.live}`}</Text> : null}
              </Box>
              {s.error ? <Text color="red">{`    ${s.error}`}</Text> : null}
              {live?.detail ? <Text color={LIVE_COLOR[live.live]}>{`    ${live.detail}`}</Text> : null}
              {s.resources.map(([k, v]) => <Text key={k} dimColor wrap="truncate-middle">{`    ${k} = ${v}`}</Text>)}
            </Box>
          );
        })}
      </Box>
      {model.inflight.length ? (
        <Box flexDirection="column" marginTop={1}>
          <Text bold>Waiting on AWS</Text>
          {model.inflight.map((l) => <Text key={l}>{`  ${l}`}</Text>)}
        </Box>
      ) : null}
      <Box marginTop={1}><Text dimColor>{`${model.journal} changes recorded in the state file.`}</Text></Box>
      {p.footer ? <Text>{p.footer}</Text> : null}
    </Box>
  );
}

function App(p: { model: StatusModel; check?: LiveCheck }) {
  const { exit } = useApp();
  const [live, setLive] = useState<Record<string, { live: Live; detail?: string }>>(() =>
    Object.fromEntries(p.model.steps.map((s) => [s.id, { live: (p.check ? 'checking' : 'not checked') as Live }])));
  const [footer, setFooter] = useState<string | undefined>(p.check ? 'Reading AWS (read-only)…' : undefined);
  const [done, setDone] = useState(!p.check);
  useEffect(() => {
    p.check?.((step, l, detail) => setLive((old) => ({ ...old, [step]: { live: l, ...(detail ? { detail } : {}) } })))
      .then((line) => setFooter(line), (e: Error) => {
        setFooter(`AWS not checked: ${e.message.split('\n')[0]}`);
        setLive((old) => Object.fromEntries(Object.keys(old).map((k) => [k, { live: 'not checked' as Live }])));
      })
      .finally(() => setDone(true));
  }, []);
  // Exit after the last frame (with the footer) has been drawn.
  useEffect(() => {
    if (done) exit();
  }, [done]);
  return <StatusView model={p.model} live={live} footer={footer} />;
}

/** Renders until the live check is done, then leaves the last frame on the screen. */
export async function showStatus(model: StatusModel, check?: LiveCheck): Promise<void> {
  const app = render(<App model={model} check={check} />);
  await app.waitUntilExit();
}
