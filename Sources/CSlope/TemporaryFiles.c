// Removal of registered temporary files on SIGINT and SIGTERM (see slope_temporary_files.h).
// The handler only reads flags and paths written before the flags were set, and calls unlink,
// sigaction and raise, all async-signal-safe.

#include "slope_temporary_files.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define SLOPE_TEMPORARY_PATH_MAX 4096

static char paths[SLOPE_TEMPORARY_SLOTS][SLOPE_TEMPORARY_PATH_MAX];
static volatile sig_atomic_t used[SLOPE_TEMPORARY_SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int registered = 0;
static struct sigaction previous_interrupt, previous_terminate;

static void remove_temporary_files(int signal_number) {
    for (int slot = 0; slot < SLOPE_TEMPORARY_SLOTS; slot++) {
        if (__atomic_load_n(&used[slot], __ATOMIC_ACQUIRE)) unlink(paths[slot]);
    }
    sigaction(signal_number, signal_number == SIGINT ? &previous_interrupt : &previous_terminate, NULL);
    raise(signal_number);
}

int slope_temporary_register(const char *path) {
    if (path == NULL || strlen(path) >= SLOPE_TEMPORARY_PATH_MAX) return -1;
    pthread_mutex_lock(&lock);
    int slot = -1;
    for (int index = 0; index < SLOPE_TEMPORARY_SLOTS; index++) {
        if (!used[index]) { slot = index; break; }
    }
    if (slot >= 0) {
        strcpy(paths[slot], path);
        __atomic_store_n(&used[slot], 1, __ATOMIC_RELEASE);
        if (registered++ == 0) {
            struct sigaction action;
            memset(&action, 0, sizeof action);
            action.sa_handler = remove_temporary_files;
            sigemptyset(&action.sa_mask);
            sigaddset(&action.sa_mask, SIGINT);
            sigaddset(&action.sa_mask, SIGTERM);
            sigaction(SIGINT, &action, &previous_interrupt);
            sigaction(SIGTERM, &action, &previous_terminate);
        }
    }
    pthread_mutex_unlock(&lock);
    return slot;
}

void slope_temporary_unregister(int slot) {
    if (slot < 0 || slot >= SLOPE_TEMPORARY_SLOTS) return;
    pthread_mutex_lock(&lock);
    if (used[slot]) {
        __atomic_store_n(&used[slot], 0, __ATOMIC_RELEASE);
        if (--registered == 0) {
            sigaction(SIGINT, &previous_interrupt, NULL);
            sigaction(SIGTERM, &previous_terminate, NULL);
        }
    }
    pthread_mutex_unlock(&lock);
}
