# block/: the block layer (into libvireo.a) and the vireo-img tool (block/img-*.c are its parts).
img-main := block/vireo-img.c $(wildcard block/img-*.c)
lib-src += $(filter-out block/vireo-img.c block/img-%.c,$(wildcard block/*.c))

# Rules below must not become the default goal (this file is included before `all:`).
.DEFAULT_GOAL := all

# Test helper for the interop tests (random writes mirrored into a raw shadow).
all-targets += $(BUILD)/tests/integration/block/img-randwrite
$(BUILD)/tests/integration/block/img-randwrite: $(BUILD)/tests/integration/block/img-randwrite.o $(BUILD)/libvireo.a
	$(CC) $(LDFLAGS) -o $@ $< $(BUILD)/libvireo.a $(DEP_LIBS)

# Interop tests with qemu-img as the oracle; prints "N passed, N failed".
check-targets += check-block-img
.PHONY: check-block-img
check-block-img: all
	BUILD=$(BUILD) sh tests/integration/block/img-interop.sh
