#!/usr/bin/env bash
# Installs what `npm run bench` needs beside Node: Debian's scikit-learn and pandas (the reference side,
# run as /usr/bin/python3 ../shared/bench/sklearn_reference.py) and GNU time (its peak RSS).
set -euo pipefail
missing=()
/usr/bin/python3 -c 'import sklearn, pandas' 2>/dev/null || missing+=(python3-sklearn python3-pandas)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -eq 0 ]; then
  echo "bench setup: scikit-learn, pandas and GNU time are installed"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}"
