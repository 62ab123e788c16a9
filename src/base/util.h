/*
 * util.h - tiny macros every layer uses: ARRAY_LEN, MIN, MAX.
 */
#ifndef BASE_UTIL_H
#define BASE_UTIL_H

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#endif
