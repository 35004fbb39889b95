// Waiting for a pipe's reader to take what was written (see slope_drain.h).

#include "slope_drain.h"

#include <sys/ioctl.h>
#include <unistd.h>

void slope_drain_output(int fd, int milliseconds) {
    for (int waited = 0; waited < milliseconds; waited++) {
        int unread = 0;
        // FIONREAD on either end of a Linux pipe (or on a socket) counts the bytes not yet read;
        // it fails on files and terminals, which need no waiting.
        if (ioctl(fd, FIONREAD, &unread) != 0 || unread <= 0) return;
        usleep(1000);
    }
}
