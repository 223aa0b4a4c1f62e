#!/usr/bin/env python3
"""Writes a stack of N terraform_data resources forming a binary tree:
resource i depends on resource (i-1)//2. `--changed K` alters the input of
the first K resources (for the 1 % change plan)."""
import argparse, os

ap = argparse.ArgumentParser()
ap.add_argument("dir")
ap.add_argument("n", type=int)
ap.add_argument("--changed", type=int, default=0)
a = ap.parse_args()
os.makedirs(a.dir, exist_ok=True)
with open(os.path.join(a.dir, "main.tf"), "w") as f:
    for i in range(a.n):
        tag = "changed" if i < a.changed else "v1"
        if i == 0:
            f.write(f'resource "terraform_data" "r{i}" {{\n  input = "{tag}-{i}"\n}}\n\n')
        else:
            p = (i - 1) // 2
            f.write(f'resource "terraform_data" "r{i}" {{\n  input = "{tag}-{i}-${{terraform_data.r{p}.id}}"\n}}\n\n')
