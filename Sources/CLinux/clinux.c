#define _GNU_SOURCE
#include <fcntl.h>

#include "clinux.h"

int sd_start_writeback(int fd, long long offset, long long length) {
    return sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE);
}
