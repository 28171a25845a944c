#!/usr/bin/env bash
# `make test`: every check, in the order that fails fastest. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=$PWD
BIN=.venv/bin
start=$(date +%s)
step() { echo; echo "==> [$(( $(date +%s) - start ))s] $*"; }

step "lint (ruff)"
$BIN/ruff check .
$BIN/ruff format --check .

step "type check (mypy)"
$BIN/mypy

step "validate training data and domain (rasa data validate)"
$BIN/rasa data validate --domain domain --data data --config config.yml --fail-on-warnings

step "content: every answer checked, translation status (scripts.content validate)"
$BIN/python -m scripts.content validate

step "train the model if its inputs changed"
$BIN/python -m scripts.train

step "conversation tests (rasa test core)"
rm -rf results/core
$BIN/rasa test core --model models/assistant.tar.gz --stories tests/conversations \
  --out results/core --fail-on-prediction-errors --no-plot

step "headless Chromium for the browser tests"
scripts/browser.sh

step "unit and end-to-end tests (pytest)"
$BIN/pytest

echo; echo "==> [$(( $(date +%s) - start ))s] all checks passed"
