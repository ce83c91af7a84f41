# tests/guest: freestanding guest programs (Multiboot ELF32 kernels and one flat -bios image),
# built with the host toolchain, and the runner that boots them under every engine.
#
# Each test is one program that prints to COM1 and exits through isa-debug-exit; the runner
# (tests/guest/run.sh) compares what it printed and its exit status with <name>.expected.
# tests/guest/tests.list says how each test boots and where it may run.

# The rules below are the first explicit targets make sees; keep `all` the default goal.
ifeq ($(.DEFAULT_GOAL),)
.DEFAULT_GOAL := all
endif

G := $(BUILD)/tests/guest
# The guests are x86 code: the host toolchain on x86-64, a cross toolchain elsewhere
# (Debian: gcc-x86-64-linux-gnu, binutils-x86-64-linux-gnu).
ifeq ($(HOST_ARCH),x86_64)
GUEST_CC ?= $(CC)
GUEST_LD ?= ld
GUEST_OBJCOPY ?= objcopy
else
GUEST_CC ?= x86_64-linux-gnu-gcc
GUEST_LD ?= x86_64-linux-gnu-ld
GUEST_OBJCOPY ?= x86_64-linux-gnu-objcopy
endif
GUEST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -ffreestanding \
    -fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables -fcf-protection=none \
    -mgeneral-regs-only -Itests/guest/lib -MMD -MP
GUEST_CFLAGS32 := -m32 -march=i686 $(GUEST_CFLAGS)
GUEST_CFLAGS64 := -m64 -mno-red-zone -mcmodel=small $(GUEST_CFLAGS)
GUEST_LDFLAGS := -nostdlib -static --build-id=none -z noexecstack -z max-page-size=4096 \
    --no-warn-rwx-segments

guest-lib := start desc console paging
guest-lib32 := $(patsubst %,$(G)/lib32/%.o,entry32 isr32 $(guest-lib))
guest-lib64 := $(patsubst %,$(G)/lib64/%.o,entry64 isr64 $(guest-lib))

$(G)/lib32/%.o: tests/guest/lib/%.c config.mk
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS32) -c $< -o $@
$(G)/lib32/%.o: tests/guest/lib/%.S config.mk
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS32) -c $< -o $@
$(G)/lib64/%.o: tests/guest/lib/%.c config.mk
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS64) -c $< -o $@
$(G)/lib64/%.o: tests/guest/lib/%.S config.mk
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS64) -c $< -o $@
$(G)/32/%.o: tests/guest/%.c config.mk
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS32) -c $< -o $@
$(G)/32/%.o: tests/guest/%.S config.mk
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS32) -c $< -o $@
$(G)/64/%.o: tests/guest/%.c config.mk
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS64) -c $< -o $@
$(G)/64/%.o: tests/guest/%.S config.mk
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS64) -c $< -o $@

# $(call guest32,NAME,OBJECTS): a 32-bit Multiboot kernel.
define guest32
$(G)/$(1).elf: $(patsubst %,$(G)/32/%.o,$(2)) $(guest-lib32) tests/guest/lib/guest.ld
	$(GUEST_LD) -m elf_i386 $(GUEST_LDFLAGS) -T tests/guest/lib/guest.ld -o $$@ $$(filter %.o,$$^)
guest-elfs += $(G)/$(1).elf
endef

# $(call guest64,NAME,OBJECTS): linked as ELF64, then rewrapped as ELF32 for Multiboot
# loaders; the entry point runs 32-bit code that switches to long mode.
define guest64
$(G)/$(1).elf: $(patsubst %,$(G)/64/%.o,$(2)) $(guest-lib64) tests/guest/lib/guest.ld
	$(GUEST_LD) -m elf_x86_64 $(GUEST_LDFLAGS) -T tests/guest/lib/guest.ld -o $$@.64 $$(filter %.o,$$^)
	$(GUEST_OBJCOPY) -O elf32-i386 $$@.64 $$@
guest-elfs += $(G)/$(1).elf
endef

# $(call guest-bios,NAME,OBJECTS): a flat 64 KiB -bios image (lib/bios.ld); no Multiboot
# runtime, only the console of lib/console.c.
define guest-bios
$(G)/$(1).bin.elf: $(patsubst %,$(G)/32/%.o,$(2)) $(G)/lib32/console.o tests/guest/lib/bios.ld
	$(GUEST_LD) -m elf_i386 $(GUEST_LDFLAGS) -T tests/guest/lib/bios.ld -o $$@ $$(filter %.o,$$^)
$(G)/$(1).bin: $(G)/$(1).bin.elf
	$(GUEST_OBJCOPY) -O binary --gap-fill 0xff -j .text -j .rodata -j .reset $$< $$@
	@test $$$$(stat -c %s $$@) = 65536 || { echo "$$@: not 64 KiB" >&2; rm -f $$@; exit 1; }
guest-elfs += $(G)/$(1).bin
endef

guest-elfs :=
$(eval $(call guest-bios,bios-reset,bios-reset16 bios-reset))
$(eval $(call guest32,demo,demo))
$(eval $(call guest64,cpuid,cpuid))
$(eval $(call guest64,rdtsc,rdtsc))
$(eval $(call guest32,portio,portio))
$(eval $(call guest32,realmode,realmode realmode16))
$(eval $(call guest32,realmode-faults,realmode-faults realmode-faults16))
$(eval $(call guest32,mmio,mmio))
$(eval $(call guest32,x87-bcd,x87-bcd))
$(eval $(call guest32,smc,smc))
$(eval $(call guest32,indirect,indirect))
$(eval $(call guest32,tlb-alias,tlb-alias))
$(eval $(call guest32,multiboot,multiboot))
$(eval $(call guest32,exceptions32,exceptions))
$(eval $(call guest64,exceptions64,exceptions))
$(eval $(call guest64,longmode,longmode))
$(eval $(call guest64,apic,apic))
$(eval $(call guest32,softint32,softint))
$(eval $(call guest64,softint64,softint))
$(eval $(call guest64,xsave,xsave))
$(eval $(call guest64,smap,smap))
$(eval $(call guest64,avx,avx))
# Not a test: the IDE bus-master DMA throughput guest of `make bench` (tests/bench/ide-dma.sh).
$(eval $(call guest32,bench-ide-dma,bench-ide-dma))
$(eval $(call guest32,debug32,debug))
$(eval $(call guest64,debug64,debug))
$(eval $(call guest32,fastcall32,fastcall))
$(eval $(call guest64,fastcall64,fastcall))
$(eval $(call guest32,protect32,protect))
$(eval $(call guest64,protect64,protect))

# -mgeneral-regs-only does not allow x87 operands even in asm statements.
$(G)/32/x87-bcd.o: GUEST_CFLAGS32 := $(filter-out -mgeneral-regs-only,$(GUEST_CFLAGS32)) -mno-sse -mno-mmx
# The same for SSE/AVX registers named in asm; the compiler itself still emits no vector code.
$(G)/64/xsave.o $(G)/64/avx.o: GUEST_CFLAGS64 := $(filter-out -mgeneral-regs-only,$(GUEST_CFLAGS64)) -mno-sse -mno-mmx

# The two Multiboot modules multiboot.elf is booted with (tests.list).
$(G)/mod-a.txt:
	@mkdir -p $(@D)
	printf 'module A\n' > $@
$(G)/mod-b.txt:
	@mkdir -p $(@D)
	printf 'module B, longer than A\n' > $@
guest-elfs += $(G)/mod-a.txt $(G)/mod-b.txt

all-targets += $(guest-elfs)

GUEST_RUN := tests/guest/run.sh --build $(G)

# check-guest drives $(GUEST_VIREO) under every engine; a failure fails make check
# (GUEST_STRICT=0 reports failures without failing, for bring-up of a new engine).
GUEST_VIREO ?= $(BUILD)/vireo
GUEST_ENGINES ?= kvm kvm,kernel-irqchip=off tcg tcg,backend=interp
GUEST_STRICT ?= 1
check-targets += check-guest-runner check-guest

.PHONY: check-guest check-guest-qemu check-guest-runner
check-guest-runner: $(G)/cpuid.elf
	tests/guest/selftest.sh $(G)

check-guest: $(guest-elfs) $(BUILD)/vireo
	$(GUEST_RUN) --vireo "$(GUEST_VIREO)" --engines "$(GUEST_ENGINES)" $(if $(filter 0,$(GUEST_STRICT)),--no-strict)

# The reference: the same suite on QEMU (installed on demand), under its KVM and TCG.
check-guest-qemu: $(guest-elfs)
	@tests/need-pkg.sh qemu-system-x86_64:qemu-system-x86
	$(GUEST_RUN) --vireo qemu-system-x86_64 --engines "kvm tcg"
