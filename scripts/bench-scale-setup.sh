#!/usr/bin/env bash
# The Python side of `npm run bench:scale`: pandas + pyarrow (to read the same Parquet file the
# pipeline reads) and scikit-learn, in a venv of their own from PyPI (Debian's python3-sklearn has no
# pyarrow beside it). Cached: a venv that already imports them is kept. Prints the venv's python last.
set -euo pipefail
venv="${MLPIPE_BENCH_VENV:-$HOME/.cache/mlpipe/bench-venv}"
py="$venv/bin/python"
want='import pandas, pyarrow, sklearn'
if [ -x "$py" ] && "$py" -c "$want" >/dev/null 2>&1; then
  echo "bench-scale-setup: cached $venv" >&2
else
  echo "bench-scale-setup: creating $venv (pandas, pyarrow, scikit-learn)" >&2
  python3 -m venv "$venv"
  "$py" -m pip install --quiet --disable-pip-version-check 'pandas==2.3.*' 'pyarrow==21.*' 'scikit-learn==1.7.*' >&2
  "$py" -c "$want"
fi
echo "$py"
