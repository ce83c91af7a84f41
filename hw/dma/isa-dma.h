/* isa-dma.h: what ISA devices (the floppy controller, later sound cards) use to reach memory
 * through the 8237 DMA controller pair ("isa-dma").
 *
 * A device registers a transfer handler for its channel and raises DREQ. While DREQ is held
 * and the channel is unmasked, the controller calls handler(opaque, chan, pos, size): pos is
 * how far the transfer has come, size the programmed length in bytes; the handler moves data
 * with isa_dma_read/write_memory at offset pos and returns the new position. Reaching size is
 * terminal count (TC), which the device sees as the return value reaching size.
 */
#ifndef HW_DMA_ISA_DMA_H
#define HW_DMA_ISA_DMA_H

#include "util/osdep.h"

typedef int IsaDmaTransferHandler(void *opaque, int chan, int pos, int size);

/* False if there is no DMA controller on this board or chan is not 0-7. */
bool isa_dma_register_channel(int chan, IsaDmaTransferHandler *fn, void *opaque);
void isa_dma_hold_DREQ(int chan);
void isa_dma_release_DREQ(int chan);
/* Copy between buf and the memory at the channel's address + pos (both directions follow
 * the channel's address increment/decrement). Memory that is not RAM reads as 0xff and
 * drops writes, as on the ISA bus. Returns len, or 0 if the channel is not usable. */
int isa_dma_read_memory(int chan, void *buf, int pos, int len);
int isa_dma_write_memory(int chan, const void *buf, int pos, int len);
/* The transfer type of the channel's mode register: 0 verify, 1 write (to memory),
 * 2 read (from memory), 3 invalid. */
int isa_dma_transfer_type(int chan);
bool isa_dma_present(void);

#endif
