/* The floor for a verified load (scripts/bench-load.sh): what `load(.fashion)` must do at least on a
 * cold read, in plain C on 2 threads — inflate each of the four .gz files into one array with zlib,
 * SHA-256 the payload (OpenSSL) while it streams, and keep the elements. Prints the milliseconds.
 * Build: cc -O2 -o floor bench_load_floor.c -lz -lcrypto -lpthread
 * Usage: floor DIR   (DIR holds train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-…) */
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

static const char *names[4] = {"train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                               "train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};
static const char *dir;
static int next_file = 0;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char *arrays[4];
static size_t sizes[4];

static void load(int i) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    gzFile in = gzopen(path, "rb");
    if (!in) { perror(path); exit(1); }
    gzbuffer(in, 1 << 20);
    size_t capacity = 48 << 20, used = 0;
    unsigned char *out = malloc(capacity);
    EVP_MD_CTX *sha = EVP_MD_CTX_new();
    EVP_DigestInit_ex(sha, EVP_sha256(), NULL);
    for (;;) {
        if (capacity - used < (1 << 20)) { capacity *= 2; out = realloc(out, capacity); }
        int n = gzread(in, out + used, 1 << 20);
        if (n < 0) { fprintf(stderr, "%s: inflate failed\n", path); exit(1); }
        if (n == 0) break;
        EVP_DigestUpdate(sha, out + used, (size_t)n);
        used += (size_t)n;
    }
    unsigned char digest[32];
    EVP_DigestFinal_ex(sha, digest, NULL);
    EVP_MD_CTX_free(sha);
    gzclose(in);
    arrays[i] = out;
    sizes[i] = used;
}

static void *worker(void *unused) {
    (void)unused;
    for (;;) {
        pthread_mutex_lock(&lock);
        int i = next_file < 4 ? next_file++ : -1;
        pthread_mutex_unlock(&lock);
        if (i < 0) return NULL;
        load(i);
    }
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s DIR\n", argv[0]); return 2; }
    dir = argv[1];
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pthread_t threads[2];
    for (int t = 0; t < 2; t++) pthread_create(&threads[t], NULL, worker, NULL);
    for (int t = 0; t < 2; t++) pthread_join(threads[t], NULL);
    clock_gettime(CLOCK_MONOTONIC, &end);
    double ms = (end.tv_sec - start.tv_sec) * 1e3 + (end.tv_nsec - start.tv_nsec) / 1e6;
    printf("%.3f\n", ms);
    return sizes[0] > 0 ? 0 : 1;
}
