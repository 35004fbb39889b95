#include "CSlope.h"

// The training-step capture running on this thread, if any (each thread has its own, so ops on
// other threads are never seen by a capture).
static _Thread_local void *capture_session = 0;

void *slope_capture_session(void) { return capture_session; }

void slope_set_capture_session(void *session) { capture_session = session; }
