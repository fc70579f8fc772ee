#!/usr/bin/env bash
# Set up convviz on a bare Debian 12 machine with Python 3.11: the system
# libraries Qt needs and python3-venv (installed only if missing), then an
# editable install in .venv. On a desktop, `pip install .` is all it takes
# (see README.md); this script is for bare machines, CI and development.
#   bash scripts/setup.sh          # to run the app
#   bash scripts/setup.sh --test   # also the test tools and a virtual X display
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1
py=${PYTHON:-python3}

# Qt's offscreen and xcb platforms need these; a desktop usually has them all.
pkgs=(libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0
      libxkbcommon0 fonts-dejavu-core libxcb-cursor0 libxcb-icccm4 libxcb-image0
      libxcb-keysyms1 libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0)
# The smoke tests start the real app on a virtual X display; the wheel check needs git.
[ "$want_test" = 1 ] && pkgs+=(xvfb xauth xdotool git)
if command -v dpkg-query >/dev/null && command -v apt-get >/dev/null; then
  missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # Debian splits venv's pip bootstrap (ensurepip) into python3-venv.
  "$py" -c "import ensurepip, venv" 2>/dev/null || missing+=(python3-venv)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing system packages: ${missing[*]}"
    sudo_=""; [ "$(id -u)" = 0 ] || sudo_="sudo"
    $sudo_ apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
else
  echo "Not a Debian-like system: skipping system packages (Qt's wheels bring their own)."
fi

# A .venv whose python or pip does not run (a venv made without ensurepip, a
# Python upgraded under it) is rebuilt rather than trusted.
if [ -e .venv ] && ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
  echo "Rebuilding the broken .venv"
  rm -rf .venv
fi
[ -x .venv/bin/python ] || "$py" -m venv .venv

# pip's output goes to a log and is shown only if it fails: setuptools prints an
# informational notice on every editable install, which is not a problem.
log=.venv/setup-pip.log
extra=""; [ "$want_test" = 1 ] && extra="[test]"
echo "Installing convviz${extra} and its dependencies into .venv (log: $log)"
if ! { .venv/bin/python -m pip install --upgrade pip &&
       .venv/bin/python -m pip install -e ".${extra}"; } >"$log" 2>&1; then
  cat "$log"
  echo "pip failed; the log above is also in $log" >&2
  exit 1
fi
# Compile the engine's numba loops into numba's on-disk cache now (5-6 s of
# CPU), so that even the first launch in front of a class loads them at once.
# The engine runs its own thread pool, so no OpenMP/TBB library is needed.
.venv/bin/python -m convviz.engine.warmup
echo "convviz is set up in .venv: run .venv/bin/convviz, or activate it with . .venv/bin/activate"
