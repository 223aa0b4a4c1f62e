#!/usr/bin/env python3
"""Records what Terraform makes of each case in tests/parity/overrides.

Each directory there is a configuration with override files. For a valid
one the outputs after `apply` are recorded; for an invalid one the errors
of `validate -json` (summary, detail, file, line, column). Written to
tests/parity/overrides/expected.json; tests/override_parity.rs compares
drinfra with it.

Usage: .venv-terraform/bin/python tests/parity/record_overrides.py
"""
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile

here = pathlib.Path(__file__).resolve().parent
cases = here / "overrides"


def terraform(work, *args):
    run = subprocess.run(
        [sys.executable, str(here / "terraform.py"), f"-chdir={work}", *args],
        capture_output=True,
        text=True,
    )
    return run.returncode, run.stdout


def record(case):
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp) / case.name
        shutil.copytree(case, work)
        terraform(work, "init", "-input=false", "-no-color")
        _, out = terraform(work, "validate", "-json", "-no-color")
        report = json.loads(out)
        if not report["valid"]:
            errors = [
                {
                    "summary": d["summary"],
                    "detail": d["detail"],
                    "filename": d["range"]["filename"],
                    "line": d["range"]["start"]["line"],
                    "column": d["range"]["start"]["column"],
                }
                for d in report["diagnostics"]
                if d["severity"] == "error"
            ]
            return {"errors": sorted(errors, key=lambda e: (e["filename"], e["line"], e["column"]))}
        code, _ = terraform(work, "apply", "-auto-approve", "-input=false", "-no-color")
        if code != 0:
            raise SystemExit(f"{case.name}: apply failed")
        _, out = terraform(work, "output", "-json")
        outputs = {
            name: {"value": o["value"], "sensitive": o["sensitive"]}
            for name, o in json.loads(out).items()
        }
        return {"outputs": outputs}


def main():
    expected = {c.name: record(c) for c in sorted(cases.iterdir()) if c.is_dir()}
    (cases / "expected.json").write_text(json.dumps(expected, indent=2, sort_keys=True) + "\n")
    _, version = terraform(here, "version")
    print(f"recorded {len(expected)} cases with {version.splitlines()[0]}")


main()
