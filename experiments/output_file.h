// Safe creation of an output file: a check of the location before any work is done, the temporary
// file the content is written to (`<path>.tmp.<pid>`, removed on every failure and when SIGINT, SIGTERM
// or SIGHUP stops the process), and the final move that replaces an existing file only when asked to.
#pragma once

#include <optional>
#include <string>

namespace liqsim {

// The temporary file beside `path` that its content is written to before the final move.
std::string temporary_path_for(const std::string& path);

// Why `path` cannot receive an output file, or nothing. Refused: an empty path; a directory, device,
// named pipe, socket or dangling symbolic link; an existing file unless `overwrite`; a missing folder;
// a folder where this process cannot create files (probed by creating and removing the temporary file,
// which also checks that the file name fits the filesystem). The message says what is allowed.
std::optional<std::string> check_output_path(const std::string& path, bool overwrite);

// Owns a temporary file it created: removes it on destruction unless committed, and while it exists it
// is the file the signal handlers of install_temporary_file_cleanup() remove (one at a time per
// process; `remove_on_signal = false` leaves that to the caller, for files made several at a time).
class TemporaryFile {
 public:
  explicit TemporaryFile(std::string path, bool remove_on_signal = true);
  ~TemporaryFile();
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  const std::string& path() const { return path_; }

  // Creates the file (O_CREAT | O_EXCL: never an existing one) and returns a descriptor open for
  // writing, which the caller closes; or -errno.
  int create();

  // Moves the complete temporary file to `destination`. Without `overwrite` a file that exists at
  // `destination` at that moment is never replaced (renameat2 RENAME_NOREPLACE, or link + unlink where
  // the filesystem lacks it; a filesystem with neither is an error); an error message says why nothing
  // was moved.
  std::optional<std::string> commit(const std::string& destination, bool overwrite);

  // Removes the file now (it was not committed); the destructor would otherwise.
  void discard();

 private:
  std::string path_;
  bool remove_on_signal_ = true;
  bool created_ = false;
  bool committed_ = false;
};

// Installs handlers for SIGINT, SIGTERM and SIGHUP (unless ignored) that remove the current temporary
// file, then let the signal terminate the process (exit status 128 + signal number).
void install_temporary_file_cleanup();

// For a process about to end by a signal while other threads may still be writing files made with
// `remove_on_signal = false`: from now on TemporaryFile::create() refuses (ECANCELED), and the
// temporary files this process made in `folder` (`*.tmp.<pid>`) are removed. A create() in progress
// finishes before the folder is read, so no temporary file appears after this returns. Not
// async-signal-safe; best effort.
void remove_own_temporary_files_and_refuse_more(const std::string& folder);

}  // namespace liqsim
