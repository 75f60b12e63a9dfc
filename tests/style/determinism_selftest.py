#!/usr/bin/env python3
"""The determinism check must fail on the fixture, naming each rule, and ignore comments and
strings."""
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
r = subprocess.run([sys.executable, os.path.join(here, "determinism_check.py"), "--root", here,
                    "--allowlist", "/dev/null", "fixtures/bad"], capture_output=True, text=True)
print(r.stdout)
assert r.returncode == 1, "check passed on a file full of violations"
for rule in ["float-type", "float-literal", "float-math", "clock", "random", "unordered"]:
    assert ": %s:" % rule in r.stdout, "rule %s did not fire" % rule
assert ":9:" not in r.stdout and ":10:" not in r.stdout, "comments or strings fired"
print("determinism self-test: ok")
