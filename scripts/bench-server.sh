#!/usr/bin/env bash
# Load test of sonic-server on loopback (docs/BENCHMARKS.md): GET of a 4,096-note
# composition, a small GET, clip edits under 64 connections, idle RSS.
# Needs wrk (Debian: apt-get install wrk) and python3. Run by hand, not in CI:
#   scripts/bench-server.sh            # builds the release binary first
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "bench-server: needs wrk (apt-get install wrk)" >&2; exit 1; }
cargo build --release --quiet -p sonic-server
port=${PORT:-18090}
duration=${DURATION:-10s}
data=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
RUST_LOG=error target/release/sonic-server --data-dir "$data/data" --addr "127.0.0.1:$port" > "$data/out" 2>&1 &
pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 50); do curl -sf "$base/health" >/dev/null && break; sleep 0.1; done
echo "cores: $(nproc)"
echo "idle RSS after start: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"

# 16 tracks x 8 MIDI clips x 32 notes, built with one atomic action batch.
id=$(curl -sf -XPOST "$base/api/compositions" -H 'content-type: application/json' -d '{"name":"Bench"}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["composition_id"])')
python3 - "$id" > "$data/batch.json" <<'PY'
import json, sys
actions = []
for t in range(16):
    actions.append({"action": "create_track", "id": f"t{t}", "name": f"Track {t}", "type": "midi", "instrument": "sine"})
    for c in range(8):
        notes = [{"n": 36 + (n * 7) % 48, "s": n * 0.125, "d": 0.25, "v": 90} for n in range(32)]
        actions.append({"action": "create_midi_clip", "id": f"t{t}c{c}", "track_id": f"t{t}",
                        "start_time": c * 4, "duration": 4, "notes": notes})
print(json.dumps({"composition_id": sys.argv[1], "atomic": True, "actions": actions}))
PY
curl -sf -XPOST "$base/api/assistant/actions/batch" -H 'content-type: application/json' -d @"$data/batch.json" \
  | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["all_succeeded"], d; print("built: version", d["version"])'
size=$(curl -sf "$base/api/compositions/$id" | wc -c)
echo "GET /api/compositions/{id}: $size bytes"

echo; echo "== GET a 4,096-note composition (64 connections)"
wrk -t2 -c64 -d"$duration" --latency "$base/api/compositions/$id" | grep -E 'Requests/sec|Latency|99%'
echo; echo "== GET a small document: transport state (64 connections)"
wrk -t2 -c64 -d"$duration" --latency "$base/api/compositions/$id/transport" | grep -E 'Requests/sec|Latency|99%'
echo; echo "== GET /health (64 connections)"
wrk -t2 -c64 -d"$duration" --latency "$base/health" | grep -E 'Requests/sec|99%'

cat > "$data/edit.lua" <<'LUA'
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  local clip = "t" .. (n % 16) .. "c" .. (n % 8)
  local body = string.format('{"gain": %.3f}', 0.5 + (n % 100) / 200)
  return wrk.format(nil, "/api/compositions/" .. ID .. "/clips/" .. clip, nil, body)
end
LUA
sed -i "1i ID = \"$id\"" "$data/edit.lua"
echo; echo "== PUT a clip edit (gain) on the 4,096-note composition, 64 connections"
wrk -t2 -c64 -d"$duration" --latency -s "$data/edit.lua" "$base" | grep -E 'Requests/sec|Latency|99%|Non-2xx'
# The same edits from 64 clients that each pause 10 ms between requests (a busy session, not
# a saturating flood): latency without the queue a closed loop builds.
sed 's/^wrk.method = "PUT"/wrk.method = "PUT"\ndelay = function() return 10 end/' "$data/edit.lua" > "$data/edit-paced.lua"
echo; echo "== PUT a clip edit, 64 connections pausing 10 ms between requests"
wrk -t2 -c64 -d"$duration" --latency -s "$data/edit-paced.lua" "$base" | grep -E 'Requests/sec|Latency|99%|Non-2xx'
echo; echo "RSS after the load: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
