#ifndef SLOPE_TEMPORARY_FILES_H
#define SLOPE_TEMPORARY_FILES_H

/// Temporary files removed when the process gets SIGINT or SIGTERM: an atomic write registers
/// its temporary path before writing and unregisters it after the rename (or the unlink).
/// While at least one path is registered, a handler for both signals unlinks every registered
/// path, restores the handler that was there before, and raises the signal again, so the
/// process ends as it would have, without leaving `.NAME.PID.RANDOM.tmp` behind.

/// The most temporary files registered at once.
#define SLOPE_TEMPORARY_SLOTS 16

/// Registers `path` (copied; at most 4095 bytes). Returns the slot to unregister, or -1 when
/// every slot is taken or the path is too long (the file is then not cleaned up on a signal).
int slope_temporary_register(const char *path);

/// Forgets the path in `slot` (from `slope_temporary_register`); -1 is ignored.
void slope_temporary_unregister(int slot);

#endif
