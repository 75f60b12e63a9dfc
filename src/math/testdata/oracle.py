#!/usr/bin/env python3
"""Independent oracle for CertifiedMath: exact floors at scale 10^18 from Python's decimal module.

Writes one case per line:   FN TYPE ARG [ARG2] EXPECTED
  FN        sqrt exp ln log2 log10 pow tanh sigmoid erf
  TYPE      ud | sd
  ARG       raw integers (value = raw / 10^18)
  EXPECTED  the raw integer floor(f(x) * 10^18), or ERR:<STATUS_CODE_NAME>

Only the standard library is used. Results are computed at 90+ significant digits with methods
independent of the C++ kernels (decimal's correctly rounded exp/ln/log10, isqrt, a plain Taylor
series for erf). A result within 10^-40 of a representable value is settled with exact rational
arithmetic (fractions) or the case is dropped and counted (none are expected).

usage: oracle.py --seed N --count N --out FILE [--functions a,b,...]
"""
import argparse
import hashlib
import os
import shutil
import random
import sys
from decimal import Decimal, getcontext, ROUND_FLOOR, localcontext
from fractions import Fraction
from math import isqrt

SCALE = 10**18
U_MAX = 2**128 - 1
S_MAX = 2**127 - 1
S_MIN = -(2**127)
getcontext().prec = 100


def dec(raw):
    return Decimal(raw) / Decimal(SCALE)


def floor_scaled(value, exact_check=None):
    """floor(value * 10^18) as int; None if too close to an integer to trust."""
    scaled = value * SCALE
    f = int(scaled.to_integral_value(rounding=ROUND_FLOOR))
    nearest = int(scaled.to_integral_value())
    if abs(scaled - nearest) < Decimal(10) ** -40:
        if exact_check is None:
            return None
        verdict = exact_check(nearest)
        if verdict is None:
            return None
        return nearest if verdict else (nearest - 1 if scaled < nearest else nearest)
    return f


def in_range(raw, typ):
    return 0 <= raw <= U_MAX if typ == "ud" else S_MIN <= raw <= S_MAX


def result(raw, typ):
    if raw is None:
        return None
    return str(raw) if in_range(raw, typ) else ("ERR:OVERFLOW" if raw > 0 else "ERR:OVERFLOW")


def f_sqrt(typ, x):
    if x < 0:
        return "ERR:DOMAIN_ERROR"
    return str(isqrt(x * SCALE))


def f_exp(typ, x):
    if x < 0 and x <= -60 * SCALE:
        return "0"
    if x > 60 * SCALE:
        return "ERR:OVERFLOW"
    if x == 0:
        return str(SCALE)
    return result(floor_scaled(dec(x).exp()), typ)


def is_power(x_frac, base):
    """k if x_frac == base**k for an integer k, else None."""
    k = 0
    v = x_frac
    if v <= 0:
        return None
    while v > 1 and v.denominator == 1 and v.numerator % base == 0:
        v /= base
        k += 1
    while v < 1 and v.numerator == 1 and v.denominator % base == 0:
        v *= base
        k -= 1
    return k if v == 1 else None


def f_log(base):
    def run(typ, x):
        if x <= 0:
            return "ERR:DOMAIN_ERROR"
        if typ == "ud" and x < SCALE:
            return "ERR:DOMAIN_ERROR"
        xf = Fraction(x, SCALE)
        if base != "e":
            k = is_power(xf, base)
            if k is not None:
                return str(k * SCALE)
        if x == SCALE:
            return "0"
        d = dec(x)
        v = d.ln() if base == "e" else (d.log10() if base == 10 else d.ln() / Decimal(2).ln())
        return result(floor_scaled(v), typ)
    return run


def f_pow(typ, x, y):
    if y == 0:
        return str(SCALE)
    if x == 0:
        return "ERR:DIVISION_BY_ZERO" if y < 0 else "0"
    if x < 0:
        if y % SCALE != 0:
            return "ERR:DOMAIN_ERROR"
        sign = -1 if (y // SCALE) % 2 != 0 else 1
    else:
        sign = 1
    xf = Fraction(abs(x), SCALE)
    yf = Fraction(y, SCALE)
    with localcontext() as ctx:
        ctx.prec = 120
        t = Decimal(yf.numerator) / Decimal(yf.denominator) * dec(abs(x)).ln()
        if t > 60:
            return "ERR:OVERFLOW"
        if t < -60:
            return "0" if sign > 0 else "-1"
        v = t.exp() * sign

    def exact(n):
        # Is |x|^y == |n| / 10^18 exactly?  (n/10^18)^b == x^a for y = a/b.
        a, b = yf.numerator, yf.denominator
        if b > 256 or abs(a) > 4096:
            return None
        return Fraction(abs(n), SCALE) ** b == xf ** a

    return result(floor_scaled(v, exact), typ)


def f_tanh(typ, x):
    if x == 0:
        return "0"
    d = dec(x)
    if abs(d) > 60:
        return str(SCALE - 1) if x > 0 else str(-SCALE)
    with localcontext() as ctx:
        ctx.prec = 120
        e = (2 * d).exp()
        v = (e - 1) / (e + 1)
    return result(floor_scaled(v), typ)


def f_sigmoid(typ, x):
    if x == 0:
        return str(SCALE // 2)
    d = dec(x)
    if d > 60:
        return str(SCALE - 1)
    if d < -60:
        return "0"
    with localcontext() as ctx:
        ctx.prec = 120
        v = 1 / (1 + (-d).exp())
    return result(floor_scaled(v), typ)


def erf_decimal(d):
    """erf by the alternating Maclaurin series, with enough digits to absorb cancellation."""
    with localcontext() as ctx:
        ctx.prec = 160
        x2 = d * d
        term = d
        total = d
        n = 0
        eps = Decimal(10) ** -130
        while True:
            n += 1
            term = -term * x2 / n
            add = term / (2 * n + 1)
            total += add
            if abs(add) < eps:
                break
        pi = pi_decimal()
        return 2 * total / pi.sqrt()


_PI = None


def pi_decimal():
    global _PI
    if _PI is None:
        with localcontext() as ctx:
            ctx.prec = 170
            # Machin: pi = 16 atan(1/5) - 4 atan(1/239)
            def atan_inv(k):
                total = Decimal(0)
                power = Decimal(1) / k
                n = 0
                while power > Decimal(10) ** -168:
                    total += (power / (2 * n + 1)) * (-1 if n % 2 else 1)
                    power /= k * k
                    n += 1
                return total
            _PI = 16 * atan_inv(5) - 4 * atan_inv(239)
    return _PI


def f_erf(typ, x):
    if x == 0:
        return "0"
    d = dec(x)
    if abs(d) > 9:
        return str(SCALE - 1) if x > 0 else str(-SCALE)
    return result(floor_scaled(erf_decimal(d)), typ)


FUNCTIONS = {
    "sqrt": (f_sqrt, 1), "exp": (f_exp, 1), "ln": (f_log("e"), 1), "log2": (f_log(2), 1),
    "log10": (f_log(10), 1), "pow": (f_pow, 2), "tanh": (f_tanh, 1),
    "sigmoid": (f_sigmoid, 1), "erf": (f_erf, 1),
}

# Typical magnitude ranges (as powers of ten of the value) per function.
RANGES = {
    "sqrt": (-18, 20.5), "exp": (-18, 1.7), "ln": (-18, 20.5), "log2": (-18, 20.5),
    "log10": (-18, 20.5), "tanh": (-18, 1.5), "sigmoid": (-18, 1.7), "erf": (-18, 0.9),
}


def random_raw(rng, lo_exp, hi_exp, limit):
    """A raw value whose decimal magnitude is log-uniform in [10^lo_exp, 10^hi_exp]."""
    e = rng.uniform(lo_exp, hi_exp)
    digits = max(1, int((e + 18) + 1))
    raw = rng.randrange(10 ** (digits - 1), 10 ** digits) if digits > 1 else rng.randrange(1, 10)
    return min(raw, limit)


def edge_values(fn):
    one = SCALE
    edges = [0, 1, 2, one - 1, one, one + 1, 2 * one, 10 * one, one // 2, one // 10,
             U_MAX, S_MAX, 3 * one, 5 * one // 4, 4 * one // 5]
    edges += [2**k * one for k in range(0, 68)] + [one // 2**k for k in range(1, 60)]
    edges += [10**k for k in range(0, 39)]
    thresholds = {"exp": [47, 46, 42, 41], "tanh": [22, 21], "sigmoid": [42, 41],
                  "erf": [6, 6.5, 7]}
    for t in thresholds.get(fn, []):
        base = int(Decimal(t) * one)
        edges += [base - 1, base, base + 1, base - 10**12, base + 10**12]
    if fn == "exp":
        edges += [47272200000000000000 + k * 10**13 for k in range(-50, 50)]
    return edges


def cases_for(fn, rng, count):
    func, arity = FUNCTIONS[fn]
    out = []
    dropped = 0
    if arity == 1:
        pool = [(t, v) for v in edge_values(fn) for t in ("ud", "sd") if in_range(v, t)]
        pool += [("sd", -v) for v in edge_values(fn) if v != 0 and in_range(-v, "sd")]
    else:
        pool = []
        for xs in ["2", "4", "0.25", "8", "1024", "10", "0.5", "1.5", "3", "0", "1", "100"]:
            for ys in ["0", "1", "2", "0.5", "-0.5", "3", "-1", "-2", "0.1", "0.25", "10", "20"]:
                pool.append(("sd", int(Fraction(xs) * SCALE), int(Fraction(ys) * SCALE)))
                if not ys.startswith("-"):
                    pool.append(("ud", int(Fraction(xs) * SCALE), int(Fraction(ys) * SCALE)))
        for xs in ["-2", "-3", "-0.5"]:
            for ys in ["2", "3", "-1", "-3", "0.5", "5"]:
                pool.append(("sd", int(Fraction(xs) * SCALE), int(Fraction(ys) * SCALE)))
    while len(pool) < count:
        typ = "sd" if rng.random() < 0.7 else "ud"
        limit = S_MAX if typ == "sd" else U_MAX
        if arity == 1:
            lo, hi = RANGES[fn]
            positive_domain = fn in ("sqrt", "ln", "log2", "log10")
            if typ == "ud" and positive_domain and rng.random() < 0.95:
                lo = 0  # unsigned logarithms need x >= 1
            if rng.random() < 0.1:
                hi = 20.5  # also probe far outside the interesting range
            x = random_raw(rng, lo, hi, limit)
            if typ == "sd" and rng.random() < (0.03 if positive_domain else 0.5):
                x = -x
            pool.append((typ, x))
        else:
            x = random_raw(rng, -6, 6, limit)
            y = random_raw(rng, -18, 1.5, limit)
            if typ == "sd" and rng.random() < 0.5:
                y = -y
            pool.append((typ, x, y))
    for item in pool[:count] if len(pool) <= count else pool:
        typ, args = item[0], item[1:]
        expected = func(typ, *args)
        if expected is None:
            dropped += 1
            continue
        out.append(" ".join([fn, typ] + [str(a) for a in args] + [expected]))
    return out, dropped


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--count", type=int, default=100000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--functions", default=",".join(FUNCTIONS))
    ap.add_argument("--cache-dir", help="reuse output generated before from the same seed, "
                    "count, functions and generator source (shared by the build presets)")
    args = ap.parse_args()
    cached = None
    if args.cache_dir:
        with open(__file__, "rb") as src:
            key = hashlib.sha256(src.read() + f"|{args.seed}|{args.count}|{args.functions}".encode())
        cached = os.path.join(args.cache_dir, "oracle-" + key.hexdigest()[:32] + ".txt")
        if os.path.exists(cached):
            shutil.copyfile(cached, args.out + ".tmp")
            os.replace(args.out + ".tmp", args.out)
            print(f"oracle: reused {cached}", file=sys.stderr)
            return 0
    with open(args.out + ".tmp", "w") as f:
        for fn in args.functions.split(","):
            rng = random.Random(f"{args.seed}:{fn}")
            lines, dropped = cases_for(fn, rng, args.count)
            f.write("\n".join(lines) + "\n")
            print(f"oracle: {fn}: {len(lines)} cases, {dropped} undecidable dropped",
                  file=sys.stderr)
    os.replace(args.out + ".tmp", args.out)
    if cached:
        os.makedirs(args.cache_dir, exist_ok=True)
        shutil.copyfile(args.out, cached + ".tmp")
        os.replace(cached + ".tmp", cached)
    return 0


if __name__ == "__main__":
    sys.exit(main())
