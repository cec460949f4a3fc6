/* The floor for a migration: the bytes any copy must move, with nothing else. Reads SRC front to back
 * in 4 MiB reads, writes each chunk to DST (created, truncated), fsyncs DST once at the end: what a
 * copy costs when it neither parses, converts nor verifies. spoollock's `copy` and c-client's
 * `mailutil copy` are compared with it (spooltest/bench/mbox.py, migration part).
 *
 *   bench-copy-raw SRC DST
 *
 * Prints one JSON object: bytes copied and the wall time in ns (CLOCK_MONOTONIC). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: bench-copy-raw SRC DST\n");
        return 64;
    }
    long long t0 = now_ns();
    int in = open(argv[1], O_RDONLY);
    if (in < 0) { perror(argv[1]); return 66; }
    int out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out < 0) { perror(argv[2]); return 73; }
    size_t size = 4 << 20;
    char *buf = malloc(size);
    if (!buf) { perror("malloc"); return 71; }
    long long total = 0;
    for (;;) {
        ssize_t n = read(in, buf, size);
        if (n < 0) { perror(argv[1]); return 74; }
        if (n == 0) break;
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(out, buf + done, n - done);
            if (w < 0) { perror(argv[2]); return 74; }
            done += w;
        }
        total += n;
    }
    if (fsync(out) != 0) { perror(argv[2]); return 74; }
    close(out);
    close(in);
    printf("{\"bytes\": %lld, \"ns\": %lld}\n", total, now_ns() - t0);
    return 0;
}
