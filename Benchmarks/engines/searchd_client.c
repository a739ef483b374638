/* The benchmark's client for searchd: one request per query over the Unix socket, the round
 * trip timed client-side (what bench/engines/README.md asks), without an interpreter's
 * overhead in the measurement.
 *
 * usage: searchd_client SOCKET QUERIES_TSV K MODE NAME   (MODE: any | all)
 * stdout: TREC run lines "qid Q0 docid rank score NAME"; $LATENCY_OUT: "qid<TAB>micros".
 * build: cc -O2 -o searchd_client searchd_client.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int fd;
static char *buf;
static size_t cap = 1 << 20, len, start;

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void send_all(const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) { perror("write"); exit(1); }
        p += w;
        n -= (size_t)w;
    }
}

/* The next line from the socket (without its newline), valid until the next call. */
static char *read_line(void) {
    for (;;) {
        char *nl = memchr(buf + start, '\n', len - start);
        if (nl) {
            *nl = 0;
            char *line = buf + start;
            start = (size_t)(nl - buf) + 1;
            return line;
        }
        if (start > 0) {
            memmove(buf, buf + start, len - start);
            len -= start;
            start = 0;
        }
        if (len == cap) { cap *= 2; buf = realloc(buf, cap); }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r <= 0) { fprintf(stderr, "searchd closed the connection\n"); exit(1); }
        len += (size_t)r;
    }
}

/* Appends s to out as a JSON string body (quotes, backslashes and controls escaped). */
static size_t escape(char *out, const char *s) {
    size_t o = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') { out[o++] = '\\'; out[o++] = (char)c; }
        else if (c < 0x20) o += (size_t)sprintf(out + o, "\\u%04x", c);
        else out[o++] = (char)c;
    }
    return o;
}

/* Copies the JSON string value that starts after `"key":"` at p into out; returns the
 * position after it, or NULL. Handles \" and \\ (ids are paths). */
static const char *string_after(const char *p, const char *key, char *out, size_t max) {
    char pattern[32];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    p = strstr(p, pattern);
    if (!p) return NULL;
    p += strlen(pattern);
    size_t o = 0;
    while (*p && *p != '"' && o + 1 < max) {
        if (*p == '\\' && p[1]) p++;
        out[o++] = *p++;
    }
    out[o] = 0;
    return p;
}

int main(int argc, char **argv) {
    if (argc != 6) { fprintf(stderr, "usage: searchd_client SOCKET QUERIES_TSV K MODE NAME\n"); return 2; }
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    strncpy(a.sun_path, argv[1], sizeof a.sun_path - 1);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { perror(argv[1]); return 1; }
    buf = malloc(cap);
    FILE *q = fopen(argv[2], "r");
    if (!q) { perror(argv[2]); return 1; }
    const char *lat_path = getenv("LATENCY_OUT");
    FILE *lat = lat_path ? fopen(lat_path, "w") : NULL;
    char line[65536], request[300000], id[4096];
    int k = atoi(argv[3]);
    long n = 0;
    while (fgets(line, sizeof line, q)) {
        line[strcspn(line, "\n")] = 0;
        if (!line[0] || line[0] == '#') continue;
        char *tab = strchr(line, '\t');
        if (!tab) continue;
        *tab = 0;
        const char *qid = line, *text = tab + 1;
        size_t o = (size_t)sprintf(request, "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"search\",\"params\":{\"query\":\"", ++n);
        o += escape(request + o, text);
        o += (size_t)sprintf(request + o, "\",\"limit\":%d,\"snippets\":false,\"mode\":\"%s\"}}\n", k, argv[4]);
        long long t0 = now_ns();
        send_all(request, o);
        char *response = read_line();
        long long dt = (now_ns() - t0) / 1000;
        if (lat) fprintf(lat, "%s\t%lld\n", qid, dt);
        const char *p = strstr(response, "\"hits\":[");
        int rank = 0;
        while (p && (p = string_after(p, "id", id, sizeof id))) {
            const char *s = strstr(p, "\"score\":");
            double score = s ? atof(s + 8) : 0;
            printf("%s Q0 %s %d %.6g %s\n", qid, id, ++rank, score, argv[5]);
        }
    }
    if (lat) fclose(lat);
    return 0;
}
