// Usage mistakes a new user makes with the real `hpsearch` binary: a mistyped
// command, a server address given as a URL or without its port. Each is refused
// with exit 2 and a message that says what to type instead, before any connection.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "client/connection.h"
#include "tests/client/run_cli.h"

namespace hpsearch::client {
namespace {

using ::testing::HasSubstr;
using testing::RunCli;

TEST(CliUsage, AMistypedCommandGetsADidYouMean) {
  auto r = RunCli("sumbit spec.yaml");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.out, HasSubstr("error: unknown command 'sumbit' (did you mean 'submit'?)"));
  r = RunCli("--server 127.0.0.1:1 -o json stauts s-000001");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.out, HasSubstr("unknown command 'stauts' (did you mean 'status'?)"));
  r = RunCli("frobnicate");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.out, HasSubstr("unknown command 'frobnicate'; see hpsearch --help"));
}

// A mistyped option, a missing argument: one `error:` line naming it (a did-you-mean
// among the command's own options) and where its help is; exit 2.
TEST(CliUsage, AMistypedOptionGetsADidYouMeanOnOneErrorLine) {
  auto r = RunCli("--server 127.0.0.1:1 trials s-000001 --sortt lr");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.out, "error: unknown option '--sortt' for trials (did you mean '--sort'?); see hpsearch trials --help\n");
  r = RunCli("--server 127.0.0.1:1 trials s-000001 --statu=failed");
  EXPECT_THAT(r.out, HasSubstr("unknown option '--statu' for trials (did you mean '--status'?)"));
  r = RunCli("--server 127.0.0.1:1 trials");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.out, "error: sweep is required; see hpsearch trials --help\n");
  r = RunCli("");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.out, HasSubstr("error: A subcommand is required; see hpsearch --help"));
  r = RunCli("trials --help");
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("--sort"));
}

TEST(CliUsage, ServerAddressesThatCannotWorkAreRefusedWithTheFix) {
  auto r = RunCli("--server http://127.0.0.1:50051 list");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.out, HasSubstr("--server 'http://127.0.0.1:50051' is a URL; give host:port without 'http://' "
                               "(e.g. 127.0.0.1:50051)"));
  r = RunCli("--server 127.0.0.1 list");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.out, HasSubstr("--server '127.0.0.1' has no port; give host:port, e.g. 127.0.0.1:50051"));
}

// An output format a command cannot write is refused, never silently swapped for
// another; plan writes CSV of its preview.
TEST(CliUsage, OutputFormatsAreHonouredOrRefused) {
  auto r = RunCli("--server 127.0.0.1:1 -o table export s-000001");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.out, HasSubstr("export writes csv or json (-o table); for a table of every trial use: hpsearch "
                               "trials s-000001 --limit 0"));
  r = RunCli("-o csv plan " + std::string(HPSEARCH_SOURCE_DIR) + "/examples/optimizers-grid.yaml --limit 2");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_THAT(r.out, ::testing::StartsWith("trial,"));
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 3) << r.out;
  r = RunCli("--server 127.0.0.1:1 trials s-000001 --asc --desc");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.out, HasSubstr("excludes"));
}

// gRPC's resolver errors are c-ares internals; the user is told which host did not resolve.
TEST(CliErrors, AnUnresolvableHostIsNamedWithoutResolverInternals) {
  GlobalOptions o;
  o.server = "hpsearch.nowhere:50051";
  std::ostringstream err;
  const grpc::Status dns(grpc::StatusCode::UNAVAILABLE,
                         "DNS resolution failed for hpsearch.nowhere:50051: C-ares status is not ARES_SUCCESS "
                         "qtype=A name=hpsearch.nowhere is_balancer=0: Domain name not found");
  EXPECT_EQ(ReportError(dns, o, err), kExitUnreachable);
  EXPECT_EQ(err.str(),
            "error: cannot resolve host 'hpsearch.nowhere' (--server hpsearch.nowhere:50051): check the "
            "name, or give an IP address\n");
  // gRPC's own words for a server going away or not answering never reach the user.
  std::ostringstream gone, slow;
  EXPECT_EQ(ReportError(grpc::Status(grpc::StatusCode::UNAVAILABLE, "Cancelling all calls"), o, gone),
            kExitUnreachable);
  EXPECT_EQ(gone.str(),
            "error: hpsearch-server at hpsearch.nowhere:50051 closed the connection (it is shutting down or "
            "restarting); try again\n");
  EXPECT_EQ(ReportError(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded"), o, slow),
            kExitUnreachable);
  EXPECT_EQ(slow.str(), "error: hpsearch-server at hpsearch.nowhere:50051 did not answer within --timeout (10 s)\n");
}

TEST(ServerAddress, WhatIsAcceptedAndWhy) {
  EXPECT_EQ(ServerAddressProblem("127.0.0.1:50051"), "");
  EXPECT_EQ(ServerAddressProblem("hpsearch.internal:443"), "");
  EXPECT_EQ(ServerAddressProblem("[::1]:50051"), "");
  EXPECT_EQ(ServerAddressProblem("unix:/run/hpsearch.sock"), "");
  EXPECT_EQ(ServerAddressProblem("dns:///hpsearch:50051"), "");
  EXPECT_THAT(ServerAddressProblem("[::1]"), HasSubstr("has no port"));
  EXPECT_THAT(ServerAddressProblem("::1"), HasSubstr("IPv6 address in brackets"));
  EXPECT_THAT(ServerAddressProblem("::1:50051"), HasSubstr("IPv6 address in brackets"));
  EXPECT_THAT(ServerAddressProblem("host:http"), HasSubstr("the port must be a number"));
  EXPECT_THAT(ServerAddressProblem("host:70000"), HasSubstr("the port must be a number"));
  EXPECT_THAT(ServerAddressProblem("host:"), HasSubstr("the port must be a number"));
  EXPECT_THAT(ServerAddressProblem("grpc://host:1"), HasSubstr("is a URL"));
  EXPECT_THAT(ServerAddressProblem(""), HasSubstr("is empty"));
}

}  // namespace
}  // namespace hpsearch::client
