/* The floor for a copy into a Maildir the Maildir way: a file per message, written into tmp/ and renamed
 * into cur/, everything made durable once at the end. Per message: open(tmp/NAME, O_CREAT|O_EXCL), write,
 * futimens (the internal date), close, rename into cur/NAME:2,S; then syncfs of the filesystem and fsync
 * of cur/ and of the Maildir. What any writer that keeps the Maildir protocol (no reader ever sees a
 * partial file in cur/) must do for each message, with no parsing, no names worth the name, no UIDs,
 * no keywords and no verification. spoollock's `copy --format maildir` and mb2md (which writes straight
 * into cur/ and syncs nothing) are compared with it (spooltest/bench/formats.py).
 *
 *   bench-maildir-raw MESSAGES DST
 *
 * MESSAGES: the messages one after another, each followed by the 13 bytes "\0\0\0\0SPLIT\0\0\0\0" but the
 * last (formats.py writes it). DST must not exist. Prints one JSON object: messages, bytes, wall time
 * in ns (CLOCK_MONOTONIC). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void sync_path(const char *p) {
    int fd = open(p, O_RDONLY | O_DIRECTORY);
    if (fd < 0 || fsync(fd) != 0) { perror(p); exit(74); }
    close(fd);
}

int main(int argc, char **argv) {
    static const char sep[13] = "\0\0\0\0SPLIT\0\0\0"; /* and the terminating NUL: 13 bytes */
    if (argc != 3) {
        fprintf(stderr, "usage: bench-maildir-raw MESSAGES DST\n");
        return 64;
    }
    long long t0 = now_ns();
    int in = open(argv[1], O_RDONLY);
    if (in < 0) { perror(argv[1]); return 66; }
    struct stat st;
    if (fstat(in, &st) != 0) { perror(argv[1]); return 66; }
    const char *data = st.st_size ? mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, in, 0) : "";
    if (data == MAP_FAILED) { perror("mmap"); return 71; }
    char path[4096], to[4096];
    const char *sub[] = {"", "/tmp", "/new", "/cur"};
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s%s", argv[2], sub[i]);
        if (mkdir(path, 0700) != 0) { perror(path); return 73; }
    }
    long long bytes = 0;
    long messages = 0;
    pid_t pid = getpid();
    for (const char *p = data, *end = data + st.st_size; p < end;) {
        const char *e = memmem(p, end - p, sep, sizeof sep);
        if (!e) e = end;
        size_t n = e - p;
        snprintf(path, sizeof path, "%s/tmp/%ld.M%ldP%d.floor,S=%zu", argv[2], 1700000000L + messages, messages, (int) pid, n);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) { perror(path); return 73; }
        for (size_t done = 0; done < n;) {
            ssize_t w = write(fd, p + done, n - done);
            if (w < 0) { perror(path); return 74; }
            done += w;
        }
        struct timespec times[2] = {{0, UTIME_NOW}, {1700000000L + messages, 0}};
        if (futimens(fd, times) != 0) { perror(path); return 74; }
        if (close(fd) != 0) { perror(path); return 74; }
        snprintf(to, sizeof to, "%s/cur/%ld.M%ldP%d.floor,S=%zu:2,S", argv[2], 1700000000L + messages, messages, (int) pid, n);
        if (rename(path, to) != 0) { perror(to); return 74; }
        bytes += n;
        messages++;
        p = e + (e < end ? sizeof sep : 0);
    }
    int dfd = open(argv[2], O_RDONLY | O_DIRECTORY);
    if (dfd < 0 || syncfs(dfd) != 0) { perror(argv[2]); return 74; }
    close(dfd);
    snprintf(path, sizeof path, "%s/cur", argv[2]);
    sync_path(path);
    sync_path(argv[2]);
    printf("{\"messages\": %ld, \"bytes\": %lld, \"ns\": %lld}\n", messages, bytes, now_ns() - t0);
    return 0;
}
