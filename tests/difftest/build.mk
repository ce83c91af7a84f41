# tests/difftest: the x86 decoder against capstone (and later the differential CPU tester).
all-targets += $(BUILD)/tests/difftest/x86-decode-vs-capstone

$(BUILD)/tests/difftest/x86-decode-vs-capstone: $(BUILD)/tests/difftest/x86-decode-vs-capstone.o $(BUILD)/libvireo.a
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libvireo.a $(DEP_LIBS)
