#!/usr/bin/env bash
# Compares Sonic's audio analysis with librosa's on signals generated on the fly, and times
# both. Run by hand (not in CI); record the output in docs/BENCHMARKS.md.
#
#   scripts/compare-librosa.sh               agreement table + speed table
#   scripts/compare-librosa.sh --skip-speed  agreement table only
#
# Needs python3 (with venv) and the Rust toolchain. Creates .venv-librosa/ (git-ignored) with
# librosa and soundfile on first use. Exits non-zero when a feature differs by more than 5 %.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv-librosa"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -c "import librosa, soundfile" 2>/dev/null ||
    "$venv/bin/pip" install --quiet librosa soundfile

cd "$root"
cargo build --quiet --release -p sonic-cli
cargo build --quiet --release -p sonic-analyzer --example decode

exec "$venv/bin/python" "$root/scripts/compare_librosa.py" \
    --sonic-cmd "cargo run --quiet --release -p sonic-cli --" \
    --sonic-bin "$root/target/release/sonic" \
    --decode-cmd "$root/target/release/examples/decode --only" \
    "$@"
