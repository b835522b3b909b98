#!/usr/bin/env bash
# Times the seeded demo campaign from start to completion on a fresh embedded database.
# Works at any hour (quiet hours off for this server) and stops the server it started by
# its process group — never by a name pattern, which could hit someone else's process.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$(mktemp -d)
port=${PORT:-4321}
# setsid: the server (pnpm, node and anything they start) gets a process group of its own, whose id is $server.
DATA_DIR="$dir" PORT=$port SEED_DEMO=true QUIET_HOURS=off LOG_LEVEL=warn \
  setsid npx -y pnpm@10.34.9 --filter @qunfa/api start >"$dir/log" 2>&1 &
server=$!
stop_server() {
  kill -TERM -- "-$server" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 -- "-$server" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -- "-$server" 2>/dev/null || true
  rm -rf "$dir"
}
trap stop_server EXIT
for _ in $(seq 1 240); do [ -s "$dir/demo-api-key" ] && break; sleep 0.5; done
if [ ! -s "$dir/demo-api-key" ]; then echo "the server did not start:" >&2; tail -20 "$dir/log" >&2; exit 1; fi
key=$(cat "$dir/demo-api-key")
q() { curl -s "localhost:$port/graphql" -H "authorization: Bearer $key" -H 'content-type: application/json' -d "$1"; }
t0=$(date +%s%N)
q '{"query":"mutation { startCampaign(id: \"1\") { state } }"}' >/dev/null
deadline=$(($(date +%s) + ${TIMEOUT_S:-600}))
while :; do
  r=$(q '{"query":"{ campaign(id: \"1\") { state counters { total sent failed settled } } }"}')
  echo "$r" | grep -q COMPLETED && break
  if [ "$(date +%s)" -gt "$deadline" ]; then echo "not completed in ${TIMEOUT_S:-600} s: $r" >&2; exit 1; fi
  sleep 0.2
done
echo "demo campaign: $(( ($(date +%s%N) - t0) / 1000000 )) ms  $r  (load average $(cut -d' ' -f1-3 /proc/loadavg))"
