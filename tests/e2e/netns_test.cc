// Several hosts on one machine: the server and two remote workers each in a network
// namespace the test creates (ip netns + veth pairs). Cutting one worker's link
// requeues its trial after the lease; restoring the link lets the worker rejoin.
// Skips, saying why, where the machine forbids network namespaces.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "nlohmann/json.hpp"
#include "tests/testing/e2e_fixture.h"
#include "tests/testing/process.h"

namespace hpsearch::testing {
namespace {

using nlohmann::json;

// iproute2's `ip`, wherever this Debian keeps it.
const std::string& IpPath() {
  static const std::string path = [] {
    for (const char* p : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"}) {
      if (access(p, X_OK) == 0) return std::string(p);
    }
    return std::string("/usr/sbin/ip");
  }();
  return path;
}

class NetNamespaces : public E2ETest {
 protected:
  NetNamespaces() : E2ETest("netns") {
    const std::string tag = std::to_string(getpid() % 100000);
    server_ns_ = "hps" + tag + "s";
    a_ns_ = "hps" + tag + "a";
    b_ns_ = "hps" + tag + "b";
  }
  ~NetNamespaces() override {
    for (const auto& ns : {server_ns_, a_ns_, b_ns_}) RunProcess({IpPath(), "netns", "del", ns});
  }

  Result Ip(std::vector<std::string> args) {
    args.insert(args.begin(), IpPath());
    return RunProcess(args);
  }
  Result In(const std::string& ns, std::vector<std::string> args) {
    args.insert(args.begin(), {IpPath(), "netns", "exec", ns});
    return RunProcess(args);
  }
  // veth pair: `host` end in the worker namespace, the other in the server's.
  bool Link(const std::string& ns, const std::string& dev, const std::string& net) {
    const std::string peer = dev + "s";
    for (auto r : {Ip({"link", "add", dev, "type", "veth", "peer", "name", peer}),
                   Ip({"link", "set", dev, "netns", ns}), Ip({"link", "set", peer, "netns", server_ns_}),
                   In(server_ns_, {IpPath(), "addr", "add", net + ".1/24", "dev", peer}),
                   In(ns, {IpPath(), "addr", "add", net + ".2/24", "dev", dev}),
                   In(server_ns_, {IpPath(), "link", "set", peer, "up"}), In(ns, {IpPath(), "link", "set", dev, "up"}),
                   In(ns, {IpPath(), "link", "set", "lo", "up"})}) {
      if (r.code != 0) {
        failure_ = r.err;
        return false;
      }
    }
    return true;
  }
  json Cli(std::vector<std::string> args) {
    args.insert(args.begin(),
                {IpPath(), "netns", "exec", server_ns_, Bin("hpsearch"), "--server", "127.0.0.1:50051", "-o", "json"});
    const Result r = RunProcess(args);
    EXPECT_EQ(r.code, 0) << r.err;
    return json::parse(r.out, nullptr, false);
  }

  std::string server_ns_, a_ns_, b_ns_, failure_;
};

TEST_F(NetNamespaces, CuttingAWorkersLinkRequeuesItsTrialAndRestoringItRejoins) {
  if (geteuid() != 0) GTEST_SKIP() << "network namespaces need root; skipped (not passed)";
  for (const auto& ns : {server_ns_, a_ns_, b_ns_}) {
    const Result r = Ip({"netns", "add", ns});
    if (r.code != 0) GTEST_SKIP() << "this machine forbids network namespaces (ip netns add: " << r.err << ")";
  }
  if (!Link(a_ns_, "hpsva" + a_ns_.substr(3, 5), "10.231.1") ||
      !Link(b_ns_, "hpsvb" + b_ns_.substr(3, 5), "10.231.2")) {
    GTEST_SKIP() << "cannot create veth links here: " << failure_;
  }
  ASSERT_EQ(In(server_ns_, {IpPath(), "link", "set", "lo", "up"}).code, 0);
  Process server, a, b;
  ASSERT_TRUE(server.Start({IpPath(), "netns", "exec", server_ns_, Bin("hpsearch-server"), "--listen", "0.0.0.0:50051",
                            "--db", dir_ / "n.db", "--workers", "0", "--lease-seconds", "3"},
                           dir_ / "server.log"));
  for (int i = 0; i < 100 && server.log().find("serving (ready") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const std::string dev_a = "hpsva" + a_ns_.substr(3, 5);
  ASSERT_TRUE(a.Start({IpPath(), "netns", "exec", a_ns_, Bin("hpsearch-worker"), "--server", "10.231.1.1:50051",
                       "--slots", "1", "--id", "host-a", "--timeout", "2"},
                      dir_ / "a.log"));
  ASSERT_TRUE(b.Start({IpPath(), "netns", "exec", b_ns_, Bin("hpsearch-worker"), "--server", "10.231.2.1:50051",
                       "--slots", "1", "--id", "host-b", "--timeout", "2"},
                      dir_ / "b.log"));
  const std::string spec = dir_ / "spec.yaml";
  std::ofstream(spec) << R"(name: netns
dataset: {name: digits, validation: 0.2}
method: random
seed: 4
budget: {max_trials: 8}
fixed: {epochs: 30, hidden: [256, 256], batch_size: 8, optimizer: adam}
parameters:
  lr: {min: 1.0e-4, max: 1.0e-2, scale: log}
)";
  const std::string id = Cli({"submit", spec})["id"];
  // Wait for host-a to be running a trial, then cut its link. The victim is what
  // the server still counts as running on host-a after the cut (a trial that
  // finished just before it would never be requeued).
  auto running_on_a = [&] {
    int64_t found = -1;
    for (const auto& t : Cli({"trials", id, "--status", "running", "--limit", "0"})) {
      if (t["worker"] == "host-a/0") found = t["trial"];
    }
    return found;
  };
  for (int i = 0; i < 400 && running_on_a() < 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  ASSERT_EQ(In(a_ns_, {IpPath(), "link", "set", dev_a, "down"}).code, 0);
  const int64_t victim = running_on_a();
  ASSERT_GE(victim, 0) << "host-a was between two trials when its link was cut\n" << server.log();
  const auto cut = std::chrono::steady_clock::now();
  double requeued_after = -1;
  for (int i = 0; i < 600 && requeued_after < 0; ++i) {
    const json t = Cli({"trial", id, std::to_string(victim)});
    if (t["attempt"] == 2)
      requeued_after = std::chrono::duration<double>(std::chrono::steady_clock::now() - cut).count();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_GT(requeued_after, 0) << "the cut worker's trial was never requeued";
  EXPECT_GE(requeued_after, 2.5);  // not before the 3 s lease ran out
  EXPECT_LE(requeued_after, 3 + 5);
  std::printf("link cut: trial requeued after %.2f s (lease 3 s)\n", requeued_after);
  // Restore the link: host-a rejoins and runs trials again.
  ASSERT_EQ(In(a_ns_, {IpPath(), "link", "set", dev_a, "up"}).code, 0);
  bool rejoined = false;
  for (int i = 0; i < 1200 && !rejoined; ++i) {
    for (const auto& t : Cli({"trials", id, "--limit", "0"})) {
      if (t["worker"] == "host-a/0" && t["attempt"] == 1 && t["trial"] != victim &&
          t["started_ms"].get<int64_t>() > 0 && t["trial"].get<int64_t>() > victim + 1) {
        rejoined = true;
      }
    }
    const json s = Cli({"status", id});
    if (s["status"] != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (int i = 0; i < 1200; ++i) {
    if (Cli({"status", id})["status"] != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const json status = Cli({"status", id});
  EXPECT_EQ(status["status"], "completed");
  EXPECT_EQ(status["counts"]["completed"], 8);
  EXPECT_TRUE(rejoined) << "host-a did not take a trial after its link came back\n" << a.log();
  const json victim_trial = Cli({"trial", id, std::to_string(victim)});
  EXPECT_EQ(victim_trial["status"], "completed");
  EXPECT_EQ(victim_trial["attempts"][0]["outcome"], "lease expired (worker host-a/0)");
  a.Kill(SIGTERM);
  b.Kill(SIGTERM);
  server.Kill(SIGTERM);
  EXPECT_EQ(a.Wait(std::chrono::seconds(15)), 0) << a.log();
  EXPECT_EQ(b.Wait(std::chrono::seconds(15)), 0);
  EXPECT_EQ(server.Wait(std::chrono::seconds(15)), 0);
}

}  // namespace
}  // namespace hpsearch::testing
