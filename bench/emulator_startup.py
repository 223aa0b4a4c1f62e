#!/usr/bin/env python3
"""Time from spawning `drinfra emulator serve` to its 'listening' line,
for a new and an existing data directory. Uses target/release/drinfra if
built, else target/debug/drinfra."""
import os, subprocess, tempfile, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
exe = next(p for p in (os.path.join(root, "target", k, "drinfra") for k in ("release", "debug")) if os.path.exists(p))


def once(d):
    t = time.perf_counter()
    p = subprocess.Popen([exe, "emulator", "serve", "--addr", "127.0.0.1:0", "--data", d], stdout=subprocess.PIPE)
    p.stdout.readline()
    ms = (time.perf_counter() - t) * 1000
    p.kill()
    p.wait()
    return ms


for i in range(5):
    d = tempfile.mkdtemp()
    print(f"new data dir {once(d):6.1f} ms   existing {once(d):6.1f} ms")
