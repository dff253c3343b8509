/*
 * The cniVersion of a network configuration's top-level object, for the shim's own answers (cni-shim.c): a scan that
 * skips values without validating more than finding the next key needs. Included by cni-shim.c only.
 */
#ifndef PATCHBAY_CNI_VERSION_H
#define PATCHBAY_CNI_VERSION_H

#include <string.h>

static const char *skip_ws(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

/* p at an opening quote: returns just past the closing one, or NULL. */
static const char *skip_string(const char *p, const char *end) {
    for (p++; p < end; p++) {
        if (*p == '\\') p++;
        else if (*p == '"') return p + 1;
    }
    return NULL;
}

/* Skips one JSON value (no validation beyond what finding the next key needs); NULL when malformed. */
static const char *skip_value(const char *p, const char *end, int depth) {
    if (p >= end || depth > 64) return NULL;
    if (*p == '"') return skip_string(p, end);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        p = skip_ws(p + 1, end);
        if (p < end && *p == close) return p + 1;
        for (;;) {
            if (close == '}') { /* "key": */
                if (p >= end || *p != '"' || !(p = skip_string(p, end))) return NULL;
                p = skip_ws(p, end);
                if (p >= end || *p++ != ':') return NULL;
                p = skip_ws(p, end);
            }
            if (!(p = skip_value(p, end, depth + 1))) return NULL;
            p = skip_ws(p, end);
            if (p < end && *p == ',') p = skip_ws(p + 1, end);
            else if (p < end && *p == close) return p + 1;
            else return NULL;
        }
    }
    const char *start = p; /* number, true, false, null */
    while (p < end && (strchr("+-.eE", *p) || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z'))) p++;
    return p > start ? p : NULL;
}

/* Sets `version` from the top-level "cniVersion" of stdin when it is a plain version string (digits, letters, . - +). */
static void find_version(const char *p, const char *end, char version[static 33]) {
    p = skip_ws(p, end);
    if (p >= end || *p++ != '{') return;
    for (;;) {
        p = skip_ws(p, end);
        if (p >= end || *p != '"') return;
        const char *key = p + 1, *after = skip_string(p, end);
        if (!after) return;
        size_t key_len = (size_t) (after - 1 - key);
        p = skip_ws(after, end);
        if (p >= end || *p++ != ':') return;
        p = skip_ws(p, end);
        if (key_len == 10 && memcmp(key, "cniVersion", 10) == 0 && p < end && *p == '"') {
            const char *v = p + 1, *q = v;
            while (q < end && q - v < 32 && (strchr(".-+", *q) || (*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'))) q++;
            if (q < end && *q == '"' && q > v) {
                memcpy(version, v, (size_t) (q - v));
                version[q - v] = '\0';
            }
            return;
        }
        if (!(p = skip_value(p, end, 1))) return;
        p = skip_ws(p, end);
        if (p >= end || *p++ != ',') return;
    }
}

#endif
