"""Reference values for test/core/stats-exact.test.ts, computed independently of the TypeScript.

Run: python3 test/core/stats_reference.py   (python3 with mpmath; nothing else)

- binomial tails: exact rational arithmetic (fractions.Fraction), printed to 17 digits;
- Poisson tails and Student t quantiles: mpmath at 50 digits;
- the sign-flip test: brute-force enumeration of all 2^K sign patterns (Fraction);
- the early stop's false alarm: a dynamic programme over the Poisson process written afresh here
  (critical counts found by scanning k, breakpoints by bisection at 60 digits), plus the same
  stitched tail as the product;
- the event-sequence check: exact DP over events labelled candidate with probability `share`,
  the boundary from exact binomial tails (Fraction-free floats via mpmath).
"""
from fractions import Fraction
from itertools import product
from math import comb
import mpmath as mp

mp.mp.dps = 50


def binom_upper(k, n, p):
    p = Fraction(p)
    return sum(comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(k, n + 1))


def binom_lower(k, n, p):
    p = Fraction(p)
    return sum(comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(0, k + 1))


def show(name, x):
    print(f"{name} = {mp.nstr(mp.mpf(x.numerator) / x.denominator if isinstance(x, Fraction) else x, 17)}")


print("# binomial tails (Fraction)")
show("P(Bin(108, 1/20) >= 13)", binom_upper(13, 108, Fraction(1, 20)))
show("P(Bin(250, 1/50) >= 13)", binom_upper(13, 250, Fraction(1, 50)))
show("P(Bin(20, 1/4) >= 10)", binom_upper(10, 20, Fraction(1, 4)))
show("P(Bin(1000, 1/100) <= 3)", binom_lower(3, 1000, Fraction(1, 100)))
show("P(Bin(2000, 1/20) >= 130)", binom_upper(130, 2000, Fraction(1, 20)))
show("P(Bin(2000, 1/20) <= 80)", binom_lower(80, 2000, Fraction(1, 20)))
# The early-stop example: 456 + 6000 stable calls with 129 errors, 24 candidate calls with 4.
show("P(Bin(133, 24/6480) >= 4)", binom_upper(4, 133, Fraction(24, 6480)))

print("# Poisson tails (mpmath)")
for k, mu in [(4, mp.mpf("0.5")), (10, mp.mpf(2)), (200, mp.mpf(150))]:
    tail = 1 - sum(mp.exp(-mu) * mu**j / mp.factorial(j) for j in range(k))
    print(f"P(Pois({mu}) >= {k}) = {mp.nstr(tail, 17)}")

print("# Student t quantiles (mpmath)")
for p, df in [(0.95, 29), (0.95, 33), (0.975, 1), (0.95, 4)]:
    q = mp.findroot(lambda t: mp.betainc(df / 2, mp.mpf(1) / 2, 0, df / (df + t * t), regularized=True) / 2 - (1 - p), 2)
    print(f"t({p}, {df}) = {mp.nstr(q, 17)}")

print("# sign-flip test (enumeration, Fraction)")
d = [1, 2, 0, -1, 3, 1, 1, 0, 2, -2, 1, 1]
s_obs = sum(d)
nz = [abs(x) for x in d if x != 0]
ge = ext = 0
for signs in product([1, -1], repeat=len(nz)):
    s = sum(a * b for a, b in zip(signs, nz))
    ge += s >= s_obs
    ext += abs(s) >= abs(s_obs)
show(f"signflip {d} greater", Fraction(ge, 2 ** len(nz)))
show(f"signflip {d} two-sided", Fraction(ext, 2 ** len(nz)))

print("# case-clustered escalation increase (Fraction, t from mpmath)")
# cases: (repeats, baseline escalations, candidate escalations)
cases = [(3, 0, 1), (3, 1, 1), (3, 0, 0), (3, 0, 2), (3, 2, 1), (3, 0, 0), (3, 0, 1), (3, 1, 3)]
runs = sum(r for r, _, _ in cases)
est = Fraction(sum(c - b for _, b, c in cases), runs)
k = len(cases)
ss = sum((Fraction(c - b) - est * r) ** 2 for r, b, c in cases)
v = Fraction(k, k - 1) * ss
se = mp.sqrt(mp.mpf(v.numerator) / v.denominator) / runs
t = mp.findroot(lambda t: mp.betainc((k - 1) / 2, mp.mpf(1) / 2, 0, (k - 1) / ((k - 1) + t * t), regularized=True) / 2 - mp.mpf("0.05"), 2)
print(f"estimate = {mp.nstr(mp.mpf(est.numerator) / est.denominator, 17)}, lower = {mp.nstr(mp.mpf(est.numerator) / est.denominator - t * se, 17)}")

print("# early stop false alarm (Poisson process, exact DP)")
MIN_EVENTS, FLAT, DECAY, EXACT_UNTIL = 4, mp.mpf("0.5"), mp.mpf("2.5"), 64


def level(g, mu):
    return g if mu <= FLAT else g * (FLAT / mu) ** DECAY


def pois_sf(k, mu):
    return mp.gammainc(k, 0, mu, regularized=True)  # P(Pois(mu) >= k)


def rejects(g, k, mu):
    return k >= MIN_EVENTS and pois_sf(k, mu) <= level(g, mu)


def false_alarm(g):
    g = mp.mpf(g)
    count, start, dist, crossed = MIN_EVENTS, mp.mpf(0), [mp.mpf(1)], mp.mpf(0)
    while True:
        lo, hi = start, max(start * 2, mp.mpf(1))
        while rejects(g, count, hi):
            hi *= 2
        for _ in range(90):
            mid = (lo + hi) / 2
            if rejects(g, count, mid):
                lo = mid
            else:
                hi = mid
        end = min(hi, EXACT_UNTIL)
        d = end - start
        inc = [mp.exp(-d) * d**j / mp.factorial(j) for j in range(count)]
        kept = [mp.mpf(0)] * count
        for i, w in enumerate(dist):
            for j in range(count - i):
                kept[i + j] += w * inc[j]
        crossed += sum(dist) - sum(kept)
        dist, start = kept, end
        if start >= EXACT_UNTIL:
            break
        count += 1
    tail = mp.mpf(0)
    a = mp.mpf(EXACT_UNTIL)
    for _ in range(64):
        gam = level(g, a)
        lo, hi = mp.mpf(0), mp.mpf(60)  # upper-tail normal quantile: ncdf(-c) = gam
        for _ in range(200):
            mid = (lo + hi) / 2
            if mp.ncdf(-mid) > gam:
                lo = mid
            else:
                hi = mid
        c = hi
        tail += mp.ncdf(-c) + c * mp.npdf(c) * mp.log(2) / 2
        a *= 2
    return crossed + tail


for g in ["0.0015", "0.002"]:
    print(f"early stop false alarm, flat level {g}: {mp.nstr(false_alarm(g), 12)}")

print("# event-sequence DP: the same p-value boundary, events in the candidate's arm with probability share")


def binom_sf_f(k, n, p):
    return mp.betainc(k, n - k + 1, 0, p, regularized=True) if 0 < k <= n else (mp.mpf(1) if k <= 0 else mp.mpf(0))


def event_false_alarm(share, g, mu_max):
    share, g = mp.mpf(share), mp.mpf(g)
    dist, crossed = [mp.mpf(1)], mp.mpf(0)
    x_max = int(mu_max / share)
    for x in range(1, x_max + 1):
        lev = level(g, x * share)
        c = max(MIN_EVENTS, int(x * share))
        while binom_sf_f(c, x, share) > lev:
            c += 1
        new = [mp.mpf(0)] * (len(dist) + 1)
        for i, w in enumerate(dist):
            new[i] += w * (1 - share)
            new[i + 1] += w * share
        crossed += sum(new[c:])
        dist = new[:c]
    return crossed


for share in ["0.05", "0.25"]:
    print(f"event DP, share {share}, flat level 0.002, mu <= 20: {mp.nstr(event_false_alarm(share, '0.002', 20), 12)}")
