# tests/difftest: the x86 decoder against capstone, and the differential CPU tester.
all-targets += $(BUILD)/tests/difftest/x86-decode-vs-capstone

$(BUILD)/tests/difftest/x86-decode-vs-capstone: $(BUILD)/tests/difftest/x86-decode-vs-capstone.o $(BUILD)/libvireo.a
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libvireo.a $(DEP_LIBS)

# The generator and runner are linked into the unit tests (a bounded run) and the long run.
difftest-src := tests/difftest/difftest.c tests/difftest/gen.c tests/difftest/gen-int.c \
                tests/difftest/gen-x87.c tests/difftest/gen-simd.c tests/difftest/gen-avx.c
unit-test-src += $(difftest-src)
difftest-obj := $(patsubst %.c,$(BUILD)/%.o,$(difftest-src))

all-targets += $(BUILD)/tests/difftest/x86-difftest
$(BUILD)/tests/difftest/x86-difftest: $(BUILD)/tests/difftest/x86-difftest.o $(difftest-obj) $(BUILD)/libvireo.a
	$(CC) $(LDFLAGS) -o $@ $< $(difftest-obj) -Wl,--whole-archive $(BUILD)/libvireo.a -Wl,--no-whole-archive $(DEP_LIBS)

# The long run, outside make check: DIFFTEST_SEEDS x DIFFTEST_PER_SEED sequences (half 64-bit,
# half 32-bit) per tcg back end, niced; prints each run and the totals, fails on a divergence.
# DIFFTEST_FLAGS adds options, e.g. "-x avx -m 64,32" for the VEX classes alone.
DIFFTEST_SEEDS ?= 1 2 3 4
DIFFTEST_PER_SEED ?= 250000
DIFFTEST_FLAGS ?=
.PHONY: check-difftest-million
check-difftest-million: $(BUILD)/tests/difftest/x86-difftest
	@rc=0; log=$(BUILD)/difftest-million.log; : > $$log; \
	for b in native interp; do for s in $(DIFFTEST_SEEDS); do \
	    nice $(BUILD)/tests/difftest/x86-difftest -b $$b -s $$s -n $(DIFFTEST_PER_SEED) $(DIFFTEST_FLAGS) 2>&1 | tee -a $$log; \
	    [ $${PIPESTATUS[0]} -eq 0 ] || rc=1; \
	done; done; \
	awk -F': ' '/-bit, seed/ { split($$2, a, " back end, "); split(a[2], m, ","); split($$3, n, " "); \
	     k = a[1] ", " m[1]; same[k] += n[1]; dv[k] += n[6]; sk[k] += n[8] } \
	     END { for (k in same) printf "x86-difftest total: %s: %d identical, %d diverged, %d skipped\n", \
	           k, same[k], dv[k], sk[k] }' $$log | sort; exit $$rc
