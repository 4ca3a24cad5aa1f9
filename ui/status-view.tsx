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
  done: { mark: '✓', color: 'green' },
  failed: { mark: '✗', color: 'red' },
  blocked: { mark: '⏸', color: 'cyan' },
  pending: { mark: '·', color: 'gray' },
  none: { mark: '·', color: 'gray' },
};
/** Once AWS was read, the mark follows what it says, never the state file's "done". */
const LIVE_MARK: Partial<Record<Live, { mark: string; color: string }>> = {
  ok: { mark: '✓', color: 'green' },
  drift: { mark: '~', color: 'yellow' },
  manual: { mark: '!', color: 'cyan' },
  error: { mark: '✗', color: 'red' },
};
const LIVE_COLOR: Record<Live, string> = {
  checking: 'gray',
  ok: 'green',
  drift: 'yellow',
  manual: 'cyan',
  error: 'red',
  'not checked': 'gray',
};

export function StatusView(p: {
  model: StatusModel;
  live: Record<string, { live: Live; detail?: string }>;
  footer?: string;
}) {
  const { model } = p;
  return (
    <Box flexDirection="column">
      <Text bold>secure-start status</Text>
      <Text
        dimColor
      >{`${model.stateFile} · account ${model.account ?? 'unknown'}${model.updated ? ` · updated ${model.updated}` : ''}`}</Text>
      <Text dimColor>
        Each step: what the state file says, then what a read-only look at AWS says now (the mark follows AWS once it is
        read).
      </Text>
      <Box flexDirection="column" marginTop={1}>
        {model.steps.map((s) => {
          const live = p.live[s.id];
          const mark = (live && LIVE_MARK[live.live]) ?? SAVED[s.saved ?? 'none']!;
          const differs = live?.live === 'drift' || live?.live === 'error';
          return (
            <Box key={s.id} flexDirection="column" marginLeft={Math.min(s.depth, 6) * 2}>
              <Box>
                <Text color={mark.color}>{`${mark.mark} `}</Text>
                <Box flexGrow={1}>
                  <Text>{s.title}</Text>
                </Box>
                <Text dimColor>{` state file: ${s.saved ?? 'not run'}`}</Text>
                {live ? <Text color={LIVE_COLOR[live.live]}>{` · AWS: ${live.live}`}</Text> : null}
              </Box>
              {s.error ? <Text color="red">{`    state file: ${s.error}`}</Text> : null}
              {live?.detail ? <Text color={LIVE_COLOR[live.live]}>{`    AWS: ${live.detail}`}</Text> : null}
              {s.resources.map(([k, v]) => (
                <Text
                  key={k}
                  dimColor
                  wrap="truncate-middle"
                >{`    ${k} = ${v} (state file${differs ? '; AWS differs, see above' : ''})`}</Text>
              ))}
            </Box>
          );
        })}
      </Box>
      {model.inflight.length ? (
        <Box flexDirection="column" marginTop={1}>
          <Text bold>Waiting on AWS (from the state file)</Text>
          {model.inflight.map((l) => (
            <Text key={l}>{`  ${l}`}</Text>
          ))}
        </Box>
      ) : null}
      <Box marginTop={1}>
        <Text dimColor>{`${model.journal} changes recorded in the state file.`}</Text>
      </Box>
      {p.footer ? <Text>{p.footer}</Text> : null}
    </Box>
  );
}

function App(p: { model: StatusModel; check?: LiveCheck }) {
  const { exit } = useApp();
  const [live, setLive] = useState<Record<string, { live: Live; detail?: string }>>(() =>
    Object.fromEntries(p.model.steps.map((s) => [s.id, { live: (p.check ? 'checking' : 'not checked') as Live }])),
  );
  const [footer, setFooter] = useState<string | undefined>(p.check ? 'Reading AWS (read-only)…' : undefined);
  const [done, setDone] = useState(!p.check);
  useEffect(() => {
    p.check?.((step, l, detail) => setLive((old) => ({ ...old, [step]: { live: l, ...(detail ? { detail } : {}) } })))
      .then(
        (line) => setFooter(line),
        (e: Error) => {
          setFooter(`AWS not checked: ${e.message.split('\n')[0]}`);
          setLive((old) => Object.fromEntries(Object.keys(old).map((k) => [k, { live: 'not checked' as Live }])));
        },
      )
      .finally(() => setDone(true));
  }, []);
  // Exit after the last frame (with the footer) has been drawn.
  useEffect(() => {
    if (done) exit();
  }, [done]);
  return <StatusView model={p.model} live={live} footer={footer} />;
}

/** Renders until the live check is done, then leaves the last frame on the screen. */
export async function showStatus(
  model: StatusModel,
  check?: LiveCheck,
  out: NodeJS.WriteStream = process.stdout,
): Promise<void> {
  const app = render(<App model={model} check={check} />, { stdout: out });
  await app.waitUntilExit();
  // ink leaves the cursor at the end of its last frame: the shell's prompt would follow on
  // the same line.
  out.write('\n');
}
