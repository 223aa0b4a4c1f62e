#!/usr/bin/env python3
"""drinfra's own overhead in a failover of the DR platform (stacks/platform,
28 Azure resources) against the embedded emulator with simulated time
compressed a million-fold, so Azure's durations (minutes for a promotion,
half an hour for a storage account failover) shrink to almost nothing and
what is left is planning, ordering, state writes and the requests. Reports
wall time and requests per step: apply, planned failover, failback.

Usage: bench/failover.py [runs]   (default 3; needs target/release/drinfra)"""
import os, re, shutil, subprocess, sys, tempfile, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
exe = os.path.join(root, "target", "release", "drinfra")
runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
env = dict(os.environ, DRINFRA_EMULATOR_TIME_SCALE="1000000", USER="bench")
for k in ("DRINFRA_EMULATOR_URL", "ARM_SUBSCRIPTION_ID"):
    env.pop(k, None)


def run(stack, args):
    t = time.perf_counter()
    p = subprocess.run([exe, "-C", stack] + args + ["--verbose"], capture_output=True, text=True, env=env)
    secs = time.perf_counter() - t
    found = re.findall(r"(\d+) requests, (\d+) throttled", p.stderr)
    # Counts are cumulative: the last report covers the whole run.
    req = int(found[-1][0]) if found else None
    if p.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{p.stdout}\n{p.stderr}")
    return secs, req


results = {}
for _ in range(runs):
    work = tempfile.mkdtemp(prefix="drinfra-failover-bench-")
    for d in ("stacks", "modules"):
        shutil.copytree(os.path.join(root, d), os.path.join(work, d), ignore=shutil.ignore_patterns(".drinfra"))
    stack = os.path.join(work, "stacks", "platform")
    for name, args in (("apply", ["apply", "--auto-approve"]), ("failover (planned)", ["failover", "platform", "--to", "westeurope", "--auto-approve"]), ("failback (3 stages)", ["failback", "platform", "--auto-approve"])):
        results.setdefault(name, []).append(run(stack, args))
    shutil.rmtree(work, ignore_errors=True)
for name, xs in results.items():
    secs = sorted(s for s, _ in xs)
    print(f"{name:20} median {secs[len(secs) // 2]:.2f} s over {len(xs)} runs (min {secs[0]:.2f}, max {secs[-1]:.2f}), {xs[-1][1]} requests")
