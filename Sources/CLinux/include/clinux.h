// Linux calls that Swift's Glibc module leaves out (they need _GNU_SOURCE).
#ifndef SEARCHD_CLINUX_H
#define SEARCHD_CLINUX_H

/// Starts writing the dirty pages of a range of the file (length 0: to its end) to disk
/// without waiting for them (sync_file_range with SYNC_FILE_RANGE_WRITE): a commit's fsync then
/// waits on writes already under way instead of starting them all. Only a hint: 0, or -1 with
/// errno set.
int sd_start_writeback(int fd, long long offset, long long length);

#endif
