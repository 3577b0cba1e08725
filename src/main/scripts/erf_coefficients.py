#!/usr/bin/env python3
"""Coefficients of the polynomials in src/main/java/dev/tensorj/backend/Erf.java, and the
high-precision reference tables that ErfReferenceTest checks Erf and GELU against.

Rerun from the repository root (needs mpmath; deterministic, about a minute):

    python3 src/main/scripts/erf_coefficients.py > /tmp/erf-coefficients.txt

It prints the Java constants to paste into Erf.java (with the fit errors as comments) and rewrites
src/test/resources/dev/tensorj/backend/erf-reference.txt and gelu-reference.txt.

The fits are Chebyshev interpolants (near-minimax) computed in 60-digit arithmetic, written in the
monomial basis of a variable centred on each interval so that Horner's rule in double is well
conditioned there (the printed "cond" is max sum|c_k s^k| / |f|, the error amplification of Horner):
  - |x| < SMALL:           erf(x) = x * P(x^2),  P(t) ~ erf(sqrt t)/sqrt t on [0, SMALL^2];
  - SMALL <= x < TAIL:     erfc(x) = e^(-x^2) * M_i(x - c_i) on pieces [SMALL + i/2, SMALL + (i+1)/2),
                           c_i the piece's midpoint, M_i ~ erfc(x) e^(x^2) (smooth, no cancellation);
  - TAIL <= x:             erfc(x) = e^(-x^2) / x * T(1/x^2),  T(u) ~ x erfc(x) e^(x^2), T(0) = 1/sqrt(pi).
A degree is taken as the smallest that brings the interpolant's relative error under 1e-17 before
its coefficients are rounded to double.
"""
import math
import os
import random

import mpmath as mp

mp.mp.dps = 60

SMALL = mp.mpf("0.5")
TAIL = mp.mpf(4)
PIECE = mp.mpf("0.5")
ZERO_BEYOND = mp.mpf("27.5")  # erfc(x) < 2^-1075 there: it rounds to 0
TARGET = mp.mpf("1e-17")


def erfc_scaled(x):
    return mp.erfc(x) * mp.exp(x * x)


def erf_over_x(t):
    if t == 0:
        return 2 / mp.sqrt(mp.pi)
    r = mp.sqrt(t)
    return mp.erf(r) / r


def tail_scaled(u):
    if u == 0:
        return 1 / mp.sqrt(mp.pi)
    x = 1 / mp.sqrt(u)
    return x * erfc_scaled(x)


def interpolate(f, a, b, c, n):
    """Monomial coefficients in s = x - c of the polynomial through f at n Chebyshev nodes of [a, b]."""
    nodes = [(a + b) / 2 + (b - a) / 2 * mp.cos(mp.pi * (2 * k + 1) / (2 * n)) for k in range(n)]
    vandermonde = mp.matrix([[(x - c) ** j for j in range(n)] for x in nodes])
    values = mp.matrix([f(x) for x in nodes])
    solution = mp.lu_solve(vandermonde, values)
    return [solution[j] for j in range(n)]


def errors(f, coef, a, b, c, samples=300):
    """Worst relative error of the polynomial (evaluated exactly) on a grid of [a, b], and Horner's condition."""
    worst = mp.mpf(0)
    cond = mp.mpf(0)
    for i in range(samples + 1):
        x = a + (b - a) * mp.mpf(i) / samples
        s = x - c
        p = mp.mpf(0)
        for cf in reversed(coef):
            p = p * s + cf
        fx = f(x)
        worst = max(worst, abs(p / fx - 1))
        cond = max(cond, sum(abs(cf) * abs(s) ** j for j, cf in enumerate(coef)) / abs(fx))
    return worst, cond


def fit(f, a, b, c, n=None):
    """(degree+1, double coefficients, error before rounding, error after rounding, condition)."""
    if n is None:
        n = 4
        while errors(f, interpolate(f, a, b, c, n), a, b, c, 60)[0] > TARGET:
            n += 1
    exact = interpolate(f, a, b, c, n)
    rounded = [mp.mpf(float(v)) for v in exact]
    return n, [float(v) for v in exact], errors(f, exact, a, b, c)[0], *errors(f, rounded, a, b, c)


def java_array(values, indent):
    lines = []
    for i in range(0, len(values), 3):
        lines.append(indent + ", ".join(repr(v) for v in values[i:i + 3]) + ",")
    return "\n".join(lines)


def print_coefficients():
    n, small, e0, e1, cond = fit(erf_over_x, mp.mpf(0), SMALL ** 2, mp.mpf(0))
    print(f"    // erf(x)/x in t = x^2 on [0, {SMALL ** 2}]: degree {n - 1}; relative error {mp.nstr(e0, 2)} fitted,")
    print(f"    // {mp.nstr(e1, 2)} with double coefficients; Horner's condition {mp.nstr(cond, 3)}")
    print("    private static final double[] SMALL_POLY = {")
    print(java_array(small, "        "))
    print("    };")

    pieces = int((TAIL - SMALL) / PIECE)
    fits = []
    for i in range(pieces):
        a = SMALL + i * PIECE
        fits.append((a, a + PIECE, a + PIECE / 2))
    degree = max(fit(erfc_scaled, a, b, c)[0] for a, b, c in fits)  # one length for all: a fixed loop
    print(f"    // erfc(x) e^(x^2) in s = x - c on pieces of width {PIECE} from {SMALL} to {TAIL} (c the middle):"
          f" degree {degree - 1};")
    print("    // per piece: relative error fitted / with double coefficients, Horner's condition")
    rows = []
    for a, b, c in fits:
        n, coef, e0, e1, cond = fit(erfc_scaled, a, b, c, degree)
        print(f"    //   [{a}, {b}): {mp.nstr(e0, 2)} / {mp.nstr(e1, 2)}, cond {mp.nstr(cond, 3)}")
        rows.append(coef)
    print("    private static final double[][] MIDDLE_POLY = {")
    for coef in rows:
        print("        {")
        print(java_array(coef, "            "))
        print("        },")
    print("    };")

    n, tail, e0, e1, cond = fit(tail_scaled, mp.mpf(0), 1 / TAIL ** 2, mp.mpf(0))
    print(f"    // x erfc(x) e^(x^2) in u = 1/x^2 on [0, 1/{TAIL}^2]: degree {n - 1}; relative error {mp.nstr(e0, 2)}")
    print(f"    // fitted, {mp.nstr(e1, 2)} with double coefficients; Horner's condition {mp.nstr(cond, 3)}")
    print("    private static final double[] TAIL_POLY = {")
    print(java_array(tail, "        "))
    print("    };")
    assert mp.erfc(ZERO_BEYOND) < mp.mpf(2) ** -1075


def breakpoints():
    """Each boundary of the fits, and its neighbours one ulp away, with both signs."""
    out = []
    edges = [SMALL + i * PIECE for i in range(int((TAIL - SMALL) / PIECE) + 1)] + [ZERO_BEYOND]
    for e in edges:
        v = float(e)
        for x in (v, math.nextafter(v, 0), math.nextafter(v, math.inf)):
            out += [x, -x]
    return out


def write_erf_table(path):
    rng = random.Random(20261205)
    xs = [k / 64 for k in range(-384, 385)]  # dense grid on [-6, 6]
    xs += [rng.uniform(-6, 6) for _ in range(500)]
    xs += [s * (6 + k / 4) for k in range(1, 87) for s in (1, -1)]  # tails to 27.5
    xs += [s * rng.uniform(6, 27.5) for _ in range(50) for s in (1, -1)]
    xs += breakpoints()
    xs += [s * v for v in (1e-300, 1e-100, 1e-20, 2.0 ** -30, 1e-8, 1e-4, 1e3, 1e10) for s in (1, -1)]
    with open(path, "w") as out:
        out.write("# x, erf(x), erfc(x): mpmath at 60 digits, printed to 22; written by"
                  " src/main/scripts/erf_coefficients.py\n")
        for x in xs:
            m = mp.mpf(x)
            erfc = mp.erfc(m)
            if erfc < mp.mpf(2) ** -1100:  # far below the least double: 0 (and no 10^-(4e19) in the file)
                erfc = mp.mpf(0)
            out.write(f"{x!r} {mp.nstr(mp.erf(m), 22)} {mp.nstr(erfc, 22)}\n")


def write_gelu_table(path):
    """GELU and its derivative at float inputs (written as exact doubles) from -12 to 12."""
    rng = random.Random(20261206)
    import struct

    def to_float(v):
        return struct.unpack("f", struct.pack("f", v))[0]

    xs = [to_float(k / 16) for k in range(-192, 193)]
    xs += [to_float(rng.gauss(0, 2)) for _ in range(400)]
    xs += [to_float(rng.uniform(-12, 12)) for _ in range(100)]
    with open(path, "w") as out:
        out.write("# x (a float), gelu(x) = x/2 erfc(-x/sqrt 2), gelu'(x) = Phi(x) + x phi(x): mpmath at 60 digits,"
                  " printed to 22; written by src/main/scripts/erf_coefficients.py\n")
        for x in xs:
            m = mp.mpf(x)
            phi = mp.exp(-m * m / 2) / mp.sqrt(2 * mp.pi)
            cdf = mp.erfc(-m / mp.sqrt(2)) / 2
            out.write(f"{x!r} {mp.nstr(m * cdf, 22)} {mp.nstr(cdf + m * phi, 22)}\n")


if __name__ == "__main__":
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")
    resources = os.path.join(root, "src", "test", "resources", "dev", "tensorj", "backend")
    os.makedirs(resources, exist_ok=True)
    print_coefficients()
    write_erf_table(os.path.join(resources, "erf-reference.txt"))
    write_gelu_table(os.path.join(resources, "gelu-reference.txt"))
