#!/usr/bin/env python3
"""drinfra against the embedded ARM emulator with Azure's default
throttling (reads 250 burst / 25 per s, writes 200 burst / 10 per s):
apply and re-plan a stack of N Azure resources (a resource group, a DNS
zone and N-2 A record sets). Reports wall time, requests, 429s and whether
the run failed. Target: no failed runs; refresh requests under N / 100.

Usage: bench/azure.py [N]   (default 2000; target/release/drinfra, or the
build DRINFRA_EXE names, to compare two builds in one invocation)"""
import os, re, shutil, subprocess, sys, tempfile, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
exe = os.environ.get("DRINFRA_EXE") or os.path.join(root, "target", "release", "drinfra")
n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
work = tempfile.mkdtemp(prefix="drinfra-azure-bench-")
with open(os.path.join(work, "main.tf"), "w") as f:
    f.write('provider "azurerm" {\n  features {}\n}\n')
    f.write('resource "azurerm_resource_group" "rg" {\n  name = "bench"\n  location = "eastus"\n}\n')
    f.write('resource "azurerm_dns_zone" "z" {\n  name = "bench.example.com"\n  resource_group_name = azurerm_resource_group.rg.name\n}\n')
    f.write('resource "azurerm_dns_a_record" "r" {\n  count = %d\n  name = "host${count.index}"\n  zone_name = azurerm_dns_zone.z.name\n  resource_group_name = azurerm_resource_group.rg.name\n  ttl = 60\n  records = ["10.0.${floor(count.index / 250)}.${count.index %% 250}"]\n}\n' % (n - 2))


def run(args):
    t = time.perf_counter()
    p = subprocess.run([exe, "-C", work] + args + ["--verbose"], capture_output=True, text=True)
    secs = time.perf_counter() - t
    found = re.findall(r"(\d+) requests, (\d+) throttled", p.stderr)
    # The last report covers the whole run (plan phase, then apply).
    req, thr = (int(found[-1][0]), int(found[-1][1])) if found else (None, None)
    return p.returncode, secs, req, thr


for name, args in (("apply", ["apply", "--auto-approve"]), ("no-op plan", ["plan", "--detailed-exitcode"])):
    code, secs, req, thr = run(args)
    print(f"{name:11} N={n}: exit {code}, {secs:.1f} s, {req} requests, {thr} throttled (429)")
shutil.rmtree(work, ignore_errors=True)
