// `hpsearch spec SWEEP`: the sweep's spec as the server stores it (with what
// `extend` changed), written back as YAML (search/spec_writer.h) so it can be read,
// diffed, or edited and submitted again. `-o json`: the spec as the API's JSON.
#include <google/protobuf/util/json_util.h>

#include <ostream>
#include <string>

#include "CLI/CLI.hpp"
#include "client/commands/call_and_print.h"
#include "client/commands/commands.h"
#include "hpsearch/v1/sweep_service.grpc.pb.h"
#include "proto/convert/spec_convert.h"
#include "search/spec_writer.h"

namespace hpsearch::client {
namespace {

namespace v1 = hpsearch::v1;

class SpecCommand final : public ServerCommand {
 public:
  CLI::App* Register(CLI::App& app) override {
    auto* cmd = AddCommand(app, "spec", "A sweep's spec as YAML, as stored (with extend's changes): resubmittable",
                           "hpsearch spec quickstart");
    cmd->add_option("sweep", sweep_, "Sweep id or name")->required();
    return cmd;
  }

 protected:
  int RunOn(Connection& c, Context& ctx) override {
    v1::Sweep sweep;
    if (const grpc::Status st = FetchSweep(c, sweep_, &sweep); !st.ok()) return ReportError(st, c.options(), ctx.err);
    if (c.options().format == OutputFormat::kJson) {
      std::string json;
      google::protobuf::util::JsonPrintOptions options;
      options.preserve_proto_field_names = true;
      options.add_whitespace = true;
      (void)google::protobuf::util::MessageToJsonString(sweep.spec(), &json, options);
      ctx.out << json;
      return kExitOk;
    }
    auto spec = convert::FromProto(sweep.spec());
    if (!spec.ok()) {
      ctx.err << "error: the spec of " << sweep.id() << " cannot be read: " << spec.status().message() << "\n";
      return kExitServerError;
    }
    ctx.out << "# sweep " << sweep.id() << " as stored by the server\n" << search::SpecToYaml(*spec);
    return kExitOk;
  }

 private:
  std::string sweep_;
};

}  // namespace

std::unique_ptr<Command> MakeSpecCommand() { return std::make_unique<SpecCommand>(); }

}  // namespace hpsearch::client
