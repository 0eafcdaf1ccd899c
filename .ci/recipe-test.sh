#!/usr/bin/env bash
# The README's CI recipe, run as written: the shell block between <!-- ci-recipe --> and
# <!-- /ci-recipe --> is extracted from README.md and run by bash (with -eo pipefail, as GitHub
# Actions does, and without) in a copy of the repository, with a tiny ./e2e.sh as the tests;
# then `mockserver run -- npm test` in a tiny Node project. Each run must leave the reports, carry
# the right exit code, and leave nothing listening.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

fail() { echo ".ci/recipe-test.sh: $*" >&2; exit 1; }
for tool in curl node npm timeout shuf; do
  command -v "$tool" >/dev/null || fail "needs $tool (apt-get install curl nodejs npm coreutils)"
done

tmp=$(mktemp -d)
# On the way out, whatever happened: no mock the recipe started (run from the copy) is left.
cleanup() {
  for pid in $(pgrep -f 'bin/mockserver' || true); do
    if [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$tmp/repo" ]; then kill "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

awk '/^<!-- ci-recipe -->$/ {on=1; next} /^<!-- \/ci-recipe -->$/ {on=0} on' README.md |
  sed -e '1{/^```/d}' -e '${/^```/d}' >"$tmp/recipe.sh"
grep -q 'mockserver wait' "$tmp/recipe.sh" || fail "no recipe between <!-- ci-recipe --> markers in README.md"
grep -q '^```' "$tmp/recipe.sh" && fail "the recipe block in README.md is not one fenced block"

# A copy of what the recipe builds and serves.
mkdir "$tmp/repo"
cp -r go.mod go.sum cmd mockserver specs fixtures "$tmp/repo/"

# A free port (the recipe reads MOCKSERVER_PORT; its default is 4010).
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=
for p in $(shuf -i 20000-40000 -n 20); do
  if ! listening "$p"; then port=$p; break; fi
done
[ -n "$port" ] || fail "no free port"

# ./e2e.sh, the tests: the image update, valid or invalid as E2E_BODY says, then exit E2E_EXIT
# (a valid request not answered 200 fails them).
cat >"$tmp/repo/e2e.sh" <<'EOF'
#!/usr/bin/env bash
body='{"content_type":"image/png","image":"aGk="}'
[ "$E2E_BODY" = invalid ] && body='{"content_type":5}'
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT "http://127.0.0.1:$MOCKSERVER_PORT/api/web/namespaces/system/user/settings/image" \
  -H 'Authorization: APIToken t' -H 'Content-Type: application/json' -d "$body")
echo "e2e: $E2E_BODY request answered $code"
if [ "$E2E_BODY" = valid ] && [ "$code" != 200 ]; then exit 1; fi
exit "$E2E_EXIT"
EOF
chmod +x "$tmp/repo/e2e.sh"

# recipe NAME SHELL_FLAGS BODY EXIT WANT: runs the recipe with bash SHELL_FLAGS, ./e2e.sh sending
# a BODY (valid or invalid) request and exiting EXIT; the recipe must exit WANT.
recipe() {
  local name=$1 flags=$2 body=$3 exit_code=$4 want=$5 code=0
  (
    cd "$tmp/repo"
    rm -rf reports
    E2E_BODY=$body E2E_EXIT=$exit_code MOCKSERVER_PORT=$port timeout 60 bash $flags "$tmp/recipe.sh"
  ) >"$tmp/out" 2>&1 || code=$?
  if [ "$code" != "$want" ]; then
    cat "$tmp/out" >&2
    fail "$name: exit code $code, want $want"
  fi
  for f in contract.json contract.xml; do
    [ -s "$tmp/repo/reports/$f" ] || { cat "$tmp/out" >&2; fail "$name: no reports/$f"; }
  done
  if listening "$port"; then fail "$name: something still listens on port $port"; fi
  if pgrep -f "$tmp/repo/bin/mockserver" >/dev/null; then fail "$name: a mockserver is still running"; fi
  echo "recipe: $name: exit $code, reports written, port free"
}

recipe "passing tests (bash -e)" "-eo pipefail" valid 0 0
recipe "passing tests (bash)" "" valid 0 0
recipe "a request breaks the contract (bash -e)" "-eo pipefail" invalid 0 3
recipe "a request breaks the contract (bash)" "" invalid 0 3
recipe "the tests fail: their code wins (bash -e)" "-eo pipefail" invalid 4 4

# `mockserver run -- npm test` in a Node project.
bin="$tmp/repo/bin/mockserver"
node_project="$tmp/node"
mkdir "$node_project"
cat >"$node_project/package.json" <<'EOF'
{ "name": "recipe-test", "version": "1.0.0", "private": true, "scripts": { "test": "node test.js" } }
EOF
cat >"$node_project/test.js" <<'EOF'
const fs = require("fs");
const base = process.env.MOCKSERVER_URL;
fs.writeFileSync("mock-url", base);
const body = process.env.E2E_BODY === "invalid" ? { content_type: 5 } : { content_type: "image/png", image: "aGk=" };
fetch(`${base}/api/web/namespaces/system/user/settings/image`, {
  method: "PUT",
  headers: { Authorization: "APIToken t", "Content-Type": "application/json" },
  body: JSON.stringify(body),
}).then((res) => {
  console.log(`test.js: ${res.status}`);
  if (process.env.E2E_BODY !== "invalid" && res.status !== 200) process.exit(1);
  process.exit(Number(process.env.E2E_EXIT || 0));
}, (err) => {
  console.error(err);
  process.exit(1);
});
EOF

npm_run() {
  local name=$1 body=$2 exit_code=$3 want=$4 code=0
  (
    cd "$node_project"
    rm -rf reports mock-url
    E2E_BODY=$body E2E_EXIT=$exit_code NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false \
      timeout 60 "$bin" run --spec "$repo/specs" --fixtures "$repo/fixtures" --port 0 --quiet \
      --coverage-out reports/contract --fail-on-violation -- npm test
  ) >"$tmp/out" 2>&1 || code=$?
  if [ "$code" != "$want" ]; then
    cat "$tmp/out" >&2
    fail "npm: $name: exit code $code, want $want"
  fi
  for f in contract.json contract.xml; do
    [ -s "$node_project/reports/$f" ] || { cat "$tmp/out" >&2; fail "npm: $name: no reports/$f"; }
  done
  local url
  url=$(cat "$node_project/mock-url") || fail "npm: $name: test.js had no MOCKSERVER_URL"
  if listening "${url##*:}"; then fail "npm: $name: something still listens at $url"; fi
  echo "npm: $name: exit $code, reports written, $url free"
}

npm_run "passing tests" valid 0 0
npm_run "a request breaks the contract" invalid 0 3
npm_run "the tests fail: their code wins" invalid 2 2
