/*
 * A C floor for parsing a combined access log (see floor.c): the least work any analyzer must do
 * per line, to compare logtop's engine and its end-to-end speed with (docs/benchmarks.md, issue #13).
 */
#ifndef CFLOOR_H
#define CFLOOR_H

#include <stddef.h>
#include <stdint.h>

/* What the floor accumulates: lines, lines it could not read, a checksum of the hashes and the
 * status codes, the sum of the timestamps (epoch seconds) and of the byte counts. */
struct cfloor_totals {
    uint64_t lines, bad, hash, bytes;
    int64_t time;
};

/* Reads the line [p, end) (no newline) into `t`. */
void cfloor_line(const char *p, const char *end, struct cfloor_totals *t);

#endif
