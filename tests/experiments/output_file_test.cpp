#include "experiments/output_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace liqsim {
namespace {

namespace fs = std::filesystem;

std::string file_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::vector<std::string> folder_entries(const fs::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// A temporary file created and filled with `text`, ready to commit.
void fill(TemporaryFile& file, const std::string& text) {
  const int fd = file.create();
  ASSERT_GE(fd, 0) << file.path();
  ASSERT_EQ(::write(fd, text.data(), text.size()), ssize_t(text.size()));
  ASSERT_EQ(::close(fd), 0);
}

class OutputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    folder_ = fs::path(::testing::TempDir()) /
              ("liqsim_output_file_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(folder_);
    fs::create_directories(folder_);
  }
  void TearDown() override { fs::remove_all(folder_); }

  fs::path folder_;
};

TEST_F(OutputFileTest, CommitMovesTheTemporaryFileIntoPlace) {
  const fs::path path = folder_ / "run.h5";
  {
    TemporaryFile temporary(temporary_path_for(path.string()));
    fill(temporary, "new");
    EXPECT_EQ(temporary.commit(path.string(), false), std::nullopt);
  }
  EXPECT_EQ(file_text(path), "new");
  EXPECT_EQ(folder_entries(folder_), std::vector<std::string>{"run.h5"});
}

// Another run wrote the same path after this one checked it: without overwrite it stays.
TEST_F(OutputFileTest, CommitDoesNotReplaceAFileThatAppeared) {
  const fs::path path = folder_ / "run.h5";
  {
    TemporaryFile temporary(temporary_path_for(path.string()));
    fill(temporary, "new");
    write_text(path, "other run");
    const std::optional<std::string> error = temporary.commit(path.string(), false);
    ASSERT_TRUE(error.has_value());
    EXPECT_NE(error->find("appeared"), std::string::npos) << *error;
    EXPECT_NE(error->find("--force"), std::string::npos) << *error;
  }
  EXPECT_EQ(file_text(path), "other run");
  EXPECT_EQ(folder_entries(folder_), std::vector<std::string>{"run.h5"});
}

TEST_F(OutputFileTest, CommitWithOverwriteReplaces) {
  const fs::path path = folder_ / "run.h5";
  write_text(path, "old");
  {
    TemporaryFile temporary(temporary_path_for(path.string()));
    fill(temporary, "new");
    EXPECT_EQ(temporary.commit(path.string(), true), std::nullopt);
  }
  EXPECT_EQ(file_text(path), "new");
  EXPECT_EQ(folder_entries(folder_), std::vector<std::string>{"run.h5"});
}

TEST_F(OutputFileTest, UncommittedTemporaryFileIsRemoved) {
  const fs::path temporary_path = temporary_path_for((folder_ / "run.h5").string());
  {
    TemporaryFile temporary(temporary_path.string());
    fill(temporary, "partial");
    EXPECT_TRUE(fs::exists(temporary_path));
  }
  EXPECT_TRUE(folder_entries(folder_).empty());
}

TEST_F(OutputFileTest, CreateRefusesAnExistingFile) {
  const fs::path temporary_path = temporary_path_for((folder_ / "run.h5").string());
  write_text(temporary_path, "someone else's");
  {
    TemporaryFile temporary(temporary_path.string());
    EXPECT_EQ(temporary.create(), -EEXIST);
  }
  EXPECT_EQ(file_text(temporary_path), "someone else's");  // not created here, so not removed
}

// SIGTERM while the temporary file exists: the handler removes it and the process dies of the signal.
TEST_F(OutputFileTest, SignalRemovesTheTemporaryFile) {
  const fs::path temporary_path = temporary_path_for((folder_ / "run.h5").string()) + ".child";
  EXPECT_EXIT(
      {
        install_temporary_file_cleanup();
        TemporaryFile temporary(temporary_path.string());
        if (temporary.create() < 0) std::_Exit(3);
        if (!fs::exists(temporary_path)) std::_Exit(4);
        std::raise(SIGTERM);
        std::_Exit(5);
      },
      ::testing::KilledBySignal(SIGTERM), "");
  EXPECT_TRUE(folder_entries(folder_).empty());
}

// A sweep stopped by a signal while worker threads still make kept-tables files: the files this
// process made in the folder go, and none can be made afterwards (in a child: the refusal is for good).
TEST_F(OutputFileTest, RemovingOwnTemporaryFilesRefusesNewOnes) {
  const std::string other_process = (folder_ / "7.h5.tmp.1").string();
  write_text(other_process, "another process's");
  EXPECT_EXIT(
      {
        TemporaryFile made(temporary_path_for((folder_ / "3.h5").string()), /*remove_on_signal=*/false);
        const int fd = made.create();
        if (fd < 0) std::_Exit(3);
        ::close(fd);
        remove_own_temporary_files_and_refuse_more(folder_.string());
        if (fs::exists(made.path())) std::_Exit(4);
        TemporaryFile late(temporary_path_for((folder_ / "4.h5").string()), /*remove_on_signal=*/false);
        if (late.create() != -ECANCELED) std::_Exit(5);
        std::_Exit(fs::exists(late.path()) ? 6 : 0);
      },
      ::testing::ExitedWithCode(0), "");
  EXPECT_EQ(folder_entries(folder_), std::vector<std::string>{"7.h5.tmp.1"});
}

TEST_F(OutputFileTest, CheckAcceptsANewFileAndLeavesNothingBehind) {
  EXPECT_EQ(check_output_path((folder_ / "run.h5").string(), false), std::nullopt);
  EXPECT_TRUE(folder_entries(folder_).empty());
}

TEST_F(OutputFileTest, CheckRefusesWhatIsNotARegularFile) {
  fs::create_directory(folder_ / "dir");
  ASSERT_EQ(::mkfifo((folder_ / "fifo").c_str(), 0600), 0);
  fs::create_symlink(folder_ / "missing", folder_ / "dangling");
  const auto problem = [&](const char* name) {
    return check_output_path((folder_ / name).string(), true).value_or("(accepted)");
  };
  EXPECT_NE(problem("dir").find("a directory"), std::string::npos) << problem("dir");
  EXPECT_NE(problem("fifo").find("named pipe"), std::string::npos) << problem("fifo");
  EXPECT_NE(problem("dangling").find("does not exist"), std::string::npos) << problem("dangling");
  EXPECT_NE(check_output_path("", false).value_or("").find("empty"), std::string::npos);
}

TEST_F(OutputFileTest, CheckRefusesAnExistingFileWithoutOverwrite) {
  write_text(folder_ / "run.h5", "old");
  const auto problem = check_output_path((folder_ / "run.h5").string(), false);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("--force"), std::string::npos) << *problem;
  EXPECT_EQ(check_output_path((folder_ / "run.h5").string(), true), std::nullopt);
  EXPECT_EQ(file_text(folder_ / "run.h5"), "old");
}

TEST_F(OutputFileTest, CheckRefusesANameTooLongForTheFilesystem) {
  // Short enough itself, but not with the temporary file's suffix.
  const long name_max = ::pathconf(folder_.c_str(), _PC_NAME_MAX);
  ASSERT_GT(name_max, 8);
  const std::string name(size_t(name_max) - 2, 'x');
  const auto problem = check_output_path((folder_ / name).string(), false);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("too long"), std::string::npos) << *problem;
  EXPECT_TRUE(folder_entries(folder_).empty());
}

TEST_F(OutputFileTest, CheckRefusesAMissingFolder) {
  const auto problem = check_output_path((folder_ / "no_such_folder" / "run.h5").string(), false);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("does not exist"), std::string::npos) << *problem;
}

}  // namespace
}  // namespace liqsim
