/*
 * A C floor for parsing a combined access log: the least work any analyzer must do per line, written
 * plainly in C, to compare logtop's engine (the package benchmark `C parse floor 1M lines (gcc -O2)`
 * builds this file with gcc and loads it) and its end-to-end speed (cfloor.c, a program around it)
 * with (docs/benchmarks.md, issue #13).
 *
 * Build it with gcc: clang -O2 (Swift's C compiler) makes `quoted_end` a loop with no branch to
 * predict, and the whole floor 2.4 times slower (0.53 s for 1M lines against 0.22 s).
 *
 * Per line: split the fields, quote-aware (a backslash escapes the next byte inside quotes); parse
 * the timestamp [dd/Mon/yyyy:HH:MM:SS +zzzz] to epoch seconds; read the status and the byte count;
 * hash the client, the path, the referrer and the user agent (FNV-1a). Nothing is stored; the
 * totals keep the compiler from skipping any of it.
 */
#include "floor.h"

#include <string.h>

static uint64_t fnv(const char *p, size_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
    return h;
}

static int num(const char *p, int n) {
    int v = 0;
    for (int i = 0; i < n; i++) v = v * 10 + (p[i] - '0');
    return v;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days(int y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int month(const char *p) {
    static const char *names = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (int i = 0; i < 12; i++)
        if (memcmp(names + 3 * i, p, 3) == 0) return i + 1;
    return 0;
}

/* Returns the end of a quoted field starting after its opening quote. */
static const char *quoted_end(const char *p, const char *end) {
    while (p < end && *p != '"') p += (*p == '\\' && p + 1 < end) ? 2 : 1;
    return p;
}

void cfloor_line(const char *p, const char *end, struct cfloor_totals *t) {
    t->lines++;
    const char *sp = memchr(p, ' ', end - p);
    if (!sp) { t->bad++; return; }
    t->hash ^= fnv(p, sp - p);                               /* client */
    const char *lb = memchr(sp, '[', end - sp);
    if (!lb || end - lb < 28) { t->bad++; return; }
    const char *ts = lb + 1;                                 /* dd/Mon/yyyy:HH:MM:SS +zzzz */
    int zone = num(ts + 22, 2) * 3600 + num(ts + 24, 2) * 60;
    if (ts[21] == '-') zone = -zone;
    t->time += days(num(ts + 7, 4), month(ts + 3), num(ts, 2)) * 86400 + num(ts + 12, 2) * 3600
             + num(ts + 15, 2) * 60 + num(ts + 18, 2) - zone;
    const char *q = memchr(ts, '"', end - ts);
    if (!q) { t->bad++; return; }
    const char *rq = q + 1, *rqe = quoted_end(rq, end);      /* "METHOD PATH PROTO" */
    const char *m = memchr(rq, ' ', rqe - rq);
    if (m) {
        const char *pe = memchr(m + 1, ' ', rqe - m - 1);
        t->hash ^= fnv(m + 1, (pe ? pe : rqe) - m - 1);      /* path */
    }
    const char *f = rqe + 2;                                 /* status bytes "referrer" "ua" */
    if (f + 3 > end) { t->bad++; return; }
    t->hash += (uint64_t)num(f, 3);
    f += 4;
    uint64_t b = 0;
    while (f < end && *f >= '0' && *f <= '9') b = b * 10 + (uint64_t)(*f++ - '0');
    t->bytes += b;
    const char *r = memchr(f, '"', end - f);
    if (!r) return;
    const char *re = quoted_end(r + 1, end);
    t->hash ^= fnv(r + 1, re - r - 1);                       /* referrer */
    const char *u = re + 1 < end ? memchr(re + 1, '"', end - re - 1) : NULL;
    if (!u) return;
    const char *ue = quoted_end(u + 1, end);
    t->hash ^= fnv(u + 1, ue - u - 1) * 31;                  /* user agent */
}
