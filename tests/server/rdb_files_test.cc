// PosixRdbFileSystem: atomic replacement of the RDB file and reading it back.
#include "server/rdb_files.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace drayman {
namespace {

class RdbFilesTest : public ::testing::Test {
 protected:
  RdbFilesTest() {
    char pattern[] = "/tmp/drayman-rdb-files-XXXXXX";
    dir_ = mkdtemp(pattern);
    path_ = dir_ + "/dump.rdb";
  }
  ~RdbFilesTest() override { std::filesystem::remove_all(dir_); }

  std::string Contents() {
    std::ifstream in(path_, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  size_t FileCount() {
    return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(dir_),
                                             std::filesystem::directory_iterator()));
  }

  PosixRdbFileSystem files_;
  std::string dir_;
  std::string path_;
};

TEST_F(RdbFilesTest, CommitReplacesTheFileWhole) {
  std::string error;
  auto sink = files_.CreateAtomically(path_, &error);
  ASSERT_NE(sink, nullptr) << error;
  ASSERT_TRUE(sink->Write("first ", &error));
  ASSERT_TRUE(sink->Write("version", &error));
  EXPECT_FALSE(std::filesystem::exists(path_));  // nothing visible before Commit
  ASSERT_TRUE(sink->Commit(&error)) << error;
  sink.reset();
  EXPECT_EQ(Contents(), "first version");
  EXPECT_EQ(FileCount(), 1u);  // no temp file left behind
}

TEST_F(RdbFilesTest, AnUncommittedSaveLeavesTheOldFile) {
  std::string error;
  auto first = files_.CreateAtomically(path_, &error);
  ASSERT_TRUE(first->Write("old", &error));
  ASSERT_TRUE(first->Commit(&error));
  auto second = files_.CreateAtomically(path_, &error);
  ASSERT_TRUE(second->Write("half of the new", &error));
  second.reset();
  EXPECT_EQ(Contents(), "old");
  EXPECT_EQ(FileCount(), 1u);
}

TEST_F(RdbFilesTest, ReadsBackAndReportsAMissingFileWithoutError) {
  std::string error;
  EXPECT_EQ(files_.OpenForRead(path_, &error), nullptr);
  EXPECT_EQ(error, "");
  std::ofstream(path_) << "0123456789";
  auto source = files_.OpenForRead(path_, &error);
  ASSERT_NE(source, nullptr);
  char buf[16];
  EXPECT_EQ(source->Read(buf, 4), 4u);
  EXPECT_EQ(std::string(buf, 4), "0123");
  EXPECT_EQ(source->Read(buf, sizeof(buf)), 6u);
  EXPECT_EQ(source->Read(buf, sizeof(buf)), 0u);
}

TEST_F(RdbFilesTest, UnwritableTargetFailsAtCommit) {
  std::filesystem::create_directory(path_);  // a directory where the file should go
  std::string error;
  auto sink = files_.CreateAtomically(path_, &error);
  ASSERT_NE(sink, nullptr);
  ASSERT_TRUE(sink->Write("data", &error));
  EXPECT_FALSE(sink->Commit(&error));
  EXPECT_NE(error.find("Error moving temp DB file"), std::string::npos) << error;
  sink.reset();
  EXPECT_EQ(FileCount(), 1u);
}

}  // namespace
}  // namespace drayman
