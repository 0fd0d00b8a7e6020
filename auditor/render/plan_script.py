"""`auditor plan --script`: a commented shell script that echoes each command before running
it; placeholders become variables the script refuses to run without."""

from __future__ import annotations

import re
import shlex

from auditor.plan import PLACEHOLDER, Plan
from auditor.render.plan_common import heading, label


def variable(name: str) -> str:
    return re.sub(r"[^A-Z0-9]", "_", name.upper())


def _word(word: str) -> str:
    """A word for the shell: quoted, with `<placeholder>` as "${PLACEHOLDER}"."""
    if not PLACEHOLDER.search(word):
        return shlex.quote(word)
    parts = []
    last = 0
    for match in PLACEHOLDER.finditer(word):
        literal = word[last : match.start()]
        parts.append(re.sub(r'(["\\$`])', r"\\\1", literal))
        parts.append("${" + variable(match.group(1)) + "}")
        last = match.end()
    parts.append(re.sub(r'(["\\$`])', r"\\\1", word[last:]))
    return '"' + "".join(parts) + '"'


def _heredoc(content: str) -> str:
    """File content for an unquoted here-document: shell characters escaped, placeholders
    expanded from their variables."""
    escaped = re.sub(r"([\\$`])", r"\\\1", content)
    return PLACEHOLDER.sub(lambda m: "${" + variable(m.group(1)) + "}", escaped)


def render(plan: Plan) -> str:
    out = [
        "#!/usr/bin/env bash",
        f"# auditor plan for {plan.workload}: {heading(plan)}",
        f"# target {plan.target.value}. Review every command before running this script:",
        "# auditor generated it and ran none of it.",
        "set -euo pipefail",
        "",
        "run() {",
        "  printf '+'; printf ' %q' \"$@\"; printf '\\n'",
        '  "$@"',
        "}",
        "",
    ]
    if plan.placeholders:
        out.append("# Values the estate does not tell: set them before running.")
        for name, what in plan.placeholders:
            out.append(f"# {variable(name)}: {what}")
            out.append(f': "${{{variable(name)}:?set {variable(name)}: <{name}>}}"')
        out.append("")
    for number, step in enumerate(plan.steps, 1):
        out.append(f"# --- {number}. {step.rule} ({label(step)}): {step.title}")
        out.append(f"# why: {step.why}")
        for note in step.notes:
            out.append(f"# note: {note}")
        if step.unseen or not step.commands:
            out.append(f"echo '# {step.rule}: nothing to run (see the notes above)'")
        for file in step.files:
            out.append(f"echo '+ write {file.path}'")
            out.append(f"cat > {shlex.quote(file.path)} <<EOF")
            out.append(_heredoc(file.content).rstrip("\n"))
            out.append("EOF")
        for command in step.commands:
            if command.comment:
                out.append(f"# {command.comment}")
            out.append("run " + " ".join(_word(w) for w in command.args))
        out.append("")
    return "\n".join(out)
