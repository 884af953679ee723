// The one fixture of the end-to-end tests: a scratch directory, spec files in it,
// the CLI's JSON output, waiting for a sweep to end, remote workers, and the
// database check. Each suite derives from it and names its directory.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "nlohmann/json.hpp"
#include "tests/testing/process.h"

namespace hpsearch::testing {

class E2ETest : public ::testing::Test {
 protected:
  using json = nlohmann::json;

  explicit E2ETest(const std::string& name) : dir_(name) {}

  // Writes `text` to `name` in the scratch directory; its path.
  std::string WriteSpec(const std::string& name, const std::string& text) {
    const std::string path = dir_ / name;
    std::ofstream(path) << text;
    return path;
  }

  // A CLI run that must succeed with JSON on stdout.
  static json Json(const Result& r) {
    EXPECT_EQ(r.code, 0) << r.out << r.err;
    auto j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out;
    return j;
  }

  // Polls `status` until the sweep has ended (or `limit`); its last status JSON.
  static json WaitForEnd(ServerProcess& server, const std::string& id, std::chrono::seconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    json s;
    while (std::chrono::steady_clock::now() < until) {
      s = Json(server.Cli({"status", id, "-o", "json"}));
      if (s["status"] != "running" && s["status"] != "stopping") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return s;
  }

  // A self-signed certificate for 127.0.0.1 and localhost, as key.pem and cert.pem in
  // the scratch directory (openssl); the openssl run, whose code is 0 on success.
  Result SelfSignedCertificate(std::string* key, std::string* cert) {
    *key = dir_ / "key.pem";
    *cert = dir_ / "cert.pem";
    return RunProcess({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", *key, "-out",
                       *cert, "-days", "1", "-subj", "/CN=localhost", "-addext",
                       "subjectAltName=IP:127.0.0.1,DNS:localhost"});
  }

  // A remote hpsearch-worker named `name`, logging into the scratch directory.
  bool StartWorker(Process& w, const std::string& address, const std::string& name, int slots = 1) {
    return w.Start({Bin("hpsearch-worker"), "--server", address, "--slots", std::to_string(slots), "--id", name},
                   dir_ / (name + ".log"));
  }

  // `hpsearch-server --check-db` finds the database sound.
  static void ExpectSound(const std::string& db) {
    const Result check = RunProcess({Bin("hpsearch-server"), "--check-db", "--db", db});
    EXPECT_EQ(check.code, 0) << check.out << check.err;
  }

  TempDir dir_;
};

}  // namespace hpsearch::testing
