#!/usr/bin/env bash
# Runs every test, Rust and Python, on a fresh machine: installs what it
# needs into a local virtual environment (.venv) first.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet "maturin>=1.7,<2" "pytest>=7" "mypy>=1.10" \
    "numpy>=1.22" "pyarrow>=14" "pandas>=1.5" "polars>=1.0" "matplotlib>=3.6" \
    "nbclient>=0.9" "nbformat>=5.9" "ipykernel>=6"

echo "== Rust tests"
cargo test --workspace

echo "== Python package (release build into .venv)"
VIRTUAL_ENV="$PWD/.venv" PATH="$PWD/.venv/bin:$PATH" .venv/bin/maturin develop --release --quiet

echo "== Python tests"
# pytest exits 5 when it collects no test; set -e turns that into a failure.
.venv/bin/python -m pytest -q
