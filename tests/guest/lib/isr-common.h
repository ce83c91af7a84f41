/* isr-common.h: the 256 interrupt stubs, 16 bytes each, shared by isr32.S and isr64.S. */

/* Intel SDM 3A table 6-1: vectors whose exceptions push an error code. */
#define HAS_ERROR(v) (((v) == 8) | ((v) == 10) | ((v) == 11) | ((v) == 12) | ((v) == 13) | \
                      ((v) == 14) | ((v) == 17) | ((v) == 21) | ((v) == 29) | ((v) == 30))

#define ISR_STUBS                 \
    .set vec, 0;                  \
    .rept 256;                    \
    .balign 16;                   \
    .if !HAS_ERROR(vec);          \
    push $0;                      \
    .endif;                       \
    push $vec;                    \
    jmp isr_common;               \
    .set vec, vec + 1;            \
    .endr
