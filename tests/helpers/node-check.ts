// Vitest global setup: on a Node older than the CLI needs, every end-to-end test would fail
// one by one (the built CLI refuses to start). Stop once, with the CLI's own message.
import { oldNodeMessage } from '../../scripts/node-version.mjs';

export default function setup(): void {
  const msg = oldNodeMessage(
    process.versions.node,
    'source scripts/node-env.sh (it fetches Node 24 from the npm registry into .tools/), then run the tests again.',
    { cloudShell: false },
  );
  if (msg) {
    process.stderr.write(msg);
    process.exit(2);
  }
}
