# bios/build.mk: the firmware, built freestanding with the host gcc.
#   build/bios.bin     128 KiB system BIOS: 32-bit POST at 0xE0000, 16-bit runtime at 0xF0000
#   build/vgabios.bin  VGA option ROM
# Each bios/*.c is compiled twice (-m16 and -m32); the linker keeps what each side uses.

BIOS_B := $(BUILD)/bios
bios-c := $(filter-out bios/vga%,$(wildcard bios/*.c))
bios-o16 := $(patsubst bios/%.c,$(BIOS_B)/16/%.o,$(bios-c)) $(BIOS_B)/16/entry16.o
bios-o32 := $(patsubst bios/%.c,$(BIOS_B)/32/%.o,$(bios-c)) $(BIOS_B)/32/entry32.o

BIOS_CFLAGS := -std=gnu11 -Os -g0 -Wall -Wextra -Werror -Wno-unused-parameter \
    -Wno-address-of-packed-member -Wno-unused-function -Wno-unused-const-variable -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
    -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-common -fno-strict-aliasing \
    -fno-tree-loop-distribute-patterns -ffunction-sections -fdata-sections \
    --param=min-pagesize=0 -march=i686 -mno-sse -mno-mmx -mno-80387 -mpreferred-stack-boundary=2 \
    -nostdinc -isystem $(shell $(CC) -print-file-name=include) -Ibios -fstack-usage
BIOS_LDFLAGS := -m elf_i386 --gc-sections -nostdlib --no-warn-rwx-segments
# Deepest single 16-bit frame we accept (the BIOS stack is 6 KiB and handlers nest).
BIOS_MAX_FRAME16 := 512

$(BIOS_B)/16/%.o: bios/%.c bios/build.mk
	@mkdir -p $(@D)
	$(call quiet,CC,$@) $(CC) $(BIOS_CFLAGS) -m16 -DMODE16=1 -MMD -MP -c $< -o $@
$(BIOS_B)/32/%.o: bios/%.c bios/build.mk
	@mkdir -p $(@D)
	$(call quiet,CC,$@) $(CC) $(BIOS_CFLAGS) -m32 -DMODE16=0 -MMD -MP -c $< -o $@
$(BIOS_B)/16/%.o: bios/%.S bios/build.mk
	@mkdir -p $(@D)
	$(call quiet,CC,$@) $(CC) -m16 -c $< -o $@
$(BIOS_B)/32/%.o: bios/%.S bios/build.mk
	@mkdir -p $(@D)
	$(call quiet,CC,$@) $(CC) -m32 -c $< -o $@

# 16-bit link first; its global symbols become f16_NAME (flat) and o16_NAME (offset) for
# the 32-bit link, which is how POST reaches runtime state and entry points.
$(BIOS_B)/code16.elf: $(bios-o16) bios/bios16.ld
	@awk -v max=$(BIOS_MAX_FRAME16) -F'\t' '{ if ($$2 + 0 > max) { print "vireo BIOS: 16-bit frame too big: " $$0; bad = 1 } } END { exit bad }' $(BIOS_B)/16/*.su
	$(call quiet,LD,$@) ld $(BIOS_LDFLAGS) -T bios/bios16.ld -Map $(BIOS_B)/code16.map -o $@ $(bios-o16)
$(BIOS_B)/syms16.ld: $(BIOS_B)/code16.elf
	$(call quiet,NM,$@) nm -g --defined-only $< | awk '{ printf "f16_%s = 0x%s + 0xf0000;\no16_%s = 0x%s;\n", $$3, $$1, $$3, $$1 }' > $@
$(BIOS_B)/code32.elf: $(bios-o32) bios/bios32.ld $(BIOS_B)/syms16.ld
	$(call quiet,LD,$@) ld $(BIOS_LDFLAGS) -T bios/bios32.ld -Map $(BIOS_B)/code32.map -o $@ $(bios-o32) $(BIOS_B)/syms16.ld
$(BUILD)/bios.bin: $(BIOS_B)/code16.elf $(BIOS_B)/code32.elf
	$(call quiet,OBJCOPY,$@) objcopy -O binary $(BIOS_B)/code16.elf $(BIOS_B)/code16.bin
	$(call quiet,OBJCOPY,$@) objcopy -O binary $(BIOS_B)/code32.elf $(BIOS_B)/code32.bin
	@test $$(stat -c %s $(BIOS_B)/code16.bin) -eq 65536 || { echo "vireo BIOS: code16.bin is not 64 KiB"; exit 1; }
	@test $$(stat -c %s $(BIOS_B)/code32.bin) -le 65536 || { echo "vireo BIOS: code32.bin exceeds 64 KiB"; exit 1; }
	$(call quiet,GEN,$@) truncate -s 65536 $(BIOS_B)/code32.bin
	$(call quiet,GEN,$@) cat $(BIOS_B)/code32.bin $(BIOS_B)/code16.bin > $@
	@echo "vireo BIOS: 16-bit runtime $$(printf %d 0x$$(nm $(BIOS_B)/code16.elf | awk '$$3=="end16"{print $$1}')) bytes, 32-bit POST $$(( 0x$$(nm $(BIOS_B)/code32.elf | awk '$$3=="end32"{print $$1}') - 0xe0000 )) bytes"

all-targets += $(BUILD)/bios.bin

# ---- tests: real-mode guest programs run under QEMU with this BIOS and with SeaBIOS ---------
BIOS_T := $(BUILD)/tests/bios
BIOS_TEST_CFLAGS := -std=gnu11 -Os -m16 -march=i686 -ffreestanding -fno-pic -fno-pie \
    -fno-stack-protector -fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns \
    -mno-sse -mno-mmx -mno-80387 --param=min-pagesize=0 -Wall -Wextra -Werror -nostdinc \
    -isystem $(shell $(CC) -print-file-name=include)

$(BIOS_T)/%.o: tests/bios/%.S bios/build.mk
	@mkdir -p $(@D)
	$(call quiet,CC,$@) $(CC) -m16 -c $< -o $@
$(BIOS_T)/%.o: tests/bios/%.c bios/build.mk
	@mkdir -p $(@D)
	$(call quiet,CC,$@) $(CC) $(BIOS_TEST_CFLAGS) -c $< -o $@
$(BIOS_T)/stage1.bin: $(BIOS_T)/stage1.o
	$(call quiet,LD,$@) ld -m elf_i386 -Ttext 0x7c00 --oformat binary -o $@ $<
	@test $$(stat -c %s $@) -eq 512 || { echo "stage1.bin must be 512 bytes"; exit 1; }
$(BIOS_T)/stage2.bin: $(BIOS_T)/stage2-start.o $(BIOS_T)/stage2.o tests/bios/stage2.ld
	$(call quiet,LD,$@) ld -m elf_i386 --no-warn-rwx-segments -T tests/bios/stage2.ld -o $(BIOS_T)/stage2.elf $(BIOS_T)/stage2-start.o $(BIOS_T)/stage2.o
	$(call quiet,OBJCOPY,$@) objcopy -O binary $(BIOS_T)/stage2.elf $@

all-targets += $(BIOS_T)/stage1.bin $(BIOS_T)/stage2.bin
check-targets += check-bios
.PHONY: check-bios
check-bios: $(BUILD)/bios.bin $(BIOS_T)/stage1.bin $(BIOS_T)/stage2.bin
	tests/bios/run.sh $(BUILD)

$(BIOS_T)/exitboot.bin: $(BIOS_T)/exitboot.o
	$(call quiet,LD,$@) ld -m elf_i386 -Ttext 0x7c00 --oformat binary -o $@ $<
all-targets += $(BIOS_T)/exitboot.bin
bench-targets += bench-bios
.PHONY: bench-bios
bench-bios: $(BUILD)/bios.bin $(BIOS_T)/exitboot.bin
	tests/bench/bios-boot.sh $(BUILD)

# ---- VGA BIOS: bios/vga*.c + the character functions of video.c, 16-bit only, VGABIOS=1 -----
VGA_B := $(BIOS_B)/vga
vga-c := $(wildcard bios/vga*.c) bios/video.c bios/output.c bios/string.c
vga-o16 := $(VGA_B)/vgaentry.o $(patsubst bios/%.c,$(VGA_B)/%.o,$(vga-c)) $(VGA_B)/vgafont.o
$(VGA_B)/%.o: bios/%.c bios/build.mk
	@mkdir -p $(@D)
	$(call quiet,CC,$@) $(CC) $(BIOS_CFLAGS) -m16 -DMODE16=1 -DVGABIOS=1 -MMD -MP -c $< -o $@
$(VGA_B)/%.o: bios/%.S bios/build.mk
	@mkdir -p $(@D)
	$(call quiet,CC,$@) $(CC) -m16 -c $< -o $@
$(BIOS_B)/mkfont: bios/tools/mkfont.c
	@mkdir -p $(@D)
	$(call quiet,CC,$@) $(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -I. -o $@ $<
$(BIOS_B)/romsum: bios/tools/romsum.c
	@mkdir -p $(@D)
	$(call quiet,CC,$@) $(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -I. -o $@ $<
$(BIOS_B)/vgafont.c: $(BIOS_B)/mkfont
	$(BIOS_B)/mkfont $@
$(VGA_B)/vgafont.o: $(BIOS_B)/vgafont.c bios/build.mk
	@mkdir -p $(@D)
	$(call quiet,CC,$@) $(CC) $(BIOS_CFLAGS) -m16 -DMODE16=1 -c $< -o $@
$(BUILD)/vgabios.bin: $(vga-o16) bios/vgabios.ld $(BIOS_B)/romsum
	@awk -v max=$(BIOS_MAX_FRAME16) -F'\t' '{ if ($$2 + 0 > max) { print "vireo VGA BIOS: 16-bit frame too big: " $$0; bad = 1 } } END { exit bad }' $(VGA_B)/*.su
	$(call quiet,LD,$@) ld $(BIOS_LDFLAGS) -T bios/vgabios.ld -Map $(BIOS_B)/vgabios.map -o $(BIOS_B)/vgabios.elf $(vga-o16)
	$(call quiet,OBJCOPY,$@) objcopy -O binary $(BIOS_B)/vgabios.elf $@
	$(BIOS_B)/romsum $@
	@echo "vireo VGA BIOS: $$(stat -c %s $@) bytes, $$(( 0x$$(nm $(BIOS_B)/vgabios.elf | awk '$$3=="ram_kb"{print $$1}') )) KiB of conventional memory"
all-targets += $(BUILD)/vgabios.bin
$(BIOS_T)/vgatext.bin: $(BIOS_T)/vgatext.o
	$(call quiet,LD,$@) ld -m elf_i386 -Ttext 0x7c00 --oformat binary -o $@ $<
all-targets += $(BIOS_T)/vgatext.bin
check-bios: $(BUILD)/vgabios.bin $(BIOS_T)/vgatext.bin
$(BIOS_T)/pmmrom.bin: $(BIOS_T)/pmmrom.o $(BIOS_B)/romsum
	$(call quiet,LD,$@) ld -m elf_i386 -Ttext 0 --oformat binary -o $@ $<
	$(BIOS_B)/romsum $@
all-targets += $(BIOS_T)/pmmrom.bin
check-bios: $(BIOS_T)/pmmrom.bin
$(BIOS_T)/kbdecho.bin: $(BIOS_T)/kbdecho.o
	$(call quiet,LD,$@) ld -m elf_i386 -Ttext 0x7c00 --oformat binary -o $@ $<
all-targets += $(BIOS_T)/kbdecho.bin
check-bios: $(BIOS_T)/kbdecho.bin
