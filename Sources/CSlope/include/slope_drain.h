#ifndef SLOPE_DRAIN_H
#define SLOPE_DRAIN_H

/// Waits until a pipe or socket behind descriptor `fd` holds no unread bytes (its reader, e.g.
/// MPI's process manager forwarding a rank's standard error, has taken everything written), or
/// `milliseconds` have passed. Returns at once when `fd` is a file or terminal (nothing to wait
/// for). Used before `MPI_Abort`, which may end the reader before it has forwarded the last
/// message.
void slope_drain_output(int fd, int milliseconds);

#endif
