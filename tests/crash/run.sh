#!/bin/sh
# The crash harness (make crashtest): kill -9 at random moments of every
# stage of a two-night scenario, run again, check that nothing shows it.
# Options and checks: tests/crash/crash.py (--help).
exec python3 "$(dirname "$0")/crash.py" "$@"
