# tests/difftest: the x86 decoder against capstone (and later the differential CPU tester).
all-targets += $(BUILD)/tests/difftest/x86-decode-vs-capstone

$(BUILD)/tests/difftest/x86-decode-vs-capstone: $(BUILD)/tests/difftest/x86-decode-vs-capstone.o $(BUILD)/libvireo.a
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libvireo.a $(DEP_LIBS)

all-targets += $(BUILD)/tests/difftest/x86-difftest
$(BUILD)/tests/difftest/x86-difftest: $(BUILD)/tests/difftest/x86-difftest.o $(BUILD)/libvireo.a
	$(CC) $(LDFLAGS) -o $@ $< -Wl,--whole-archive $(BUILD)/libvireo.a -Wl,--no-whole-archive $(DEP_LIBS)
