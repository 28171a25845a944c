#!/usr/bin/env bash
# Creates .venv with Python 3.10 and installs the pinned dependencies. A second run is a no-op:
# it compares a hash of the requirement files with the one stored after the last good install.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=.venv/.install-stamp
want=$(cat requirements.in requirements.lock | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x .venv/bin/rasa ]; then
  exit 0
fi

find_python() {
  # Rasa 3.6 needs Python 3.8–3.10; the project pins 3.10. pyenv's copy first, then PATH.
  local root
  root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
  for candidate in "$root"/versions/3.10.*/bin/python3.10 "$(command -v python3.10 || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
  done
  return 1
}

if [ ! -x .venv/bin/python ]; then
  if ! python=$(find_python); then
    echo "error: Python 3.10 is needed (Rasa 3.6 runs on 3.8–3.10) and none was found." >&2
    echo "       Install it, e.g. 'pyenv install 3.10.13', or put python3.10 on PATH, then run this again." >&2
    exit 1
  fi
  echo "==> creating .venv with $python"
  "$python" -m venv .venv
fi
if ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then
  echo "error: .venv is not Python 3.10; remove it ('rm -rf .venv') and run this again." >&2
  exit 1
fi

echo "==> installing pinned dependencies into .venv (the first time takes about 5 minutes, ~2.7 GB)"
.venv/bin/python -m pip install --quiet --upgrade pip==24.3.1 setuptools==75.6.0 wheel==0.45.1
.venv/bin/python -m pip install --progress-bar on -r requirements.in -c requirements.lock
echo "$want" > "$stamp"
echo "==> dependencies installed"
