/*
 * status_out_of_range.c - appeal_transition() with a status past the enum:
 * S(x) shifts 1u by 40 (UB, domain/appeal.c:256 and :203) and on x86 the
 * result lets ACT_WARN succeed with *to == 40, an invalid status.
 *   clang -std=c11 -fsanitize=undefined -Isrc
 * tests/fuzz/repro/fuzz_transition/status_out_of_range.c \ src/domain/appeal.c src/base/str.c -o
 * /tmp/r && /tmp/r
 */
#include <stdio.h>

#include "domain/appeal.h"

int
main(void)
{
    struct appeal_state st = {.status = (enum appeal_status)40, .routed = true};
    struct actor who = {.role = ROLE_SYSTEM};
    enum appeal_status to = STATUS__COUNT;
    const char *why;
    enum err e = appeal_transition(&st, ACT_WARN, &who, &to, &why);
    printf("err=%d to=%d (want an error, no UB)\n", (int)e, (int)to);
    return e == ERR_OK;
}
