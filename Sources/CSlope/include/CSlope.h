#ifndef CSLOPE_H
#define CSLOPE_H

/// Per-thread gradient recording switch used by `noGrad { }`.
/// Returns 1 when operations on this thread record a graph for backward.
int slope_grad_enabled(void);
/// Sets this thread's recording switch and returns the previous value.
int slope_set_grad_enabled(int enabled);

#endif
