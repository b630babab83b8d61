/* The counting pass's per-line and per-sentence work, and the encoding stage's scan, in C.

   Every line and every sentence of a corpus is folded and fingerprinted in the counting
   pass, and most of that time went into the small Python strings each step makes. Here a
   line is read in place. Both functions give exactly what their Python references give,
   which tests/test_prints.py checks on generated text:

     fold(line)            -> str        repeated_store.normalise(line): lowercase, digit
                                         runs to "0", whitespace collapsed and stripped
     sentence_prints(text) -> list[int]  sentences.py_doc_sentences(text): each sentence's
                                         fingerprint, once, in order
     line_prints(text, glued, lead)
                           -> dict       repeated_store.py_doc_lines(text): fingerprint ->
                                         line; the rare lines that may hold a glued marker
                                         or a lead go to the Python functions `glued` and
                                         `lead`
     digest8(text)         -> str        blake2b(text.encode(), digest_size=8).hexdigest():
                                         a line's fingerprint, BLAKE2b written out here
     first_print(line)     -> int | None sentences.py_first_print(line): the fingerprint
                                         of a paragraph's first sentence, if long enough
     next_suspect(text, pos) -> int      encoding.py_next_suspect(text, pos): where the next
                                         character that may start a suspect span is, or -1
     repeated_lines(text, sizes, most, counts, firsts)
                           -> list       stages/repeated.py_repeated_lines: the lines that
                                         are a learned line, and those to try for a glued
                                         copy or a lead

   Python's own character tests are used throughout (Py_UNICODE_ISSPACE is what str.split,
   str.strip and the re module's \s use; Py_UNICODE_ISDECIMAL is \d), and the lowercase of
   a non-ASCII character is str.lower's own mapping (Py_UNICODE_TOLOWER; str.lower itself
   for the two characters where that differs, see fold_into).
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

static unsigned char ascii_space[128];
static unsigned char ascii_break[128];
static PyObject *zero; /* the int 0 */
#define IS_SPACE(c) ((c) < 128 ? ascii_space[(c)] : Py_UNICODE_ISSPACE(c))
#define IS_BREAK(c) ((c) < 128 ? ascii_break[(c)] : Py_UNICODE_ISLINEBREAK(c))
#define READ(kind, data, i) PyUnicode_READ((kind), (data), (i))

static int check_text(PyObject *text) {
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "expected a str");
        return -1;
    }
    return PyUnicode_READY(text);
}

/* ---- fold ---- */

/* [^\W\d_] on one character: a letter as the re module sees it (alphanumeric, not a digit). */
static int is_letter(Py_UCS4 c) {
    return c < 128 ? ((c | 32) >= 'a' && (c | 32) <= 'z') : (Py_UNICODE_ISALNUM(c) && !Py_UNICODE_ISDECIMAL(c));
}

/* The fold of data[0:n] into out (room for n): lowercase, digit runs to one 0, whitespace
   runs to one space, none at either end. `lower`: lower each character with str.lower's
   one-character mapping, and return -1 at one that needs str.lower itself (İ lowers to two
   characters, Σ by its neighbours; a lone surrogate); else the text is lowered already.
   Lowering keeps a space a space and a digit a digit, so those are tested first. Returns
   the length; *letter says whether the fold holds a letter. */
static inline Py_ssize_t fold_into(int kind, const void *data, Py_ssize_t n, int lower, Py_UCS4 *out, int *letter) {
    Py_ssize_t len = 0;
    int space = 0, digit = 0; /* a space is pending; the last character was a digit */
    *letter = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = READ(kind, data, i);
        if (lower && c >= 128 && (c == 0x130 || c == 0x3A3 || (c >= 0xD800 && c <= 0xDFFF))) return -1;
        if (IS_SPACE(c)) {
            space = len > 0;
            digit = 0;
            continue;
        }
        if (space) {
            out[len++] = ' ';
            space = 0;
        }
        if (c < 128 ? (c >= '0' && c <= '9') : Py_UNICODE_ISDECIMAL(c)) {
            if (!digit) out[len++] = '0';
            digit = 1;
            continue;
        }
        digit = 0;
        if (c < 128) {
            if (c >= 'A' && c <= 'Z') c += 32; /* a no-op on text lowered already */
        } else if (lower) {
            c = Py_UNICODE_TOLOWER(c); /* the Kelvin sign lowers to ASCII k */
        }
        if (!*letter) *letter = is_letter(c);
        out[len++] = c;
    }
    return len;
}

static PyObject *fold(PyObject *Py_UNUSED(module), PyObject *line) {
    if (check_text(line) < 0) return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(line);
    Py_UCS4 *out = PyMem_Malloc((size_t)(n > 0 ? n : 1) * sizeof(Py_UCS4));
    if (out == NULL) return PyErr_NoMemory();
    int letter;
    Py_ssize_t len = fold_into(PyUnicode_KIND(line), PyUnicode_DATA(line), n, 1, out, &letter);
    if (len < 0) { /* str.lower itself: full case mapping, final sigma */
        PyObject *low = PyObject_CallMethod(line, "lower", NULL);
        Py_ssize_t m = low == NULL || PyUnicode_READY(low) < 0 ? -1 : PyUnicode_GET_LENGTH(low);
        Py_UCS4 *more = m < 0 ? NULL : PyMem_Realloc(out, (size_t)(m > 0 ? m : 1) * sizeof(Py_UCS4));
        if (more == NULL) {
            if (m >= 0) PyErr_NoMemory();
            Py_XDECREF(low);
            PyMem_Free(out);
            return NULL;
        }
        out = more;
        len = fold_into(PyUnicode_KIND(low), PyUnicode_DATA(low), m, 0, out, &letter);
        Py_DECREF(low);
    }
    PyObject *res = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, len);
    PyMem_Free(out);
    return res;
}

/* ---- sentence fingerprints ---- */

#define MIN_WORDS 6 /* sentences.MIN_WORDS */
#define KEY_WORDS 8 /* sentences.KEY_WORDS */

static uint32_t crc_table[256];

static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

/* zlib.crc32 and zlib.adler32 of buf, combined as sentences.fingerprint combines them. */
static uint64_t checksum(const unsigned char *buf, size_t n) {
    uint32_t crc = 0xFFFFFFFFu, a = 1, b = 0;
    for (size_t i = 0; i < n; i++) {
        crc = crc_table[(crc ^ buf[i]) & 0xFF] ^ (crc >> 8);
        a += buf[i];
        if (a >= 65521) a -= 65521;
        b += a;
        if (b >= 65521) b -= 65521;
    }
    crc ^= 0xFFFFFFFFu;
    uint32_t adler = (b << 16) | a;
    return (((uint64_t)crc << 31) ^ (uint64_t)adler) & 0x7FFFFFFFFFFFFFFFull;
}

typedef struct {
    unsigned char *buf;
    size_t len, cap;
} Bytes;

static int put_any(Bytes *b, Py_UCS4 c);

static inline int put(Bytes *b, Py_UCS4 c) {
    if (c < 0x80 && b->len < b->cap) {
        b->buf[b->len++] = (unsigned char)c;
        return 0;
    }
    return put_any(b, c);
}

/* c as UTF-8 at p (room for 4); how many bytes. */
static int utf8_into(Py_UCS4 c, unsigned char *p) {
    if (c < 0x80) {
        p[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        p[0] = (unsigned char)(0xC0 | (c >> 6));
        p[1] = (unsigned char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        p[0] = (unsigned char)(0xE0 | (c >> 12));
        p[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        p[2] = (unsigned char)(0x80 | (c & 0x3F));
        return 3;
    }
    p[0] = (unsigned char)(0xF0 | (c >> 18));
    p[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
    p[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
    p[3] = (unsigned char)(0x80 | (c & 0x3F));
    return 4;
}

static int put_any(Bytes *b, Py_UCS4 c) {
    if (b->len + 4 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        unsigned char *buf = PyMem_Realloc(b->buf, cap);
        if (buf == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        b->buf = buf;
        b->cap = cap;
    }
    b->len += (size_t)utf8_into(c, b->buf + b->len);
    return 0;
}

/* sentences.fingerprint(text[start:end]): its last KEY_WORDS words joined by a space, as
   UTF-8. A lone surrogate cannot be encoded: str.encode's own error is raised then. */
static int sentence_print(PyObject *text, const Py_UCS4 *d, Py_ssize_t start, Py_ssize_t end,
                          Bytes *key, uint64_t *fp) {
    Py_ssize_t ws[KEY_WORDS], we[KEY_WORDS];
    int words = 0;
    Py_ssize_t i = end;
    while (words < KEY_WORDS) {
        while (i > start && IS_SPACE(d[i - 1])) i--;
        if (i <= start) break;
        we[words] = i;
        while (i > start && !IS_SPACE(d[i - 1])) i--;
        ws[words++] = i;
    }
    key->len = 0;
    for (int w = words - 1; w >= 0; w--) {
        for (Py_ssize_t k = ws[w]; k < we[w]; k++) {
            Py_UCS4 c = d[k];
            if (c >= 0xD800 && c <= 0xDFFF) {
                PyObject *part = PyUnicode_Substring(text, ws[w], we[w]);
                if (part != NULL) {
                    PyObject *encoded = PyUnicode_AsUTF8String(part); /* raises */
                    Py_XDECREF(encoded);
                    Py_DECREF(part);
                }
                if (!PyErr_Occurred()) PyErr_SetString(PyExc_UnicodeEncodeError, "surrogates not allowed");
                return -1;
            }
            if (put(key, c) < 0) return -1;
        }
        if (w > 0 && put(key, ' ') < 0) return -1;
    }
    *fp = checksum(key->buf, key->len);
    return 0;
}

/* Fingerprints seen so far, in order, each once: a list plus an open-addressing set. */
typedef struct {
    uint64_t *slots; /* 0 marks an empty slot; a fingerprint of 0 is kept aside */
    size_t cap, used;
    int zero;
    PyObject *list;
} Seen;

static int seen_add(Seen *s, uint64_t fp) {
    if (fp == 0) {
        if (s->zero) return 0;
        s->zero = 1;
    } else {
        if (2 * (s->used + 1) > s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 64;
            uint64_t *slots = PyMem_Calloc(cap, sizeof(uint64_t));
            if (slots == NULL) {
                PyErr_NoMemory();
                return -1;
            }
            for (size_t i = 0; i < s->cap; i++) {
                if (s->slots[i] == 0) continue;
                size_t j = (size_t)(s->slots[i] * 0x9E3779B97F4A7C15ull >> 32) & (cap - 1);
                while (slots[j] != 0) j = (j + 1) & (cap - 1);
                slots[j] = s->slots[i];
            }
            PyMem_Free(s->slots);
            s->slots = slots;
            s->cap = cap;
        }
        size_t j = (size_t)(fp * 0x9E3779B97F4A7C15ull >> 32) & (s->cap - 1);
        while (s->slots[j] != 0) {
            if (s->slots[j] == fp) return 0;
            j = (j + 1) & (s->cap - 1);
        }
        s->slots[j] = fp;
        s->used++;
    }
    PyObject *v = PyLong_FromUnsignedLongLong(fp);
    if (v == NULL) return -1;
    int r = PyList_Append(s->list, v);
    Py_DECREF(v);
    return r;
}

/* A sentence ends at . ! ? or … , a closing quote or bracket after it belonging to it,
   before whitespace: sentences.SPLIT. Returns where the punctuation ends, or -1. */
static Py_ssize_t sentence_end(const Py_UCS4 *d, Py_ssize_t i, Py_ssize_t e) {
    Py_UCS4 c = d[i];
    if (c != '.' && c != '!' && c != '?' && c != 0x2026) return -1;
    if (i + 1 >= e) return -1;
    Py_UCS4 next = d[i + 1];
    int closer = next == '"' || next == '\'' || next == 0x201D || next == 0x2019 || next == 0xBB || next == ')' ||
                 next == ']';
    if (closer && i + 2 < e && IS_SPACE(d[i + 2])) return i + 2;
    if (IS_SPACE(next)) return i + 1;
    return -1;
}

static Py_ssize_t count_spaces(const Py_UCS4 *d, Py_ssize_t s, Py_ssize_t e) {
    Py_ssize_t n = 0;
    for (Py_ssize_t i = s; i < e; i++) n += d[i] == ' ';
    return n;
}

static int line_sentences(PyObject *text, const Py_UCS4 *d, Py_ssize_t s, Py_ssize_t e, Bytes *key,
                       Seen *seen) {
    if (count_spaces(d, s, e) + 1 < MIN_WORDS) return 0;
    while (s < e && IS_SPACE(d[s])) s++; /* line.strip() */
    while (e > s && IS_SPACE(d[e - 1])) e--;
    Py_ssize_t part = s, i = s;
    uint64_t fp;
    while (i < e) {
        Py_UCS4 c = d[i];
        if (c != '.' && c != '!' && c != '?' && c != 0x2026) { /* sentence_end's first test, inline */
            i++;
            continue;
        }
        Py_ssize_t punct = sentence_end(d, i, e);
        if (punct < 0) {
            i++;
            continue;
        }
        /* a sentence's punctuation holds no space: its words are counted before it */
        if (count_spaces(d, part, i) + 1 >= MIN_WORDS) {
            if (sentence_print(text, d, part, punct, key, &fp) < 0 || seen_add(seen, fp) < 0) return -1;
        }
        i = punct;
        while (i < e && IS_SPACE(d[i])) i++;
        part = i;
    }
    if (count_spaces(d, part, e) + 1 >= MIN_WORDS) {
        if (sentence_print(text, d, part, e, key, &fp) < 0 || seen_add(seen, fp) < 0) return -1;
    }
    return 0;
}

/* sentences.fingerprint(sentences.first(line)), or None when that sentence has fewer than
   MIN_WORDS words. */
static PyObject *first_print(PyObject *Py_UNUSED(module), PyObject *line) {
    if (check_text(line) < 0) return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(line);
    Py_UCS4 *d = PyUnicode_AsUCS4Copy(line);
    if (d == NULL) return NULL;
    Py_ssize_t s = 0, e = n;
    while (s < e && IS_SPACE(d[s])) s++; /* line.strip() */
    while (e > s && IS_SPACE(d[e - 1])) e--;
    Py_ssize_t end = e, i;
    for (i = s; i < e; i++) {
        Py_ssize_t punct = sentence_end(d, i, e);
        if (punct >= 0) {
            end = punct;
            break;
        }
    }
    PyObject *res = NULL;
    Py_ssize_t words_end = end == e ? e : i; /* its words are counted before its punctuation */
    if (count_spaces(d, s, words_end) + 1 < MIN_WORDS) {
        res = Py_None;
        Py_INCREF(res);
    } else {
        Bytes key = {NULL, 0, 0};
        uint64_t fp;
        if (sentence_print(line, d, s, end, &key, &fp) == 0) res = PyLong_FromUnsignedLongLong(fp);
        PyMem_Free(key.buf);
    }
    PyMem_Free(d);
    return res;
}

static PyObject *sentence_prints(PyObject *Py_UNUSED(module), PyObject *text) {
    if (check_text(text) < 0) return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    Py_UCS4 *d = PyUnicode_AsUCS4Copy(text); /* one copy: then every read is a plain array's */
    if (d == NULL) return NULL;
    Bytes key = {NULL, 0, 0};
    Seen seen = {NULL, 0, 0, 0, PyList_New(0)};
    if (seen.list == NULL) {
        PyMem_Free(d);
        return NULL;
    }
    Py_ssize_t start = 0;
    int failed = 0;
    while (start < n && !failed) { /* lines as str.splitlines() cuts them */
        Py_ssize_t end = start;
        while (end < n && !IS_BREAK(d[end])) end++;
        failed = line_sentences(text, d, start, end, &key, &seen) < 0;
        start = end;
        if (start < n) {
            start += (d[start] == '\r' && start + 1 < n && d[start + 1] == '\n') ? 2 : 1;
        }
    }
    PyMem_Free(d);
    PyMem_Free(key.buf);
    PyMem_Free(seen.slots);
    if (failed) {
        Py_DECREF(seen.list);
        return NULL;
    }
    return seen.list;
}

/* ---- line fingerprints ---- */

#define MIN_CHARS 3       /* repeated_store.MIN_CHARS */
#define MAX_CHARS 400     /* repeated_store.MAX_CHARS */
#define GLUED_MIN_LINE 20 /* repeated_store.GLUED_MIN_LINE */
#define GLUED_HEAD 80     /* repeated_store.GLUED_HEAD */

/* repeated_store.GLUE: where a marker glued to its paragraph may end. */
static int glue_before(Py_UCS4 c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0x24F) || c == ':' || c == '.' ||
           c == '!' || c == ')' || c == ']' || c == 0x2026 || c == 0x2013 || c == 0x2014 || c == '|' || c == 0xBB ||
           c == 0x203A || c == '>' || c == 0x2010 || c == 0x2011 || c == '-';
}

static int glue_quote(Py_UCS4 c) {
    return c == 0x201C || c == '"' || c == 0x2018 || c == 0xAB || c == '(' || c == '[';
}

#define UPPER(c) ((c) >= 'A' && (c) <= 'Z')
#define LOWER(c) ((c) >= 'a' && (c) <= 'z')

static int glue_search(const Py_UCS4 *d, Py_ssize_t n) {
    if (n > GLUED_HEAD) n = GLUED_HEAD;
    for (Py_ssize_t i = 0; i + 2 < n; i++) {
        if (!glue_before(d[i])) continue;
        if ((UPPER(d[i + 1]) && LOWER(d[i + 2])) || (glue_quote(d[i + 1]) && UPPER(d[i + 2]))) return 1;
    }
    return 0;
}

static int sentence_end_char(Py_UCS4 c) { /* repeated_store.SENTENCE_ENDS */
    return c == '.' || c == '!' || c == '?' || c == ':' || c == ';' || c == '"' || c == 0x201D || c == 0x2019 ||
           c == ')' || c == 0x2026;
}

/* Does s hold a letter (is_letter)? */
static int has_letter(PyObject *s) {
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(s); i++)
        if (is_letter(PyUnicode_READ(kind, data, i))) return 1;
    return 0;
}

/* ---- BLAKE2b with an 8-byte digest (RFC 7693), what repeated_store fingerprints a folded
   line with: blake2b(line.encode(), digest_size=8).hexdigest(). In C because every line of
   the corpus is fingerprinted, and hashlib's object per call cost more than the hash. */

static const uint64_t B2_IV[8] = {0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL,
                                  0xa54ff53a5f1d36f1ULL, 0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
                                  0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};

static const uint8_t B2_SIGMA[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4}, {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13}, {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11}, {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5}, {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
};

#define ROTR64(x, y) (((x) >> (y)) | ((x) << (64 - (y))))
#define B2_G(a, b, c, d, x, y)                                                                   \
    do {                                                                                         \
        v[a] = v[a] + v[b] + (x);                                                                \
        v[d] = ROTR64(v[d] ^ v[a], 32);                                                          \
        v[c] = v[c] + v[d];                                                                      \
        v[b] = ROTR64(v[b] ^ v[c], 24);                                                          \
        v[a] = v[a] + v[b] + (y);                                                                \
        v[d] = ROTR64(v[d] ^ v[a], 16);                                                          \
        v[c] = v[c] + v[d];                                                                      \
        v[b] = ROTR64(v[b] ^ v[c], 63);                                                          \
    } while (0)

static void b2_compress(uint64_t h[8], const uint8_t block[128], uint64_t t, int last) {
    uint64_t v[16], m[16];
    for (int i = 0; i < 8; i++) {
        v[i] = h[i];
        v[i + 8] = B2_IV[i];
    }
    v[12] ^= t; /* the byte count's high word is 0: lines are far below 2^64 bytes */
    if (last) v[14] = ~v[14];
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(m, block, sizeof m); /* the words are little-endian, as this machine's */
#else
    for (int i = 0; i < 16; i++) {
        uint64_t w = 0;
        for (int k = 7; k >= 0; k--) w = (w << 8) | block[8 * i + k];
        m[i] = w;
    }
#endif
    for (int r = 0; r < 12; r++) {
        const uint8_t *s = B2_SIGMA[r];
        B2_G(0, 4, 8, 12, m[s[0]], m[s[1]]);
        B2_G(1, 5, 9, 13, m[s[2]], m[s[3]]);
        B2_G(2, 6, 10, 14, m[s[4]], m[s[5]]);
        B2_G(3, 7, 11, 15, m[s[6]], m[s[7]]);
        B2_G(0, 5, 10, 15, m[s[8]], m[s[9]]);
        B2_G(1, 6, 11, 12, m[s[10]], m[s[11]]);
        B2_G(2, 7, 8, 13, m[s[12]], m[s[13]]);
        B2_G(3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; i++) h[i] ^= v[i] ^ v[i + 8];
}

/* The 16 lowercase hex digits of BLAKE2b-64 (no key) of data[0:n], as hashlib gives them. */
static PyObject *b2_hex8(const uint8_t *data, Py_ssize_t n) {
    uint64_t h[8];
    memcpy(h, B2_IV, sizeof h);
    h[0] ^= 0x01010000ULL ^ 8; /* depth 1, fanout 1, no key, 8-byte digest */
    uint64_t t = 0;
    while (n > 128) {
        t += 128;
        b2_compress(h, data, t, 0);
        data += 128;
        n -= 128;
    }
    uint8_t block[128] = {0};
    memcpy(block, data, (size_t)n);
    t += (uint64_t)n;
    b2_compress(h, block, t, 1);
    char hex[16];
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 8; i++) {
        uint8_t byte = (uint8_t)(h[0] >> (8 * i));
        hex[2 * i] = digits[byte >> 4];
        hex[2 * i + 1] = digits[byte & 15];
    }
    return PyUnicode_FromStringAndSize(hex, 16);
}

/* digest8(text): blake2b(text.encode(), digest_size=8).hexdigest(). */
static PyObject *digest8(PyObject *Py_UNUSED(module), PyObject *text) {
    if (check_text(text) < 0) return NULL;
    Py_ssize_t n;
    const char *utf8 = PyUnicode_AsUTF8AndSize(text, &n);
    return utf8 == NULL ? NULL : b2_hex8((const uint8_t *)utf8, n);
}

/* The fingerprint of the stripped line d[a:b], at most MAX_CHARS long, as
   repeated_store._digest(_fold(line)) gives it; Py_None when it has none. The fold
   (fold_into) goes straight to UTF-8, with no string made; a line that needs str.lower
   itself takes fold() (and a lone surrogate raises there, as encoding it does in Python).
   New reference. */
static PyObject *stripped_print(const Py_UCS4 *d, Py_ssize_t a, Py_ssize_t b) {
    Py_UCS4 folded[MAX_CHARS];
    unsigned char buf[4 * MAX_CHARS];
    int letter;
    Py_ssize_t n = fold_into(PyUnicode_4BYTE_KIND, d + a, b - a, 1, folded, &letter);
    if (n >= 0) {
        if (n < MIN_CHARS || !letter) Py_RETURN_NONE;
        Py_ssize_t len = 0;
        for (Py_ssize_t i = 0; i < n; i++) len += utf8_into(folded[i], buf + len);
        return b2_hex8(buf, len);
    }
    PyObject *line = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, d + a, b - a);
    if (line == NULL) return NULL;
    PyObject *norm = fold(NULL, line);
    Py_DECREF(line);
    if (norm == NULL) return NULL;
    PyObject *fp;
    if (PyUnicode_GET_LENGTH(norm) < MIN_CHARS || !has_letter(norm)) {
        fp = Py_None;
        Py_INCREF(fp);
    } else {
        Py_ssize_t size;
        const char *utf8 = PyUnicode_AsUTF8AndSize(norm, &size);
        fp = utf8 ? b2_hex8((const uint8_t *)utf8, size) : NULL;
    }
    Py_DECREF(norm);
    return fp;
}

static int call_with(PyObject *fn, PyObject *a, PyObject *b, PyObject *c) {
    PyObject *r = c ? PyObject_CallFunctionObjArgs(fn, a, b, c, NULL) : PyObject_CallFunctionObjArgs(fn, a, b, NULL);
    Py_XDECREF(r);
    return r == NULL ? -1 : 0;
}

/* One line of py_doc_lines' loop: d[s:e] is the line, `before_blank` / `before_end` what
   the lead test needs of the line before. */
static int one_line(PyObject *text, const Py_UCS4 *d, Py_ssize_t s, Py_ssize_t e, int before_blank, int before_end,
                    PyObject *glued, PyObject *lead, PyObject *found) {
    Py_ssize_t n = e - s, a = s, b = e;
    while (a < b && IS_SPACE(d[a])) a++; /* strip() */
    while (b > a && IS_SPACE(d[b - 1])) b--;
    if (n > GLUED_MIN_LINE && glue_search(d + s, n)) {
        PyObject *line = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, d + a, b - a);
        int r = line == NULL ? -1 : call_with(glued, text, line, found);
        Py_XDECREF(line);
        if (r < 0) return -1;
    }
    if (n > 0 && Py_UNICODE_ISLOWER(d[s]) && (before_blank || before_end)) {
        Py_ssize_t r_end = e;
        while (r_end > s && IS_SPACE(d[r_end - 1])) r_end--; /* rstrip() */
        PyObject *line = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, d + s, r_end - s);
        int r = line == NULL ? -1 : call_with(lead, line, found, NULL);
        Py_XDECREF(line);
        if (r < 0) return -1;
    }
    if (n < MIN_CHARS || b - a < MIN_CHARS || b - a > MAX_CHARS) return 0;
    PyObject *fp = stripped_print(d, a, b);
    if (fp == NULL) return -1;
    int r = 0;
    if (fp != Py_None && (r = PyDict_Contains(found, fp)) == 0) { /* the line, the first time only */
        PyObject *line = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, d + a, b - a);
        r = line == NULL ? -1 : PyDict_SetItem(found, fp, line);
        Py_XDECREF(line);
    }
    Py_DECREF(fp);
    return r < 0 ? -1 : 0;
}

static PyObject *line_prints(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *text, *glued, *lead;
    if (!PyArg_ParseTuple(args, "UOO:line_prints", &text, &glued, &lead)) return NULL;
    if (PyUnicode_READY(text) < 0) return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    Py_UCS4 *d = PyUnicode_AsUCS4Copy(text);
    if (d == NULL) return NULL;
    PyObject *found = PyDict_New();
    if (found == NULL) {
        PyMem_Free(d);
        return NULL;
    }
    Py_ssize_t start = 0;
    int before_blank = 1, before_end = 0; /* the line before the first: "" */
    while (start < n) { /* lines as str.splitlines() cuts them */
        Py_ssize_t end = start;
        while (end < n && !IS_BREAK(d[end])) end++;
        if (one_line(text, d, start, end, before_blank, before_end, glued, lead, found) < 0) {
            Py_CLEAR(found);
            break;
        }
        Py_ssize_t last = end;
        while (last > start && IS_SPACE(d[last - 1])) last--;
        before_blank = last == start;
        before_end = !before_blank && sentence_end_char(d[last - 1]);
        start = end;
        if (start < n) start += (d[start] == '\r' && start + 1 < n && d[start + 1] == '\n') ? 2 : 1;
    }
    PyMem_Free(d);
    return found;
}

/* ---- the repeated stage's per-line tests (stages/repeated.py_repeated_lines) ---- */

/* The fingerprint of a stripped line, as repeated_store.fingerprint gives it; Py_None when
   it has none. New reference. */
static PyObject *line_print(const Py_UCS4 *d, Py_ssize_t a, Py_ssize_t b) {
    if (b - a < MIN_CHARS || b - a > MAX_CHARS) Py_RETURN_NONE;
    return stripped_print(d, a, b);
}

static int append4(PyObject *out, Py_ssize_t start, Py_ssize_t end, PyObject *fp, PyObject *n) {
    PyObject *a = PyLong_FromSsize_t(start), *b = PyLong_FromSsize_t(end), *item = NULL;
    if (a != NULL && b != NULL) item = PyTuple_Pack(4, a, b, fp, n);
    Py_XDECREF(a);
    Py_XDECREF(b);
    int r = item == NULL ? -1 : PyList_Append(out, item);
    Py_XDECREF(item);
    return r;
}

/* repeated_lines(text, sizes, most, counts, firsts): the lines (keepends) that are a learned
   line, as (start, end, fingerprint, count), and the ones to try for a glued copy or a lead,
   as (start, end, None, 0). `sizes`: byte k is 1 when a learned line has k words (k up to
   most + 1). */
static PyObject *repeated_lines(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *text, *counts, *firsts;
    Py_buffer sizes;
    Py_ssize_t most;
    if (!PyArg_ParseTuple(args, "Uy*nO!O!:repeated_lines", &text, &sizes, &most, &PyDict_Type, &counts,
                          &PyFrozenSet_Type, &firsts))
        return NULL;
    if (PyUnicode_READY(text) < 0) {
        PyBuffer_Release(&sizes);
        return NULL;
    }
    const unsigned char *mask = sizes.buf;
    Py_ssize_t masked = sizes.len, n = PyUnicode_GET_LENGTH(text);
    Py_UCS4 *d = PyUnicode_AsUCS4Copy(text);
    PyObject *out = d == NULL ? NULL : PyList_New(0);
    Py_ssize_t start = 0;
    while (out != NULL && start < n) {
        Py_ssize_t end = start;
        while (end < n && !IS_BREAK(d[end])) end++;
        if (end < n) end += (d[end] == '\r' && end + 1 < n && d[end + 1] == '\n') ? 2 : 1;
        Py_ssize_t a = start, b = end; /* raw.strip() */
        while (a < b && IS_SPACE(d[a])) a++;
        while (b > a && IS_SPACE(d[b - 1])) b--;
        int done = 0;
        if (end - start <= MAX_CHARS || b - a <= MAX_CHARS) {
            Py_ssize_t words = 0, i = start; /* len(raw.split(None, most)) */
            while (words <= most) {
                while (i < end && IS_SPACE(d[i])) i++;
                if (i >= end) break;
                words++;
                while (i < end && !IS_SPACE(d[i])) i++;
            }
            if (words < masked && mask[words]) {
                PyObject *fp = line_print(d, a, b), *count = NULL;
                int hit = 0;
                if (fp == NULL) goto fail;
                if (fp != Py_None) {
                    count = PyDict_GetItemWithError(counts, fp); /* borrowed */
                    if (count == NULL && PyErr_Occurred()) hit = -1;
                    else if (count != NULL) hit = PyObject_IsTrue(count);
                }
                if (hit > 0) hit = append4(out, start, end, fp, count) < 0 ? -1 : 1;
                Py_DECREF(fp);
                if (hit < 0) goto fail;
                done = hit;
            }
        }
        if (!done && a < b) { /* raw's first character, or raw.lstrip()'s after " \t\u00a0" */
            Py_UCS4 c = d[start];
            if (c == ' ' || c == '\t' || c == 0xa0) c = d[a];
            int try = Py_UNICODE_ISLOWER(c);
            if (!try) {
                PyObject *ch = PyUnicode_FromOrdinal((int)c);
                try = ch == NULL ? -1 : PySet_Contains(firsts, ch);
                Py_XDECREF(ch);
            }
            if (try < 0 || (try > 0 && append4(out, start, end, Py_None, zero) < 0)) goto fail;
        }
        start = end;
        continue;
    fail:
        Py_CLEAR(out);
    }
    PyMem_Free(d);
    PyBuffer_Release(&sizes);
    return out;
}

/* encoding.FIRST: what may start an entity, a control or zero-width character, or mojibake. */
#define IS_FIRST(c)                                                                             \
    ((c) == '&' || (c) <= 0x08 || (c) == 0x0b || (c) == 0x0c || ((c) >= 0x0e && (c) <= 0x1f) ||  \
     ((c) >= 0x7f && (c) <= 0x9f) || ((c) >= 0xc2 && (c) <= 0xf4) || (c) == 0x200b ||            \
     (c) == 0x2060 || (c) == 0xfeff)

#define DEFINE_SCAN(NAME, T)                                                                       \
    static Py_ssize_t NAME(const T *d, Py_ssize_t i, Py_ssize_t n) {                              \
        for (; i < n; i++)                                                                         \
            if (IS_FIRST(d[i])) return i;                                                          \
        return -1;                                                                                 \
    }

DEFINE_SCAN(scan_1, Py_UCS1)
DEFINE_SCAN(scan_2, Py_UCS2)
DEFINE_SCAN(scan_4, Py_UCS4)

/* FIRST.search(text, pos).start(), or -1 when there is none: the encoding stage scans
   every text with it, and the re module tests a character class one call per character. */
static PyObject *next_suspect(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "next_suspect(text, pos): expected 2 arguments");
        return NULL;
    }
    if (check_text(args[0]) < 0) return NULL;
    Py_ssize_t pos = PyLong_AsSsize_t(args[1]);
    if (pos == -1 && PyErr_Occurred()) return NULL;
    PyObject *text = args[0];
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), found;
    if (pos < 0) pos = 0; /* as re's pos */
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        found = scan_1(PyUnicode_1BYTE_DATA(text), pos, n);
        break;
    case PyUnicode_2BYTE_KIND:
        found = scan_2(PyUnicode_2BYTE_DATA(text), pos, n);
        break;
    default:
        found = scan_4(PyUnicode_4BYTE_DATA(text), pos, n);
    }
    return PyLong_FromSsize_t(found);
}

static PyMethodDef methods[] = {
    {"next_suspect", (PyCFunction)(void (*)(void))next_suspect, METH_FASTCALL,
     "encoding.py_next_suspect(text, pos): the next character that may start a suspect span, or -1."},
    {"fold", (PyCFunction)fold, METH_O, "repeated_store.normalise(line), in C."},
    {"sentence_prints", (PyCFunction)sentence_prints, METH_O, "The sentence fingerprints of a text, each once, in order."},
    {"line_prints", (PyCFunction)line_prints, METH_VARARGS, "repeated_store.py_doc_lines(text), in C."},
    {"digest8", (PyCFunction)digest8, METH_O, "blake2b(text.encode(), digest_size=8).hexdigest()."},
    {"first_print", (PyCFunction)first_print, METH_O, "The fingerprint of a paragraph's first sentence, or None."},
    {"repeated_lines", (PyCFunction)repeated_lines, METH_VARARGS, "stages/repeated.py_repeated_lines, in C."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_prints", "Line folding and sentence fingerprints of the counting pass.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__prints(void) {
    for (int c = 0; c < 128; c++) {
        ascii_space[c] = (unsigned char)Py_UNICODE_ISSPACE(c);
        ascii_break[c] = (unsigned char)Py_UNICODE_ISLINEBREAK(c);
    }
    crc_init();
    if ((zero = PyLong_FromLong(0)) == NULL) return NULL;
    return PyModule_Create(&module);
}
