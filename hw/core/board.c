/* board.c: the one machine's wiring, shared with its devices. */
#include "util/osdep.h"
#include "hw/core/board.h"

Board board;
