// Keeps freed tensor buffers in the process instead of handing them back to the kernel.
//
// Training allocates and frees the same few buffer sizes (activations, gradients, a few MiB each)
// every step. glibc's defaults give large blocks back (munmap, or trimming the top of the heap),
// so the next step's buffers are fresh pages: one page fault and one zeroed page per 4 KiB, which
// took 15-20% of a small CNN's training time and made epochs swing from run to run. Raising the
// mmap threshold to its maximum (32 MiB) and the trim threshold far above it lets malloc reuse
// the freed blocks, as PyTorch's caching allocator does; the process keeps its peak footprint.
// Set SLOPE_MALLOC_DEFAULTS=1 in the environment to keep glibc's defaults.

#include "CSlope.h"

#include <stdlib.h>

#if defined(__GLIBC__)
#include <malloc.h>

static int kept = 0;

__attribute__((constructor)) static void slope_keep_freed_memory(void) {
    const char *defaults = getenv("SLOPE_MALLOC_DEFAULTS");
    if (defaults && defaults[0] && defaults[0] != '0') return;
    kept = mallopt(M_MMAP_THRESHOLD, 32 << 20) && mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

int slope_keeps_freed_memory(void) { return kept; }
#else
int slope_keeps_freed_memory(void) { return 0; }
#endif
