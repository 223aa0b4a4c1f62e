#!/usr/bin/env python3
"""drinfra vs Terraform on the same terraform_data stacks.

For each N: full apply, no-op plan, and a plan after changing 1 % of the
resources; wall time and peak RSS of each command, and the ratios
Terraform / drinfra measured in this same run.

Usage: bench/bench.py [N ...]   (default: 1000 5000)
Needs: target/release/drinfra and Terraform in .venv-terraform (bench/run.sh
sets both up)."""
import json, os, resource, shutil, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DRINFRA = os.path.join(ROOT, "target", "release", "drinfra")
PY = os.path.join(ROOT, ".venv-terraform", "bin", "python")
TF = os.path.join(ROOT, "tests", "parity", "terraform.py")
WORK = os.path.join(ROOT, "bench", ".work")


def run(cmd, cwd):
    """Runs cmd; returns (seconds, peak RSS in MB)."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - start
    err = p.stderr.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 2):
        sys.exit(f"{' '.join(cmd)} failed ({code}):\n{err[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024.0


def gen(d, n, changed=0):
    subprocess.check_call([sys.executable, os.path.join(ROOT, "bench", "gen.py"), d, str(n), "--changed", str(changed)])


def bench(n):
    results = {}
    for tool in ("terraform", "drinfra"):
        d = os.path.join(WORK, f"{tool}-{n}")
        shutil.rmtree(d, ignore_errors=True)
        gen(d, n)
        if tool == "terraform":
            subprocess.check_call([PY, TF, "init", "-input=false"], cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            apply = [PY, TF, "apply", "-auto-approve", "-input=false"]
            plan = [PY, TF, "plan", "-input=false", "-detailed-exitcode"]
        else:
            apply = [DRINFRA, "apply", "--auto-approve"]
            plan = [DRINFRA, "plan", "--detailed-exitcode"]
        r = {}
        r["apply"] = run(apply, d)
        r["noop_plan"] = run(plan, d)
        gen(d, n, changed=max(1, n // 100))
        r["plan_1pct"] = run(plan, d)
        results[tool] = r
        print(f"  {tool:9} N={n}: " + ", ".join(f"{k} {v[0]:.2f}s {v[1]:.0f}MB" for k, v in r.items()), flush=True)
    return results


def main():
    ns = [int(x) for x in sys.argv[1:]] or [1000, 5000]
    os.makedirs(WORK, exist_ok=True)
    report = {}
    for n in ns:
        print(f"N = {n}", flush=True)
        res = bench(n)
        t, d = res["terraform"], res["drinfra"]
        rows = []
        for k in ("apply", "noop_plan", "plan_1pct"):
            rows.append({"measure": k, "terraform_s": round(t[k][0], 3), "drinfra_s": round(d[k][0], 3),
                         "speedup": round(t[k][0] / d[k][0], 1), "terraform_mb": round(t[k][1]), "drinfra_mb": round(d[k][1]),
                         "rss_ratio": round(d[k][1] / t[k][1], 3)})
        report[n] = rows
        for r in rows:
            print(f"  {r['measure']:10} speedup {r['speedup']:>6}x   peak RSS drinfra/terraform {r['rss_ratio']:.3f}")
    print(json.dumps(report, indent=2))


main()
