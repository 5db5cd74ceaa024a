/*
 * The C parse floor as a program: reads an access log and runs floor.c over it, to
 * time logtop's end-to-end replay against (docs/benchmarks.md, issue #13). One file to compile:
 *
 *   cc -O2 -o /tmp/cfloor Benchmarks/cfloor/cfloor.c && /tmp/cfloor access.log
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "floor.c"

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: cfloor ACCESS_LOG\n"); return 2; }
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) { perror(argv[1]); return 1; }
    size_t cap = 1 << 20, have = 0;
    char *buf = malloc(cap);
    struct cfloor_totals t = {0};
    for (;;) {
        ssize_t n = read(fd, buf + have, cap - have);
        if (n < 0) { perror("read"); return 1; }
        if (n == 0) break;
        have += (size_t)n;
        char *p = buf, *end = buf + have, *nl;
        while ((nl = memchr(p, '\n', end - p))) { cfloor_line(p, nl, &t); p = nl + 1; }
        have = end - p;
        memmove(buf, p, have);
        if (have == cap) { cap *= 2; buf = realloc(buf, cap); }
    }
    if (have) cfloor_line(buf, buf + have, &t);
    printf("%llu lines, %llu malformed, checksum %016llx %lld %llu\n", (unsigned long long)t.lines,
           (unsigned long long)t.bad, (unsigned long long)t.hash, (long long)t.time, (unsigned long long)t.bytes);
    return 0;
}
