#!/usr/bin/env bash
# Times the seeded demo campaign from start to completion on a fresh embedded database.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$(mktemp -d)
port=${PORT:-4321}
DATA_DIR="$dir" PORT=$port SEED_DEMO=true LOG_LEVEL=warn npx -y pnpm@10.34.9 --filter @qunfa/api start >"$dir/log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; pkill -f "DATA_DIR=$dir" 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 120); do [ -s "$dir/demo-api-key" ] && break; sleep 0.5; done
key=$(cat "$dir/demo-api-key")
q() { curl -s "localhost:$port/graphql" -H "authorization: Bearer $key" -H 'content-type: application/json' -d "$1"; }
t0=$(date +%s%N)
q '{"query":"mutation { startCampaign(id: \"1\") { state } }"}' >/dev/null
while :; do
  r=$(q '{"query":"{ campaign(id: \"1\") { state counters { total sent failed settled } } }"}')
  echo "$r" | grep -q COMPLETED && break
  sleep 0.2
done
echo "demo campaign: $(( ($(date +%s%N) - t0) / 1000000 )) ms  $r"
