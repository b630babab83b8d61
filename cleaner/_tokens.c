/* A memo from whitespace tokens to what a Python function makes of them.

   The stages that count words split a text on whitespace and map each token through a
   pure function (its content-word stems, its lowercase words), memoised because tokens
   repeat. In Python each token is a new str that must be hashed before the memo can be
   asked; here a token is hashed and compared in place, so only tokens never seen before
   become Python strings. The function still decides every value: this file only splits
   and remembers, and tests/test_tokens.py checks it against the Python version.

   TokenMap(fn, max_entries)        fn(token: str) -> tuple[str, ...]
     .flat(text)       -> list       the values in token order
     .line_sets(text)  -> list       (start, end, set) for each non-blank line, lines as
                                     str.splitlines(keepends=True) cuts them
     .line_shares(text) -> list      (start, end, size, share) for the same lines: the size
                                     of that set and the share of it found in another line's
                                     (tokens.py_spread's shares), counted on word ids so
                                     that no Python set is built
     .commonest(text, line_words, max_chars, most) -> list
                                     (value, count) of the `most` most frequent values of
                                     the text's sample (see tokens.py), counted on word ids
   The memo is emptied when it is full (max_entries tokens) and a new token comes.

   spread(sets)        -> dict       for the words in two or more of the sets, how many
                                     hold each
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* One cache line per token: a lookup that finds a short token reads nothing else. */
#define SMALL 16
typedef struct {
    uint64_t hash;
    PyObject *value;  /* a tuple of str; NULL: empty slot */
    Py_UCS4 *chars;   /* the token; NULL when it is in `small` */
    int32_t *ids;     /* the value's strings as word ids (line_shares) when more than one */
    Py_ssize_t len;
    int32_t nids;     /* -1: not worked out yet */
    int32_t id0;      /* the id when there is one */
    uint8_t small[SMALL]; /* the token, when it is this short and all below U+0100 */
} Slot;

/* A word id's marks in one line_shares call: the last line it was seen in, and the lines
   holding it. A call's number tells its marks from older ones, so nothing is reset. */
typedef struct {
    uint64_t line_call, count_call;
    Py_ssize_t line, count;
} Mark;

typedef struct {
    PyObject_HEAD
    PyObject *fn;
    Slot *slots;    /* aligned to a cache line, inside `raw` */
    void *raw;
    Py_ssize_t cap; /* a power of two */
    Py_ssize_t used;
    Py_ssize_t max_entries;
    PyObject *ids; /* word -> id, for line_shares */
    Mark *marks;   /* by id */
    Py_ssize_t marks_cap;
    uint64_t calls;
} TokenMap;

static void clear_slots(Slot *slots, Py_ssize_t cap) {
    for (Py_ssize_t i = 0; i < cap; i++) {
        if (slots[i].value != NULL) {
            PyMem_Free(slots[i].chars);
            PyMem_Free(slots[i].ids);
            Py_DECREF(slots[i].value);
            memset(&slots[i], 0, sizeof(Slot));
        }
    }
}

/* `cap` zeroed slots on a cache-line boundary; *raw is what to free. */
static Slot *new_slots(Py_ssize_t cap, void **raw) {
    *raw = PyMem_Calloc(1, (size_t)cap * sizeof(Slot) + 63);
    if (*raw == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    return (Slot *)(((uintptr_t)*raw + 63) & ~(uintptr_t)63);
}

static int grow(TokenMap *self) {
    Py_ssize_t cap = self->cap * 2;
    void *raw;
    Slot *slots = new_slots(cap, &raw);
    if (slots == NULL) return -1;
    for (Py_ssize_t i = 0; i < self->cap; i++) {
        Slot *s = &self->slots[i];
        if (s->value == NULL) continue;
        Py_ssize_t j = (Py_ssize_t)(s->hash & (uint64_t)(cap - 1));
        while (slots[j].value != NULL) j = (j + 1) & (cap - 1);
        slots[j] = *s;
    }
    PyMem_Free(self->raw);
    self->raw = raw;
    self->slots = slots;
    self->cap = cap;
    return 0;
}

/* Whitespace as str.split() sees it; ASCII from a table, the rest from Python's own test. */
static unsigned char ascii_space[128];
#define IS_SPACE(c) ((c) < 128 ? ascii_space[(c)] : Py_UNICODE_ISSPACE(c))
#define FNV_OFFSET 1469598103934665603ULL
#define FNV_PRIME 1099511628211ULL

/* Store fn(text[start:end]) under the token's code points; its slot. */
static Slot *remember(TokenMap *self, PyObject *text, Py_ssize_t start, Py_ssize_t end, uint64_t h) {
    Py_ssize_t len = end - start;
    PyObject *token = PyUnicode_Substring(text, start, end);
    if (token == NULL) return NULL;
    PyObject *value = PyObject_CallOneArg(self->fn, token);
    if (value == NULL) {
        Py_DECREF(token);
        return NULL;
    }
    if (!PyTuple_CheckExact(value)) {
        PyErr_SetString(PyExc_TypeError, "TokenMap: the function must return a tuple");
        Py_DECREF(token);
        Py_DECREF(value);
        return NULL;
    }
    if (self->used >= self->max_entries) { /* bounded on any corpus */
        clear_slots(self->slots, self->cap);
        self->used = 0;
    }
    if (2 * (self->used + 1) > self->cap && grow(self) < 0) {
        Py_DECREF(token);
        Py_DECREF(value);
        return NULL;
    }
    Py_ssize_t mask = self->cap - 1;
    Py_ssize_t j = (Py_ssize_t)(h & (uint64_t)mask);
    while (self->slots[j].value != NULL) j = (j + 1) & mask;
    Slot *slot = &self->slots[j];
    int small = len <= SMALL && PyUnicode_MAX_CHAR_VALUE(token) < 256;
    if (small) {
        for (Py_ssize_t k = 0; k < len; k++) slot->small[k] = (uint8_t)PyUnicode_READ_CHAR(token, k);
        slot->chars = NULL;
    } else if ((slot->chars = PyUnicode_AsUCS4Copy(token)) == NULL) {
        Py_DECREF(token);
        Py_DECREF(value);
        return NULL;
    }
    Py_DECREF(token);
    slot->len = len;
    slot->hash = h;
    slot->value = value; /* the memo keeps the reference */
    slot->ids = NULL;
    slot->nids = -1;
    self->used++;
    return slot;
}

/* What each_token does with a token's slot. */
typedef int (*adder)(TokenMap *self, void *acc, Slot *slot);

/* The slot of a token, or NULL when it is new. */
#define DEFINE_FIND(NAME, T)                                                                       \
    static inline Slot *NAME(TokenMap *self, const T *data, Py_ssize_t s, Py_ssize_t len,          \
                             uint64_t h) {                                                         \
        Py_ssize_t mask = self->cap - 1, j = (Py_ssize_t)(h & (uint64_t)mask);                     \
        for (;;) {                                                                                 \
            Slot *slot = &self->slots[j];                                                          \
            if (slot->value == NULL) return NULL;                                                  \
            if (slot->hash == h && slot->len == len) {                                             \
                Py_ssize_t k = 0;                                                                  \
                if (slot->chars == NULL)                                                           \
                    while (k < len && slot->small[k] == (Py_UCS4)data[s + k]) k++;                 \
                else                                                                               \
                    while (k < len && slot->chars[k] == (Py_UCS4)data[s + k]) k++;                 \
                if (k == len) return slot;                                                         \
            }                                                                                      \
            j = (j + 1) & mask;                                                                    \
        }                                                                                          \
    }

/* Call add(acc, value) for each token of text[start:end]: one loop per string kind, so
   the compiler sees plain arrays. The hash is worked out while the token is scanned, and
   a token's slot is looked up only once the next token is scanned, its slot asked for
   ahead: most of a lookup's time was the wait for that memory, which now overlaps the
   scan. Tokens are still looked up and added in order. */
#define DEFINE_EACH(NAME, FIND, T)                                                                 \
    static int NAME(TokenMap *self, PyObject *text, const T *data, Py_ssize_t start,               \
                    Py_ssize_t end, adder add, void *acc) {                                        \
        Py_ssize_t i = start, ps = 0, plen = -1; /* the token scanned, not looked up yet */        \
        uint64_t ph = 0;                                                                           \
        for (;;) {                                                                                 \
            while (i < end && IS_SPACE(data[i])) i++;                                              \
            Py_ssize_t s = i, len = -1;                                                            \
            uint64_t h = FNV_OFFSET;                                                               \
            if (i < end) {                                                                         \
                while (i < end && !IS_SPACE(data[i])) {                                            \
                    h = (h ^ (uint64_t)data[i]) * FNV_PRIME;                                       \
                    i++;                                                                           \
                }                                                                                  \
                h ^= h >> 29; /* FNV's low bits, which pick the slot, are weak */                 \
                len = i - s;                                                                       \
                __builtin_prefetch(&self->slots[h & (uint64_t)(self->cap - 1)]);                   \
            }                                                                                      \
            if (plen >= 0) {                                                                       \
                Slot *found = FIND(self, data, ps, plen, ph);                                      \
                if (found == NULL && (found = remember(self, text, ps, ps + plen, ph)) == NULL)    \
                    return -1;                                                                     \
                if (add(self, acc, found) < 0) return -1;                                          \
            }                                                                                      \
            if (len < 0) return 0;                                                                 \
            ps = s, plen = len, ph = h;                                                            \
        }                                                                                          \
    }

DEFINE_FIND(find_1, Py_UCS1)
DEFINE_FIND(find_2, Py_UCS2)
DEFINE_FIND(find_4, Py_UCS4)
DEFINE_EACH(each_1, find_1, Py_UCS1)
DEFINE_EACH(each_2, find_2, Py_UCS2)
DEFINE_EACH(each_4, find_4, Py_UCS4)

static int each_token(TokenMap *self, PyObject *text, Py_ssize_t start, Py_ssize_t end, adder add,
                      void *acc) {
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        return each_1(self, text, PyUnicode_1BYTE_DATA(text), start, end, add, acc);
    case PyUnicode_2BYTE_KIND:
        return each_2(self, text, PyUnicode_2BYTE_DATA(text), start, end, add, acc);
    default:
        return each_4(self, text, PyUnicode_4BYTE_DATA(text), start, end, add, acc);
    }
}

static int add_to_set(TokenMap *Py_UNUSED(self), void *set, Slot *slot) {
    PyObject *value = slot->value;
    Py_ssize_t n = PyTuple_GET_SIZE(value);
    for (Py_ssize_t k = 0; k < n; k++)
        if (PySet_Add((PyObject *)set, PyTuple_GET_ITEM(value, k)) < 0) return -1;
    return 0;
}

static int add_to_list(TokenMap *Py_UNUSED(self), void *list, Slot *slot) {
    PyObject *value = slot->value;
    Py_ssize_t n = PyTuple_GET_SIZE(value);
    for (Py_ssize_t k = 0; k < n; k++)
        if (PyList_Append((PyObject *)list, PyTuple_GET_ITEM(value, k)) < 0) return -1;
    return 0;
}

static int check_text(PyObject *text) {
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "TokenMap: expected a str");
        return -1;
    }
    return PyUnicode_READY(text);
}

static PyObject *TokenMap_flat(TokenMap *self, PyObject *text) {
    if (check_text(text) < 0) return NULL;
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
    if (each_token(self, text, 0, PyUnicode_GET_LENGTH(text), add_to_list, out) < 0) {
        Py_DECREF(out);
        return NULL;
    }
    return out;
}

/* Line breaks as str.splitlines() sees them. */
static unsigned char ascii_break[128];
#define IS_BREAK(c) ((c) < 128 ? ascii_break[(c)] : Py_UNICODE_ISLINEBREAK(c))

/* The end of the line that starts at `start` (after its break, \r\n as one), and in *body
   where its text ends and in *first its first non-space character (*body when blank). */
#define DEFINE_LINE(NAME, T)                                                                       \
    static Py_ssize_t NAME(const T *data, Py_ssize_t n, Py_ssize_t start, Py_ssize_t *body,        \
                           Py_ssize_t *first) {                                                    \
        Py_ssize_t i = start;                                                                      \
        while (i < n && IS_SPACE(data[i]) && !IS_BREAK(data[i])) i++;                              \
        Py_ssize_t f = i;                                                                          \
        while (i < n && !IS_BREAK(data[i])) i++;                                                   \
        *body = i;                                                                                 \
        *first = f < i ? f : i;                                                                    \
        if (i < n) i += (data[i] == '\r' && i + 1 < n && data[i + 1] == '\n') ? 2 : 1;             \
        return i;                                                                                  \
    }

DEFINE_LINE(line_1, Py_UCS1)
DEFINE_LINE(line_2, Py_UCS2)
DEFINE_LINE(line_4, Py_UCS4)

static Py_ssize_t next_line(int kind, const void *data, Py_ssize_t n, Py_ssize_t start, Py_ssize_t *body,
                            Py_ssize_t *first) {
    if (kind == PyUnicode_1BYTE_KIND) return line_1(data, n, start, body, first);
    if (kind == PyUnicode_2BYTE_KIND) return line_2(data, n, start, body, first);
    return line_4(data, n, start, body, first);
}

static PyObject *TokenMap_line_sets(TokenMap *self, PyObject *text) {
    if (check_text(text) < 0) return NULL;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
    Py_ssize_t start = 0;
    while (start < n) {
        Py_ssize_t body, first, end = next_line(kind, data, n, start, &body, &first);
        if (first < body) { /* not blank */
            PyObject *words = PySet_New(NULL);
            PyObject *item = NULL;
            if (words != NULL && each_token(self, text, first, body, add_to_set, words) == 0) {
                PyObject *a = PyLong_FromSsize_t(start), *b = PyLong_FromSsize_t(end);
                if (a != NULL && b != NULL) item = PyTuple_Pack(3, a, b, words);
                Py_XDECREF(a);
                Py_XDECREF(b);
            }
            Py_XDECREF(words);
            if (item == NULL || PyList_Append(out, item) < 0) {
                Py_XDECREF(item);
                Py_DECREF(out);
                return NULL;
            }
            Py_DECREF(item);
        }
        start = end;
    }
    return out;
}

/* What coherence asks of a document's paragraphs (their word sets) to judge them: how many
   paragraphs hold each word, kept for the words in two or more. */
static PyObject *spread(PyObject *Py_UNUSED(module), PyObject *sets) {
    PyObject *seq = PySequence_Fast(sets, "spread: expected a sequence of sets");
    if (seq == NULL) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    PyObject *counts = PyDict_New(), *out = NULL;
    if (counts == NULL) goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!PyAnySet_Check(items[i])) {
            PyErr_SetString(PyExc_TypeError, "spread: expected a sequence of sets");
            goto done;
        }
        PyObject *it = PyObject_GetIter(items[i]), *w;
        if (it == NULL) goto done;
        while ((w = PyIter_Next(it)) != NULL) {
            PyObject *c = PyDict_GetItemWithError(counts, w);
            PyObject *next = c == NULL ? (PyErr_Occurred() ? NULL : PyLong_FromLong(1))
                                       : PyLong_FromLong(PyLong_AsLong(c) + 1);
            int bad = next == NULL || PyDict_SetItem(counts, w, next) < 0;
            Py_XDECREF(next);
            Py_DECREF(w);
            if (bad) {
                Py_DECREF(it);
                goto done;
            }
        }
        Py_DECREF(it);
        if (PyErr_Occurred()) goto done;
    }
    if ((out = PyDict_New()) == NULL) goto done; /* the words of one set only are dropped */
    Py_ssize_t pos = 0;
    PyObject *w, *c;
    while (PyDict_Next(counts, &pos, &w, &c))
        if (PyLong_AsLong(c) > 1 && PyDict_SetItem(out, w, c) < 0) {
            Py_CLEAR(out);
            break;
        }
done:
    Py_XDECREF(counts);
    Py_DECREF(seq);
    return out;
}

/* ---- line_shares: the words of each line as ids, so that counting them needs no hashing */

/* The ids of a slot's words, worked out once: each distinct word gets the next id. */
static int slot_ids(TokenMap *self, Slot *slot) {
    Py_ssize_t n = PyTuple_GET_SIZE(slot->value);
    int32_t one = 0, *ids = n > 1 ? PyMem_Malloc((size_t)n * sizeof(int32_t)) : &one; /* one: in the slot */
    if (ids == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *w = PyTuple_GET_ITEM(slot->value, k);
        PyObject *id = PyDict_GetItemWithError(self->ids, w);
        if (id == NULL) {
            Py_ssize_t next = PyDict_GET_SIZE(self->ids);
            if (PyErr_Occurred() || next >= INT32_MAX || (id = PyLong_FromSsize_t(next)) == NULL) goto fail;
            int bad = PyDict_SetItem(self->ids, w, id);
            Py_DECREF(id);
            if (bad < 0) goto fail;
            ids[k] = (int32_t)next;
        } else {
            ids[k] = (int32_t)PyLong_AsLong(id);
        }
    }
    Py_ssize_t need = PyDict_GET_SIZE(self->ids);
    if (need > self->marks_cap) { /* room for every id, new marks zeroed */
        Py_ssize_t cap = self->marks_cap ? self->marks_cap : 1024;
        while (cap < need) cap *= 2;
        Mark *marks = PyMem_Realloc(self->marks, (size_t)cap * sizeof(Mark));
        if (marks == NULL) {
            PyErr_NoMemory();
            goto fail;
        }
        memset(marks + self->marks_cap, 0, (size_t)(cap - self->marks_cap) * sizeof(Mark));
        self->marks = marks;
        self->marks_cap = cap;
    }
    slot->ids = n > 1 ? ids : NULL;
    slot->id0 = one;
    slot->nids = (int32_t)n;
    return 0;
fail:
    if (n > 1) PyMem_Free(ids);
    return -1;
}

typedef struct {
    uint64_t call;
    Py_ssize_t line;
    int32_t *buf; /* each line's distinct ids, one line after the other */
    Py_ssize_t len, cap;
} LineIds;

/* The ids of a slot's words (slot->nids of them), worked out the first time; NULL on error. */
static const int32_t *ids_of(TokenMap *self, Slot *slot) {
    if (slot->nids < 0 && slot_ids(self, slot) < 0) return NULL;
    return slot->nids > 1 ? slot->ids : &slot->id0;
}

static int add_ids(TokenMap *self, void *acc_, Slot *slot) {
    LineIds *acc = acc_;
    const int32_t *ids = ids_of(self, slot);
    if (ids == NULL) return -1;
    for (Py_ssize_t k = 0; k < slot->nids; k++) {
        int32_t id = ids[k];
        Mark *m = &self->marks[id];
        if (m->line_call == acc->call && m->line == acc->line) continue; /* a set: once per line */
        m->line_call = acc->call;
        m->line = acc->line;
        if (m->count_call != acc->call) {
            m->count_call = acc->call;
            m->count = 0;
        }
        m->count++;
        if (acc->len == acc->cap) {
            Py_ssize_t cap = acc->cap ? 2 * acc->cap : 1024;
            int32_t *buf = PyMem_Realloc(acc->buf, (size_t)cap * sizeof(int32_t));
            if (buf == NULL) {
                PyErr_NoMemory();
                return -1;
            }
            acc->buf = buf;
            acc->cap = cap;
        }
        acc->buf[acc->len++] = id;
    }
    return 0;
}

/* Forget every id (the memo's values keep theirs only while the id table is bounded). */
static void clear_ids(TokenMap *self) {
    PyDict_Clear(self->ids);
    for (Py_ssize_t i = 0; i < self->cap; i++) {
        PyMem_Free(self->slots[i].ids);
        self->slots[i].ids = NULL;
        self->slots[i].nids = -1;
    }
    PyMem_Free(self->marks);
    self->marks = NULL;
    self->marks_cap = 0;
}

typedef struct {
    Py_ssize_t start, end, off, n;
} LineSpan;

static PyObject *TokenMap_line_shares(TokenMap *self, PyObject *text) {
    if (check_text(text) < 0) return NULL;
    if (PyDict_GET_SIZE(self->ids) > 4 * self->max_entries + 1024) clear_ids(self);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), nlines = 0, lines_cap = 0, start = 0;
    LineIds acc = {++self->calls, 0, NULL, 0, 0};
    LineSpan *lines = NULL;
    PyObject *out = NULL;
    while (start < n) {
        Py_ssize_t body, first, end = next_line(kind, data, n, start, &body, &first);
        if (first < body) { /* not blank */
            if (nlines == lines_cap) {
                lines_cap = lines_cap ? 2 * lines_cap : 64;
                LineSpan *more = PyMem_Realloc(lines, (size_t)lines_cap * sizeof(LineSpan));
                if (more == NULL) {
                    PyErr_NoMemory();
                    goto done;
                }
                lines = more;
            }
            Py_ssize_t off = acc.len;
            if (each_token(self, text, first, body, add_ids, &acc) < 0) goto done;
            lines[nlines++] = (LineSpan){start, end, off, acc.len - off};
            acc.line++;
        }
        start = end;
    }
    if ((out = PyList_New(nlines)) == NULL) goto done;
    for (Py_ssize_t i = 0; i < nlines; i++) {
        Py_ssize_t hits = 0;
        for (Py_ssize_t k = lines[i].off; k < lines[i].off + lines[i].n; k++) hits += self->marks[acc.buf[k]].count > 1;
        double share = lines[i].n ? (double)hits / (double)lines[i].n : 0.0;
        PyObject *item = Py_BuildValue("(nnnd)", lines[i].start, lines[i].end, lines[i].n, share);
        if (item == NULL) {
            Py_CLEAR(out);
            goto done;
        }
        PyList_SET_ITEM(out, i, item);
    }
done:
    PyMem_Free(lines);
    PyMem_Free(acc.buf);
    return out;
}

/* ---- commonest: the most frequent values of a text's sample, counted on word ids */

typedef struct {
    uint64_t call;
    PyObject **words; /* each distinct word once, first seen first (owned references) */
    int32_t *ids;
    Py_ssize_t n, cap;
} Tally;

static int add_tally(TokenMap *self, void *acc_, Slot *slot) {
    Tally *t = acc_;
    const int32_t *ids = ids_of(self, slot);
    if (ids == NULL) return -1;
    for (Py_ssize_t k = 0; k < slot->nids; k++) {
        Mark *m = &self->marks[ids[k]];
        if (m->count_call != t->call) {
            m->count_call = t->call;
            m->count = 0;
            if (t->n == t->cap) {
                Py_ssize_t cap = t->cap ? 2 * t->cap : 256;
                PyObject **words = PyMem_Realloc(t->words, (size_t)cap * sizeof(PyObject *));
                int32_t *more = words == NULL ? NULL : PyMem_Realloc(t->ids, (size_t)cap * sizeof(int32_t));
                if (words != NULL) t->words = words;
                if (more == NULL) {
                    PyErr_NoMemory();
                    return -1;
                }
                t->ids = more;
                t->cap = cap;
            }
            /* owned: a full memo is emptied mid-call, and its values with it */
            t->words[t->n] = Py_NewRef(PyTuple_GET_ITEM(slot->value, k));
            t->ids[t->n++] = ids[k];
        }
        m->count++;
    }
    return 0;
}

typedef struct {
    Py_ssize_t count, first;
} Rank;

static int by_rank(const void *a, const void *b) { /* count down, then first seen: Counter + stable sort */
    const Rank *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

/* tokens.PyTokenMap.commonest: the sample is cut as ranges of the text, not built. */
static PyObject *TokenMap_commonest(TokenMap *self, PyObject *args) {
    PyObject *text;
    Py_ssize_t line_words, max_chars, most;
    if (!PyArg_ParseTuple(args, "Unnn", &text, &line_words, &max_chars, &most)) return NULL;
    if (check_text(text) < 0) return NULL;
    if (PyDict_GET_SIZE(self->ids) > 4 * self->max_entries + 1024) clear_ids(self);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), start = 0, size = 0, lines = 0;
    Tally t = {++self->calls, NULL, NULL, 0, 0};
    Rank *ranks = NULL;
    PyObject *out = NULL;
    while (start < n && size < max_chars) {
        Py_ssize_t body, first, end = next_line(kind, data, n, start, &body, &first);
        Py_ssize_t spaces = 0;
        for (Py_ssize_t i = start; i < body; i++) spaces += PyUnicode_READ(kind, data, i) == ' ';
        if (spaces + 1 >= line_words) { /* a body line: at `size` in "\n".join(body) */
            Py_ssize_t keep = body - start < max_chars - size ? body - start : max_chars - size;
            if (each_token(self, text, start, start + keep, add_tally, &t) < 0) goto done;
            size += body - start + 1;
            lines++;
        }
        start = end;
    }
    if (lines == 0 && each_token(self, text, 0, n < max_chars ? n : max_chars, add_tally, &t) < 0) goto done;
    if (t.n && (ranks = PyMem_Malloc((size_t)t.n * sizeof(Rank))) == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < t.n; i++) ranks[i] = (Rank){self->marks[t.ids[i]].count, i};
    if (t.n > 1) qsort(ranks, (size_t)t.n, sizeof(Rank), by_rank);
    Py_ssize_t k = t.n < most ? t.n : (most > 0 ? most : 0);
    if ((out = PyList_New(k)) == NULL) goto done;
    for (Py_ssize_t i = 0; i < k; i++) {
        PyObject *item = Py_BuildValue("(On)", t.words[ranks[i].first], ranks[i].count);
        if (item == NULL) {
            Py_CLEAR(out);
            goto done;
        }
        PyList_SET_ITEM(out, i, item);
    }
done:
    for (Py_ssize_t i = 0; i < t.n; i++) Py_DECREF(t.words[i]);
    PyMem_Free(t.words);
    PyMem_Free(t.ids);
    PyMem_Free(ranks);
    return out;
}

static PyObject *TokenMap_size(TokenMap *self, PyObject *Py_UNUSED(ignored)) {
    return PyLong_FromSsize_t(self->used);
}

static int TokenMap_init(TokenMap *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"fn", "max_entries", NULL};
    PyObject *fn;
    Py_ssize_t max_entries = 500000;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|n", kwlist, &fn, &max_entries)) return -1;
    if (!PyCallable_Check(fn)) {
        PyErr_SetString(PyExc_TypeError, "TokenMap: fn must be callable");
        return -1;
    }
    if (max_entries < 1) {
        PyErr_SetString(PyExc_ValueError, "TokenMap: max_entries must be 1 or more");
        return -1;
    }
    if (self->slots != NULL) { /* __init__ called again */
        clear_slots(self->slots, self->cap);
        PyMem_Free(self->raw);
    }
    self->cap = 1024;
    if ((self->slots = new_slots(self->cap, &self->raw)) == NULL) return -1;
    self->used = 0;
    self->max_entries = max_entries;
    if (self->ids == NULL && (self->ids = PyDict_New()) == NULL) return -1;
    PyDict_Clear(self->ids);
    PyMem_Free(self->marks);
    self->marks = NULL;
    self->marks_cap = 0;
    Py_INCREF(fn);
    Py_XSETREF(self->fn, fn);
    return 0;
}

static void TokenMap_dealloc(TokenMap *self) {
    if (self->slots != NULL) {
        clear_slots(self->slots, self->cap);
        PyMem_Free(self->raw);
    }
    Py_XDECREF(self->fn);
    Py_XDECREF(self->ids);
    PyMem_Free(self->marks);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef TokenMap_methods[] = {
    {"flat", (PyCFunction)TokenMap_flat, METH_O, "The values of the tokens of text, in order."},
    {"line_sets", (PyCFunction)TokenMap_line_sets, METH_O,
     "(start, end, set of values) for each non-blank line of text (str.splitlines(keepends=True))."},
    {"line_shares", (PyCFunction)TokenMap_line_shares, METH_O,
     "(start, end, words, share) for each non-blank line, as line_sets cuts them: how many distinct values "
     "its tokens have, and the share of those found in another line."},
    {"commonest", (PyCFunction)TokenMap_commonest, METH_VARARGS,
     "commonest(text, line_words, max_chars, most): the most frequent values of the text's sample "
     "as (value, count), most first, ties in the order first seen (tokens.PyTokenMap.commonest)."},
    {"size", (PyCFunction)TokenMap_size, METH_NOARGS, "Tokens in the memo."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject TokenMapType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "cleaner._tokens.TokenMap",
    .tp_basicsize = sizeof(TokenMap),
    .tp_dealloc = (destructor)TokenMap_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A memo from whitespace tokens to fn(token), a tuple of str.",
    .tp_methods = TokenMap_methods,
    .tp_init = (initproc)TokenMap_init,
    .tp_new = PyType_GenericNew,
};

static PyMethodDef module_methods[] = {
    {"spread", (PyCFunction)spread, METH_O,
     "{word: sets holding it} for the words in two or more of the sets."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_tokens", "Whitespace tokens mapped through a memoised function.", -1, module_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__tokens(void) {
    for (int c = 0; c < 128; c++) {
        ascii_space[c] = (unsigned char)Py_UNICODE_ISSPACE(c);
        ascii_break[c] = (unsigned char)Py_UNICODE_ISLINEBREAK(c);
    }
    if (PyType_Ready(&TokenMapType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    Py_INCREF(&TokenMapType);
    if (PyModule_AddObject(m, "TokenMap", (PyObject *)&TokenMapType) < 0) {
        Py_DECREF(&TokenMapType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
