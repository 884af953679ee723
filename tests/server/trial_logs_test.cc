// store::TrialLogs: appends at the offsets the runner ships, a resent chunk adds
// nothing twice, a gap restarts the file, the kept part is the last max_bytes, and
// reads are slices of all the stream wrote.
#include "server/store/trial_logs.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace hpsearch::store {
namespace {

namespace fs = std::filesystem;
using Stream = OutputChunk::Stream;

class TrialLogsTest : public ::testing::Test {
 protected:
  TrialLogsTest() : dir_(fs::path(::testing::TempDir()) / ("logs-" + std::to_string(::getpid()))) {
    fs::remove_all(dir_);
  }
  ~TrialLogsTest() override { fs::remove_all(dir_); }

  static OutputChunk Out(uint64_t offset, std::string bytes, Stream s = Stream::kStdout) {
    return OutputChunk{s, offset, std::move(bytes)};
  }
  std::string All(const TrialLogs& logs, Stream s = Stream::kStdout) const {
    return logs.Read("s-000001", 3, 1, s, 0, 1 << 20).bytes;
  }

  const fs::path dir_;
  const LeaseKey key_{"s-000001", 3, 1};
};

TEST_F(TrialLogsTest, AppendsAtOffsetsAndKeepsTheStreamsApart) {
  TrialLogs logs(dir_.string(), 1024);
  logs.Append(key_, {Out(0, "hello "), Out(0, "oops\n", Stream::kStderr)});
  logs.Append(key_, {Out(6, "world\n")});
  EXPECT_EQ(All(logs), "hello world\n");
  EXPECT_EQ(All(logs, Stream::kStderr), "oops\n");
  EXPECT_TRUE(fs::exists(dir_ / "s-000001" / "3" / "1" / "stdout.log"));
  const auto slice = logs.Read("s-000001", 3, 1, Stream::kStdout, 6, 3);
  EXPECT_EQ(slice.bytes, "wor");
  EXPECT_EQ(slice.offset, 6u);
  EXPECT_EQ(slice.end, 12u);
  // Past the end: nothing, at the end.
  const auto past = logs.Read("s-000001", 3, 1, Stream::kStdout, 99, 10);
  EXPECT_EQ(past.bytes, "");
  EXPECT_EQ(past.offset, 12u);
}

TEST_F(TrialLogsTest, AResentChunkAddsOnlyWhatIsNew) {
  TrialLogs logs(dir_.string(), 1024);
  logs.Append(key_, {Out(0, "abc")});
  logs.Append(key_, {Out(0, "abc")});    // the same report again
  logs.Append(key_, {Out(1, "bcdef")});  // overlapping
  EXPECT_EQ(All(logs), "abcdef");
}

TEST_F(TrialLogsTest, AGapRestartsTheFileWhereTheChunkStarts) {
  TrialLogs logs(dir_.string(), 1024);
  logs.Append(key_, {Out(0, "abc")});
  logs.Append(key_, {Out(100, "xyz")});  // the runner skipped 97 bytes it could not ship
  const auto s = logs.Read("s-000001", 3, 1, Stream::kStdout, 0, 1024);
  EXPECT_EQ(s.bytes, "xyz");
  EXPECT_EQ(s.offset, 100u);
  EXPECT_EQ(s.end, 103u);
}

TEST_F(TrialLogsTest, KeepsTheLastMaxBytes) {
  TrialLogs logs(dir_.string(), 100);
  std::string all;
  for (int i = 0; i < 50; ++i) {
    std::string line = "line " + std::to_string(i) + "\n";
    logs.Append(key_, {Out(all.size(), line)});
    all += line;
    const auto s = logs.Read("s-000001", 3, 1, Stream::kStdout, 0, 1 << 20);
    ASSERT_EQ(s.end, all.size());
    ASSERT_EQ(s.bytes, all.substr(all.size() - s.bytes.size()));
    ASSERT_LE(s.bytes.size(), 100u);
    ASSERT_EQ(s.offset + s.bytes.size(), all.size());
  }
  EXPECT_LE(fs::file_size(dir_ / "s-000001" / "3" / "1" / "stdout.log"), 200u);
  EXPECT_EQ(All(logs).size(), 100u);
}

TEST_F(TrialLogsTest, NothingWrittenIsAnEmptySlice) {
  TrialLogs logs(dir_.string(), 100);
  const auto s = logs.Read("s-000009", 0, 1, Stream::kStderr, 0, 100);
  EXPECT_EQ(s.bytes, "");
  EXPECT_EQ(s.end, 0u);
}

}  // namespace
}  // namespace hpsearch::store
