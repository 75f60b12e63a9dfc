#!/usr/bin/env python3
"""Determinism check for the code the ledger depends on (docs/DETERMINISM.md).

Scans C++ files under the given directories (default: src/math src/codec src/ledger) and fails
on banned constructs: floating-point types and literals, clock reads, randomness, and unordered
containers (whose iteration order is unspecified). Comments and string literals are ignored.
An exception needs a line in determinism_allowlist.txt: `path  rule  reason`.

usage: determinism_check.py [--root DIR] [--allowlist FILE] [DIR ...]
"""
import argparse
import os
import re
import sys

RULES = [
    ("float-type", re.compile(r"\b(float|double|long\s+double)\b")),
    ("float-literal", re.compile(r"(?<![\w.])(\d+\.\d*|\.\d+)([eE][+-]?\d+)?[fFlL]?(?![\w.])|"
                                 r"(?<![\w.])\d+[eE][+-]?\d+[fFlL]?(?![\w.])")),
    ("float-math", re.compile(r"\b(std::)?(sqrtf?|expf?|logf?|powf?|floorf?|ceilf?|fabs|fma)\s*\(")
     ),
    ("clock", re.compile(r"\b(std::chrono|system_clock|steady_clock|high_resolution_clock|"
                         r"gettimeofday|clock_gettime|localtime|gmtime)\b|\b(time|clock)\s*\(")),
    ("random", re.compile(r"\b(s?rand|random|arc4random|getrandom|drand48)\s*\(|"
                          r"\brandom_device\b|#\s*include\s*<random>|/dev/u?random")),
    ("unordered", re.compile(r"\bunordered_(multi)?(map|set)\b")),
]


def strip_comments_and_strings(text):
    """Blanks out comments, string and character literals, keeping line structure."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * max(0, min(j, n) - i - 1) + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def load_allowlist(path):
    allowed = set()
    if not os.path.exists(path):
        return allowed
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 2)
            if len(parts) < 3:
                sys.exit("allowlist line needs 'path rule reason': " + line)
            allowed.add((parts[0], parts[1]))
    return allowed


def scan(root, dirs, allowed):
    violations = []
    for d in dirs:
        base = os.path.join(root, d)
        for dirpath, _, files in os.walk(base):
            for name in sorted(files):
                if not name.endswith((".cc", ".h", ".cpp", ".hpp")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                with open(path, encoding="utf-8") as f:
                    code = strip_comments_and_strings(f.read())
                for number, line in enumerate(code.splitlines(), 1):
                    for rule, pattern in RULES:
                        if pattern.search(line) and (rel, rule) not in allowed:
                            violations.append("%s:%d: %s: %s" % (rel, number, rule, line.strip()))
    return violations


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    ap.add_argument("--allowlist",
                    default=os.path.join(os.path.dirname(__file__), "determinism_allowlist.txt"))
    ap.add_argument("dirs", nargs="*", default=["src/math", "src/codec", "src/ledger"])
    args = ap.parse_args()
    violations = scan(args.root, args.dirs, load_allowlist(args.allowlist))
    for v in violations:
        print(v)
    scanned = ", ".join(args.dirs)
    if violations:
        print("determinism check: %d violation(s) in %s" % (len(violations), scanned))
        return 1
    print("determinism check: clean (%s)" % scanned)
    return 0


if __name__ == "__main__":
    sys.exit(main())
