# tcg/: the translator engine. The native back end is compiled only when configured.
lib-src += $(wildcard tcg/*.c) $(wildcard tcg/interp/*.c)
ifeq ($(TCG_BACKEND),native)
lib-src += $(wildcard tcg/x86_64/*.c)
endif

# make bench: tests/bench/tcg-bench runs the same IR workloads on both back ends.
bench-targets += bench-tcg
$(BUILD)/tests/bench/tcg-bench: $(BUILD)/tests/bench/tcg-bench.o $(BUILD)/tests/unit/test-tcg-common.o \
                                $(BUILD)/libvireo.a
	$(CC) $(LDFLAGS) -o $@ $(BUILD)/tests/bench/tcg-bench.o $(BUILD)/tests/unit/test-tcg-common.o \
	    $(BUILD)/libvireo.a $(DEP_LIBS)

.PHONY: bench-tcg
bench-tcg: $(BUILD)/tests/bench/tcg-bench
	@BUILD=$(BUILD) tests/bench/tcg-bench.sh

# The long randomized run (>= 1,000,000 op instances per back end), not part of make check.
.PHONY: check-tcg-million
check-tcg-million: $(BUILD)/unit-tests
	TCG_RANDOM_OPS=1000000 $(BUILD)/unit-tests --filter 'tcg_random/*'
