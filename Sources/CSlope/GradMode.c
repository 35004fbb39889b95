#include "CSlope.h"

// Recording is on by default; each thread has its own switch, as in PyTorch.
static _Thread_local int grad_disabled = 0;

int slope_grad_enabled(void) { return !grad_disabled; }

int slope_set_grad_enabled(int enabled) {
    int previous = !grad_disabled;
    grad_disabled = !enabled;
    return previous;
}
