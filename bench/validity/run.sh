#!/usr/bin/env bash
# bench/validity/run.sh — an independent check that the mock keeps the contracts it serves: for
# every operation of 12 real descriptions, one valid request; every 2xx/3xx JSON answer is
# validated with ajv (no kin-openapi code), refusals of valid requests are counted, and
# create → get → list → update → delete flows are checked for consistency.
#
#   bench/validity/run.sh            everything (about 1.5 minutes on 2 cores)
#
# Environment: MOCKSERVER_CORPUS (default ../shared/corpus beside the repo), OUT (default a
# scratch directory; results and reports are written there and its path printed), NOBUILD=1 to
# reuse $OUT/mockserver. Needs Go, node and npm (ajv is installed into $OUT, never the repo) and
# python3 with PyYAML for Docker's YAML, which js-yaml refuses.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
export MOCKSERVER_CORPUS=${MOCKSERVER_CORPUS:-$REPO/../shared/corpus}
OUT=${OUT:-$(mktemp -d /tmp/mockserver-validity.XXXXXX)}
export VALIDITY_RESULTS=$OUT/results MS_BIN=$OUT/mockserver NODE_PATH=$OUT/node_modules
mkdir -p "$VALIDITY_RESULTS"
if [ "${NOBUILD:-}" != 1 ]; then (cd "$REPO" && go build -o "$MS_BIN" ./cmd/mockserver); fi
if [ ! -d "$OUT/node_modules/ajv" ]; then
	cp "$HERE/package.json" "$HERE/package-lock.json" "$OUT/"
	npm ci --prefix "$OUT" --no-audit --no-fund >"$OUT/npm.log" 2>&1
fi
cd "$HERE"
run() { node --max-old-space-size=8000 survey.js "$1" "$MOCKSERVER_CORPUS/$2" 4711 2>&1 | tail -1; }
run petstore    petstore.yaml
run petstore-v2 real/swagger-petstore/v2-swagger.json
run petstore-v3 real/swagger-petstore/v3-openapi.yaml
run museum      real/redocly-museum/openapi.yaml
run stripe      stripe-spec3.json
run github      github-api.github.com.json
run openai      real/openai/openapi.yaml
run discord     real/discord/openapi.json
run gitea       real/gitea/gitea.json
run docker      real/docker/swagger-v1.41.yaml
run twilio      real/twilio/twilio_api_v2010.yaml
run box         real/box/openapi.json
node report.js >"$OUT/report.txt"
node classify.js >"$OUT/classify.txt"
EX=1 node classify.js >"$OUT/classify-examples.txt"
node --max-old-space-size=8000 flows.js >"$OUT/flows.txt" 2>&1
echo "reports in $OUT: report.txt (per description), classify.txt, classify-examples.txt, flows.txt"
