#!/usr/bin/env bash
# Builds MinIO (the S3-compatible server the store tests run against) from the Go module proxy.
# Cached: the build takes minutes, so it is skipped when the binary is already in $(go env GOPATH)/bin.
set -euo pipefail

if ! command -v go >/dev/null 2>&1; then
  echo "install-minio: Go is required to build MinIO (go install github.com/minio/minio@latest)." >&2
  echo "install-minio: install Go (https://go.dev/doc/install, or apt-get install golang-go) or set MINIO_BIN." >&2
  exit 1
fi

bin="$(go env GOPATH | cut -d: -f1)/bin/minio"
if [ -n "${MINIO_BIN:-}" ] && [ -x "$MINIO_BIN" ]; then
  echo "install-minio: using MINIO_BIN=$MINIO_BIN"
  exit 0
fi
if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
  echo "install-minio: cached $bin"
  exit 0
fi

echo "install-minio: building MinIO with go install (first time only, takes several minutes)"
GOFLAGS="${GOFLAGS:-} -trimpath" go install github.com/minio/minio@latest
"$bin" --version | head -1
