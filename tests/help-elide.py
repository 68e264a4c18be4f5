#!/usr/bin/python3
"""tests/help-elide.py: a stage's --help on stdin, its common options (the
lines bin/pipeline --help lists too) replaced by one line, as README shows
them. Used by tests/t0020-help.sh and to write README's blocks."""
import sys

COMMON_FIRST = "Options:\n  --date D "
COMMON_LAST = "  --quiet, --verbose  less or more on stderr; --help this text\n"
SHORT = "Options: the common ones (--date --conf --drops --state --out --wait --quiet\n" \
        "  --verbose --help), as bin/pipeline --help lists them\n"

text = sys.stdin.read()
a = text.find(COMMON_FIRST)
b = text.find(COMMON_LAST)
if a >= 0 and b > a:
    text = text[:a] + SHORT + text[b + len(COMMON_LAST):]
sys.stdout.write(text)
