#!/usr/bin/env bash
# All benchmarks, each printing ratios against a baseline measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 8192 2>/dev/null || true
.venv/bin/python bench/exam_load.py "$@"
.venv/bin/python bench/lookup_bench.py
