"""Turns the role guides' shell examples into one bash script, so a test can run them in the
guides' order against a real server: every ```sh block must succeed (curl fails on any 4xx/5xx),
except a block whose first line is ``# answers <status> <code>``, which must answer that problem.

    python -m tests.e2e.guide_blocks > guides.sh   # then: IPLEDGE_URL=... bash guides.sh
"""

from __future__ import annotations

import re
from pathlib import Path

GUIDES_DIR = Path(__file__).resolve().parents[2] / "docs" / "guides"
# The order a sandbox's day runs in: the bank's default feeds the fund's and the centre's work.
ORDER = ["bank", "compensation-fund", "trading-centre", "disposal-platform", "regulator", "partner"]
BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.DOTALL | re.MULTILINE)
ANSWERS = re.compile(r"^# answers (\d{3}) ([a-z_]+)")
PRELUDE = """set -euo pipefail
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT  # a receiver a guide started in the background
STRICT=1
curl() { if ((STRICT)); then command curl --fail-with-body "$@"; else command curl "$@"; fi; }
"""


def blocks(guide: str) -> list[str]:
    return BLOCK.findall((GUIDES_DIR / f"{guide}.md").read_text())


def script() -> str:
    parts = [PRELUDE]
    for guide in ORDER:
        for number, block in enumerate(blocks(guide), 1):
            where = f"{guide}.md block {number}"
            parts.append(f"echo '### {where}'")
            expected = ANSWERS.match(block)
            if expected is None:
                parts.append(block)
                continue
            status, code = expected.groups()
            parts.append(
                f'STRICT=0\n__out=$( {{\n{block}}} 2>&1 )\nSTRICT=1\necho "$__out"\n'
                f'tr -d \' \\n\' <<<"$__out" | grep -q \'"code":"{code}"\' || '
                f"{{ echo '{where}: expected {status} {code}' >&2; exit 1; }}"
            )
    return "\n".join(parts) + "\necho '### all guides ran'\n"


if __name__ == "__main__":
    print(script())
