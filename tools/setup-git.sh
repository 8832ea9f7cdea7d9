#!/usr/bin/env bash
# Set up a clone for contributing, once: the pre-commit hooks and nbdime's notebook drivers.
#
#   tools/setup-git.sh        (after ./tasks test has created .venv with the test tools)
#
# pre-commit install: ruff, the navigation check, the executed-notebooks check and the claims
#   rule run before each commit (.pre-commit-config.yaml; local hooks, nothing downloaded).
# nbdime: `git diff` and merges of *.ipynb work cell by cell (.gitattributes routes notebooks
#   to the "jupyternotebook" drivers). This writes the same keys as `nbdime config-git --enable`
#   but with the venv's absolute paths, so git finds the drivers without an activated venv.
# Everything goes into this clone's .git/config and .git/hooks; nothing global changes.
# Undo: git config --remove-section diff.jupyternotebook; git config --remove-section
#   merge.jupyternotebook; .venv/bin/pre-commit uninstall
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
if [ ! -x "$VENV/bin/nbdime" ] || [ ! -x "$VENV/bin/pre-commit" ]; then
  echo "$VENV lacks nbdime or pre-commit: run ./tasks test once first (./tasks lab installs only the reader's packages)" >&2
  exit 1
fi
bin="$(cd "$VENV/bin" && pwd)"
"$bin/pre-commit" install
git config diff.jupyternotebook.command "$bin/git-nbdiffdriver diff"
git config merge.jupyternotebook.driver "$bin/git-nbmergedriver merge %O %A %B %L %P"
git config merge.jupyternotebook.name "jupyter notebook merge driver"
echo "pre-commit hooks installed; notebooks diff and merge with nbdime (try: git diff HEAD~1 -- notebooks)"
