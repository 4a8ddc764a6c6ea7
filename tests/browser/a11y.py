"""axe-core in a Playwright page: the WCAG 2.0, 2.1 and 2.2 A and AA rules, every result kept as
a JSON file, and no violation of impact "serious" or "critical" allowed.

axe-core is vendored for the tests only (tests/vendor/axe-core/, from its npm package); the app
never serves it. The results go to ``<folder>/axe/<name>.json``: the test's own folder, or
``$QUIZAPP_TEST_ARTIFACTS/axe/`` when that is set (a CI job keeps that folder)."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe-core" / "axe.min.js"
#: The rule sets run: WCAG 2.0, 2.1 and 2.2, levels A and AA.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
#: The impacts a page may not have.
BLOCKING = ("serious", "critical")


def artifacts(tmp_path: Path) -> Path:
    """Where a test keeps what it leaves behind: ``$QUIZAPP_TEST_ARTIFACTS`` if set, else its
    own ``tmp_path``."""
    root = os.environ.get("QUIZAPP_TEST_ARTIFACTS")
    folder = Path(root) if root else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def run_axe(page, name: str, folder: Path, context: str | None = None) -> dict:
    """Run axe on ``page`` (or on the part of it matching the CSS selector ``context``) and
    write the full results to ``folder/axe/<name>.json``. Returns the results."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        """async ([tags, context]) => axe.run(context ? document.querySelector(context) : document,
                                               {runOnly: {type: "tag", values: tags}})""",
        [TAGS, context])
    out = folder / "axe"
    out.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^\w.-]+", "-", name)
    (out / f"{safe}.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    return results


def blocking(results: dict) -> list[dict]:
    """The violations of impact serious or critical."""
    return [v for v in results["violations"] if v.get("impact") in BLOCKING]


def describe(violations: list[dict]) -> str:
    """Violations as lines a person reads: rule, impact, help, then each element with its
    selector and what axe says is wrong."""
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            target = " ".join(str(t) for t in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {target}\n      {node['html'][:160]}\n      {summary[:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def check(page, name: str, folder: Path, context: str | None = None) -> dict:
    """Run axe (``run_axe``) and fail on any serious or critical violation, listing them."""
    results = run_axe(page, name, folder, context)
    bad = blocking(results)
    assert not bad, f"axe on {name} ({page.url}):\n{describe(bad)}"
    return results
