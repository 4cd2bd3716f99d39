/* qsort and bsearch on ints, unsigned edge values, strings and structs, with stable
   tie-breaking comparators; every result is checked and checksummed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t state = 0x9e3779b9u;
static uint32_t next(void) {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}
static int cmp_uint_desc(const void *a, const void *b) {
  unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
  return (x < y) - (x > y);
}
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

struct record {
  int key;
  short group;
  char name[10];
  long long weight;
};
static int cmp_record(const void *a, const void *b) {
  const struct record *x = a, *y = b;
  if (x->group != y->group) return x->group - y->group;
  if (x->weight != y->weight) return x->weight < y->weight ? -1 : 1;
  return x->key - y->key;
}

int main(void) {
  enum { N = 5000 };
  static int v[N];
  static unsigned u[N];
  static struct record r[2000];
  static char words[1000][12];
  static char *pw[1000];
  unsigned long sum = 0;

  for (int size = 0; size <= N; size = size ? size * 3 : 1) {
    for (int i = 0; i < size; i++) v[i] = (int)(next() % 2001) - 1000;
    qsort(v, (size_t)size, sizeof *v, cmp_int);
    int ok = 1;
    for (int i = 1; i < size; i++) ok &= v[i - 1] <= v[i];
    int found = 0, correct = 1;
    for (int k = -1005; k <= 1005; k += 7) {
      int *p = bsearch(&k, v, (size_t)size, sizeof *v, cmp_int);
      if (p) {
        found++;
        correct &= *p == k;
      } else {
        for (int i = 0; i < size; i++) correct &= v[i] != k;
      }
    }
    for (int i = 0; i < size; i++) sum = sum * 33 + (unsigned)v[i];
    printf("ints n=%d sorted=%d found=%d correct=%d min=%d max=%d\n", size, ok, found, correct, size ? v[0] : 0, size ? v[size - 1] : 0);
  }
  static const unsigned edges[] = {0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x80000001, 2, 0xfffffffe};
  for (int i = 0; i < N; i++) u[i] = i % 3 ? edges[next() % 8] : next();
  qsort(u, N, sizeof *u, cmp_uint_desc);
  printf("unsigned desc: %08x %08x %08x ... %08x %08x\n", u[0], u[1], u[2], u[N - 2], u[N - 1]);
  for (int i = 0; i < N; i++) sum = sum * 33 + u[i];
  for (int i = 0; i < 1000; i++) {
    int len = 1 + (int)(next() % 10);
    for (int j = 0; j < len; j++) words[i][j] = (char)('a' + next() % 6);
    words[i][len] = 0;
    pw[i] = words[i];
  }
  qsort(pw, 1000, sizeof *pw, cmp_str);
  printf("words: %s %s %s ... %s\n", pw[0], pw[1], pw[2], pw[999]);
  for (int i = 0; i < 1000; i++) sum = sum * 33 + (unsigned char)pw[i][0] + strlen(pw[i]);
  char *key = "abc";
  char **hit = bsearch(&key, pw, 1000, sizeof *pw, cmp_str);
  printf("bsearch abc: %s\n", hit ? *hit : "(none)");
  for (int i = 0; i < 2000; i++) {
    r[i].key = i;
    r[i].group = (short)(next() % 7);
    r[i].weight = (long long)(int)next() * (int)(next() % 1000);
    snprintf(r[i].name, sizeof r[i].name, "r%d", i);
  }
  qsort(r, 2000, sizeof *r, cmp_record);
  for (int i = 0; i < 2000; i += 199) printf("record %s group %d weight %lld\n", r[i].name, r[i].group, r[i].weight);
  for (int i = 0; i < 2000; i++) sum = sum * 33 + (unsigned)r[i].key;
  printf("checksum %08lx\n", sum);
  return 0;
}
