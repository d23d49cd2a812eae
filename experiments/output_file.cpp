#include "experiments/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <utility>

namespace liqsim {
namespace {

// What a signal handler can reach is static storage only, so the temporary file of the process lives
// here (at most one at a time): its path, and whether it is to be removed. The path is written only
// while `armed` is 0. PATH_MAX (4096, terminating NUL included) bounds every path the kernel accepts.
char signal_temporary_path[4096];
volatile std::sig_atomic_t signal_temporary_armed = 0;

void arm_signal_cleanup(const std::string& path) {
  signal_temporary_armed = 0;
  if (path.size() >= sizeof signal_temporary_path) return;  // creating it fails with ENAMETOOLONG anyway
  std::memcpy(signal_temporary_path, path.c_str(), path.size() + 1);
  signal_temporary_armed = 1;
}

void disarm_signal_cleanup() { signal_temporary_armed = 0; }

// The gate of remove_own_temporary_files_and_refuse_more(): creation happens under it, and once
// closed it stays closed.
std::mutex creation_gate;
bool creation_closed = false;

// Async-signal-safe: unlink, sigaction and raise only. The signal is blocked while its handler runs, so
// the raised one is delivered on return, with the default action: the process ends killed by it.
extern "C" void remove_temporary_and_reraise(int signal_number) {
  if (signal_temporary_armed != 0) ::unlink(signal_temporary_path);
  struct sigaction default_action = {};
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  ::sigaction(signal_number, &default_action, nullptr);
  ::raise(signal_number);
}

std::string system_error(int error) { return std::strerror(error); }

const char* file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a named pipe";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

std::string name_too_long(const std::string& path, const std::string& folder) {
  const std::string name = std::filesystem::path(path).filename().string();
  const std::string suffix = temporary_path_for(path).substr(path.size());
  const long name_max = ::pathconf(folder.c_str(), _PC_NAME_MAX);
  std::string message =
      "the file name is too long for the filesystem (" + std::to_string(name.size()) + " bytes";
  if (name_max > 0 && long(suffix.size()) < name_max) {
    message += "; allowed: at most " + std::to_string(name_max - long(suffix.size())) +
               " bytes, so that the temporary file '<name>" + suffix + "' fits the limit of " +
               std::to_string(name_max) + ")";
  } else {
    message += "; allowed: a shorter name)";
  }
  return message;
}

}  // namespace

std::string temporary_path_for(const std::string& path) {
  return path + ".tmp." + std::to_string(::getpid());
}

std::optional<std::string> check_output_path(const std::string& path, bool overwrite) {
  if (path.empty()) return std::string("an empty file name; allowed: a file path");
  const std::string folder = [&] {
    const std::string parent = std::filesystem::path(path).parent_path().string();
    return parent.empty() ? std::string(".") : parent;
  }();

  // What is at the path now (a symbolic link is judged by its target, which must exist).
  struct stat at_path = {};
  if (::lstat(path.c_str(), &at_path) == 0) {
    if (S_ISLNK(at_path.st_mode) && ::stat(path.c_str(), &at_path) != 0) {
      const int error = errno;
      std::string target(4096, '\0');
      const ssize_t length = ::readlink(path.c_str(), target.data(), target.size());
      target.resize(length > 0 ? size_t(length) : 0);
      if (error == ENOENT) {
        return "a symbolic link to '" + target +
               "', which does not exist; allowed: a regular file, or a link to an existing one";
      }
      return "a symbolic link to '" + target + "' that cannot be followed (" + system_error(error) +
             "); allowed: a regular file path";
    }
    if (S_ISDIR(at_path.st_mode)) return std::string("a directory; allowed: a file path");
    if (!S_ISREG(at_path.st_mode)) {
      return std::string(file_kind(at_path.st_mode)) +
             ", not a regular file; allowed: a regular file path (new, or existing with --force)";
    }
    if (!overwrite) return std::string("the file exists; allowed: a new file, or --force to replace it");
  } else if (errno == ENAMETOOLONG) {
    return name_too_long(path, folder);
  } else if (errno != ENOENT && errno != ENOTDIR) {
    return "cannot be checked (" + system_error(errno) + "); allowed: a file in a folder this user can write";
  }

  struct stat at_folder = {};
  if (::stat(folder.c_str(), &at_folder) != 0) {
    if (errno == ENOENT)
      return "folder '" + folder + "' does not exist; allowed: a file in an existing folder";
    if (errno == ENOTDIR) return "'" + folder + "' is not a folder; allowed: a file in an existing folder";
    return "folder '" + folder + "' cannot be checked (" + system_error(errno) +
           "); allowed: a file in a folder this user can write";
  }
  if (!S_ISDIR(at_folder.st_mode))
    return "'" + folder + "' is not a folder; allowed: a file in an existing folder";

  // Writability, probed the only reliable way: creating (and removing) the temporary file itself.
  TemporaryFile probe(temporary_path_for(path));
  const int fd = probe.create();
  if (fd < 0) {
    const int error = -fd;
    if (error == ENAMETOOLONG) return name_too_long(path, folder);
    if (error == EEXIST) {
      return "the temporary file '" + probe.path() +
             "' exists (left by an earlier process); allowed: a path without one (remove it)";
    }
    return "cannot create a file in folder '" + folder + "' (" + system_error(error) +
           "); allowed: a file in a folder this user can write";
  }
  ::close(fd);
  return std::nullopt;
}

TemporaryFile::TemporaryFile(std::string path, bool remove_on_signal)
    : path_(std::move(path)), remove_on_signal_(remove_on_signal) {}

TemporaryFile::~TemporaryFile() { discard(); }

void TemporaryFile::discard() {
  if (created_ && !committed_) {
    ::unlink(path_.c_str());  // best effort: whatever failed already reports why
    if (remove_on_signal_) disarm_signal_cleanup();
    created_ = false;
  }
}

int TemporaryFile::create() {
  std::lock_guard gate(creation_gate);
  if (creation_closed) return -ECANCELED;
  if (remove_on_signal_) arm_signal_cleanup(path_);
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) {
    const int error = errno;
    if (remove_on_signal_) disarm_signal_cleanup();
    return -error;
  }
  created_ = true;
  return fd;
}

std::optional<std::string> TemporaryFile::commit(const std::string& destination, bool overwrite) {
  const auto cannot_move = [&](int error) {
    return "cannot move '" + path_ + "' to '" + destination + "': " + system_error(error);
  };
  const auto appeared = [&] {
    return "'" + destination + "' appeared while this run was writing it; not replaced (--force replaces it)";
  };
  if (overwrite) {
    if (::rename(path_.c_str(), destination.c_str()) != 0) return cannot_move(errno);
  } else if (::renameat2(AT_FDCWD, path_.c_str(), AT_FDCWD, destination.c_str(), RENAME_NOREPLACE) != 0) {
    int error = errno;
    if (error == EINVAL || error == ENOSYS || error == EOPNOTSUPP) {
      // No RENAME_NOREPLACE on this filesystem: a hard link also refuses an existing destination.
      error = ::link(path_.c_str(), destination.c_str()) == 0 ? 0 : errno;
      if (error == 0) ::unlink(path_.c_str());
    }
    if (error == EEXIST) return appeared();
    if (error != 0) return cannot_move(error);
  }
  committed_ = true;
  if (remove_on_signal_) disarm_signal_cleanup();
  return std::nullopt;
}

void install_temporary_file_cleanup() {
  for (const int signal_number : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction current = {};
    if (::sigaction(signal_number, nullptr, &current) != 0 || current.sa_handler == SIG_IGN) continue;
    struct sigaction action = {};
    action.sa_handler = remove_temporary_and_reraise;
    sigemptyset(&action.sa_mask);
    ::sigaction(signal_number, &action, nullptr);
  }
}

void remove_own_temporary_files_and_refuse_more(const std::string& folder) {
  namespace fs = std::filesystem;
  std::lock_guard gate(creation_gate);
  creation_closed = true;
  const std::string suffix = ".tmp." + std::to_string(::getpid());
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      fs::remove(entry.path(), ec);
  }
}

}  // namespace liqsim
