/*
 * ckd.h - C23's checked arithmetic for C11. Each returns true on overflow.
 */
#ifndef BASE_CKD_H
#define BASE_CKD_H

#define ckd_add(r, a, b) __builtin_add_overflow((a), (b), (r))
#define ckd_sub(r, a, b) __builtin_sub_overflow((a), (b), (r))
#define ckd_mul(r, a, b) __builtin_mul_overflow((a), (b), (r))

#endif
