// `npm test` starts here: on a Node older than the CLI needs, every end-to-end test would fail
// one by one (the built CLI refuses to start); say it once, clearly, and stop.
import { oldNodeMessage } from './node-version.mjs';

const msg = oldNodeMessage(
  process.versions.node,
  'source scripts/node-env.sh (it fetches Node 24 from the npm registry into .tools/), then run the tests again.',
  { cloudShell: false },
);
if (msg) {
  process.stderr.write(msg);
  process.exit(2);
}
