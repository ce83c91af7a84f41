# tests/difftest: the x86 decoder against capstone, and the differential CPU tester.
all-targets += $(BUILD)/tests/difftest/x86-decode-vs-capstone

$(BUILD)/tests/difftest/x86-decode-vs-capstone: $(BUILD)/tests/difftest/x86-decode-vs-capstone.o $(BUILD)/libvireo.a
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libvireo.a $(DEP_LIBS)

# The generator and runner are linked into the unit tests (a bounded run) and the long run.
difftest-src := tests/difftest/difftest.c tests/difftest/gen.c tests/difftest/gen-int.c \
                tests/difftest/gen-x87.c tests/difftest/gen-simd.c
unit-test-src += $(difftest-src)
difftest-obj := $(patsubst %.c,$(BUILD)/%.o,$(difftest-src))

all-targets += $(BUILD)/tests/difftest/x86-difftest
$(BUILD)/tests/difftest/x86-difftest: $(BUILD)/tests/difftest/x86-difftest.o $(difftest-obj) $(BUILD)/libvireo.a
	$(CC) $(LDFLAGS) -o $@ $< $(difftest-obj) -Wl,--whole-archive $(BUILD)/libvireo.a -Wl,--no-whole-archive $(DEP_LIBS)
