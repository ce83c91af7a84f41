/* translate-disas.c: -d in_asm — guest code disassembled with capstone for the debug log. */
#include "util/osdep.h"
#include "util/log.h"
#include "cpu/x86/cpu.h"
#include "cpu/x86/helper-tr.h"
#include <capstone/capstone.h>

void x86_log_disas(X86CPUState *env, uint64_t pc, uint32_t size, int code_bits)
{
    uint8_t buf[4096 + 16];
    uint32_t n = 0;
    size = MIN(size, (uint32_t)sizeof(buf));
    while (n < size && x86_tr_fetch_code(env, pc + n, &buf[n], NULL))
        n++;
    csh h;
    cs_mode mode = code_bits == 64 ? CS_MODE_64 : code_bits == 32 ? CS_MODE_32 : CS_MODE_16;
    if (cs_open(CS_ARCH_X86, mode, &h) != CS_ERR_OK) {
        log_printf("  (capstone unavailable)\n");
        return;
    }
    cs_insn *insn;
    size_t count = cs_disasm(h, buf, n, pc, 0, &insn);
    for (size_t i = 0; i < count; i++)
        log_printf("0x%08" PRIx64 ":  %-8s %s\n", insn[i].address, insn[i].mnemonic, insn[i].op_str);
    if (count)
        cs_free(insn, count);
    log_printf("\n");
    cs_close(&h);
}
