/* The round trip of one request line over a Unix socket, and an echo server to compare with:
 * what a socket costs on this machine before any search (Docs/BENCHMARKS.md, "The socket's
 * floor").
 *
 * usage: roundtrip SOCKET COUNT [LINE]   sends LINE (default: searchd's ping) COUNT times,
 *                                         reading one answer line each; prints p50/p90/p99
 *        roundtrip --echo SOCKET         answers every read with one line, forever
 * build: cc -O2 -o roundtrip roundtrip.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int by_value(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

static struct sockaddr_un address(const char *path) {
    struct sockaddr_un a = {0};
    a.sun_family = AF_UNIX;
    strncpy(a.sun_path, path, sizeof a.sun_path - 1);
    return a;
}

static int echo(const char *path) {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = address(path);
    unlink(path);
    if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 1)) { perror("bind"); return 1; }
    const char *answer = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n";
    for (;;) {
        int c = accept(s, NULL, NULL);
        char b[65536];
        while (read(c, b, sizeof b) > 0) {
            if (write(c, answer, strlen(answer)) < 0) break;
        }
        close(c);
    }
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--echo") == 0) return echo(argv[2]);
    if (argc < 3) { fprintf(stderr, "usage: roundtrip SOCKET COUNT [LINE] | roundtrip --echo SOCKET\n"); return 2; }
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = address(argv[1]);
    if (connect(fd, (struct sockaddr *)&a, sizeof a)) { perror("connect"); return 1; }
    int n = atoi(argv[2]);
    if (n < 1) return 2;
    char line[65536];
    snprintf(line, sizeof line, "%s\n", argc > 3 ? argv[3] : "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");
    long long *t = malloc((size_t)n * sizeof *t);
    static char buf[1 << 20];
    for (int i = 0; i < n; i++) {
        long long start = now_ns();
        if (write(fd, line, strlen(line)) < 0) { perror("write"); return 1; }
        size_t got = 0;
        while (!memchr(buf, '\n', got)) {
            ssize_t r = read(fd, buf + got, sizeof buf - got);
            if (r <= 0) { fprintf(stderr, "the server closed the connection\n"); return 1; }
            got += (size_t)r;
        }
        t[i] = now_ns() - start;
    }
    qsort(t, (size_t)n, sizeof *t, by_value);
    printf("p50 %lld us  p90 %lld us  p99 %lld us\n", t[n / 2] / 1000, t[n * 9 / 10] / 1000, t[n * 99 / 100] / 1000);
    return 0;
}
