// What can be checked of the deployment files without a Docker engine: the image is
// built by the scripts CI runs, its runtime packages cover every shared library the
// binaries load, the compose and Kubernetes files parse and only pass flags and
// variables the binaries know, and the server's log lines are what `docker logs`
// readers expect.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include "common/util/value_json.h"
#include "common/yaml/yaml_value.h"
#include "nlohmann/json.hpp"
#include "tests/testing/process.h"

namespace hpsearch::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream s(text);
  for (std::string line; std::getline(s, line);) out.push_back(line);
  return out;
}

std::set<std::string> Words(const std::string& text) {
  std::set<std::string> out;
  std::stringstream s(text);
  for (std::string w; s >> w;) out.insert(w);
  return out;
}

TEST(Dockerfile, BuildsWithTheScriptsCiRuns) {
  const std::string ci = ReadFile(Source(".ci/run"));
  const std::string test_sh = ReadFile(Source("scripts/test.sh"));
  ASSERT_THAT(ci, HasSubstr("./scripts/test.sh"));
  ASSERT_THAT(test_sh, HasSubstr("scripts/setup.sh"));
  ASSERT_THAT(test_sh, HasSubstr("scripts/build.sh"));

  const std::string df = ReadFile(Source("docker/Dockerfile"));
  const auto build_at = df.find("FROM debian:bookworm AS build");
  const auto runtime_at = df.find("FROM debian:bookworm-slim AS runtime");
  ASSERT_NE(build_at, std::string::npos);
  ASSERT_NE(runtime_at, std::string::npos);
  ASSERT_LT(build_at, runtime_at);
  const std::string build = df.substr(build_at, runtime_at - build_at);
  const std::string runtime = df.substr(runtime_at);
  // The build stage: the same two scripts as CI, for x86-64-v3, never -march=native.
  EXPECT_THAT(build, HasSubstr("RUN ./scripts/setup.sh --build"));
  EXPECT_THAT(build, HasSubstr("HPSEARCH_ARCH=x86-64-v3 HPSEARCH_PROGRESS=1 ./scripts/build.sh"));
  // ... building only the binaries it ships.
  EXPECT_THAT(build, HasSubstr("./scripts/build.sh \\\n      hpsearch hpsearch-server hpsearch-worker"));
  EXPECT_EQ(df.find("native"), std::string::npos);
  // The runtime stage: runtime packages only, non-root, /data owned before VOLUME.
  EXPECT_THAT(runtime, HasSubstr("/tmp/setup.sh --runtime"));
  EXPECT_EQ(runtime.find("--from=build /src/build/lib"), std::string::npos);
  const auto chown = runtime.find("chown -R hpsearch:hpsearch /data");
  const auto volume = runtime.find("VOLUME /data");
  ASSERT_NE(chown, std::string::npos);
  ASSERT_NE(volume, std::string::npos);
  EXPECT_LT(chown, volume);
  EXPECT_THAT(runtime, HasSubstr("USER 10001:10001"));
  EXPECT_THAT(runtime, HasSubstr("EXPOSE 50051"));
  EXPECT_THAT(runtime, HasSubstr("ENTRYPOINT [\"/usr/bin/tini\", \"--\"]"));
  EXPECT_THAT(runtime,
              HasSubstr("CMD [\"hpsearch\", \"--server\", \"127.0.0.1:50051\", \"--timeout\", \"2\", \"health\"]"));
  const std::set<std::string> packages = Words(RunProcess({Source("scripts/setup.sh"), "--print-runtime"}).out);
  EXPECT_TRUE(packages.count("tini"));
  EXPECT_TRUE(packages.count("dataset-fashion-mnist"));
}

// Installed packages: name → (dependencies, provides, required/essential).
struct Installed {
  std::map<std::string, std::vector<std::string>> depends;
  std::map<std::string, std::string> provided_by;
  std::set<std::string> base;  // Priority: required or Essential: yes — in every Debian image
};

Installed ReadDpkg() {
  Installed db;
  const Result r = RunProcess({"/usr/bin/dpkg-query", "-W", "-f",
                               "${Package}\t${Priority}\t${Essential}\t${Depends}, ${Pre-Depends}\t${Provides}\t"
                               "${db:Status-Abbrev}\n"});
  for (const auto& line : Lines(r.out)) {
    std::vector<std::string> f;
    std::stringstream s(line);
    for (std::string part; std::getline(s, part, '\t');) f.push_back(part);
    if (f.size() < 6 || f[5].rfind("ii", 0) != 0) continue;
    const std::string& pkg = f[0];
    if (f[1] == "required" || f[2] == "yes") db.base.insert(pkg);
    auto names = [](const std::string& list) {
      std::vector<std::string> out;
      std::stringstream s(list);
      for (std::string dep; std::getline(s, dep, ',');) {
        std::stringstream alts(dep);
        for (std::string alt; std::getline(alts, alt, '|');) {
          std::stringstream w(alt);
          std::string name;
          w >> name;
          name = name.substr(0, name.find(':'));
          if (!name.empty()) out.push_back(name);
        }
      }
      return out;
    };
    db.depends[pkg] = names(f[3]);
    for (const auto& p : names(f[4])) db.provided_by[p] = pkg;
  }
  return db;
}

std::set<std::string> Closure(const Installed& db, std::set<std::string> roots) {
  std::vector<std::string> todo(roots.begin(), roots.end());
  while (!todo.empty()) {
    std::string p = todo.back();
    todo.pop_back();
    auto it = db.depends.find(p);
    if (it == db.depends.end()) continue;
    for (std::string d : it->second) {
      if (!db.depends.count(d) && db.provided_by.count(d)) d = db.provided_by.at(d);
      if (roots.insert(d).second) todo.push_back(d);
    }
  }
  return roots;
}

// Owning package of each library path, with one dpkg -S call for all of them. The
// path may be known to dpkg with or without /usr (Debian 12 is mid usr-merge).
std::map<std::string, std::string> OwningPackages(const std::set<std::string>& libs) {
  std::map<std::string, std::string> alias;  // candidate path → library path
  for (const auto& lib : libs) {
    for (std::string c : {lib, std::filesystem::weakly_canonical(lib).string()}) {
      alias[c] = lib;
      alias[c.rfind("/usr/", 0) == 0 ? c.substr(4) : "/usr" + c] = lib;
    }
  }
  std::vector<std::string> args = {"/usr/bin/dpkg", "-S"};
  for (const auto& [c, lib] : alias) args.push_back(c);
  std::map<std::string, std::string> owner;
  for (const auto& line : Lines(RunProcess(args).out)) {
    const auto colon = line.find(": ");
    if (colon == std::string::npos) continue;
    const std::string path = line.substr(colon + 2);
    auto it = alias.find(path);
    if (it != alias.end()) owner[it->second] = line.substr(0, line.find(':'));
  }
  return owner;
}

TEST(Dockerfile, RuntimePackagesCoverEveryLibraryTheBinariesLoad) {
  const Installed db = ReadDpkg();
  ASSERT_FALSE(db.depends.empty()) << "dpkg-query returned nothing";
  std::set<std::string> roots = Words(RunProcess({Source("scripts/setup.sh"), "--print-runtime"}).out);
  roots.insert(db.base.begin(), db.base.end());
  const std::set<std::string> available = Closure(db, roots);
  std::map<std::string, std::set<std::string>> users;  // library → binaries
  for (const char* bin : {"hpsearch", "hpsearch-server", "hpsearch-worker"}) {
    const Result ldd = RunProcess({"/usr/bin/ldd", Bin(bin)});
    ASSERT_EQ(ldd.code, 0) << ldd.err;
    for (const auto& line : Lines(ldd.out)) {
      EXPECT_EQ(line.find("not found"), std::string::npos) << bin << ": " << line;
      const auto arrow = line.find("=> /");
      if (arrow == std::string::npos) continue;
      users[line.substr(arrow + 3, line.find(' ', arrow + 3) - arrow - 3)].insert(bin);
    }
  }
  std::set<std::string> libs;
  for (const auto& [lib, bins] : users) libs.insert(lib);
  const auto owner = OwningPackages(libs);
  std::set<std::string> checked;
  for (const auto& [lib, bins] : users) {
    auto it = owner.find(lib);
    ASSERT_NE(it, owner.end()) << lib << " (loaded by " << *bins.begin() << ") belongs to no Debian package";
    EXPECT_TRUE(available.count(it->second)) << *bins.begin() << " loads " << lib << " from " << it->second
                                             << ", which the runtime stage (setup.sh --runtime) does not install";
    checked.insert(it->second);
  }
  EXPECT_TRUE(checked.count("libgrpc++1.51"));
  EXPECT_TRUE(checked.count("libtbb12"));
  RecordProperty("runtime_library_packages", ::testing::PrintToString(checked));
}

// Flags and variables a binary documents in --help.
std::string Help(const std::string& bin) { return RunProcess({Bin(bin), "--help"}).out; }

void ExpectKnown(const std::string& where, const std::vector<std::string>& command,
                 const std::vector<std::string>& env) {
  static const std::map<std::string, std::string> help = {{"hpsearch-server", Help("hpsearch-server")},
                                                          {"hpsearch-worker", Help("hpsearch-worker")},
                                                          {"hpsearch", Help("hpsearch")}};
  if (!command.empty()) {
    ASSERT_TRUE(help.count(command[0])) << where << ": unknown program " << command[0];
    for (const auto& arg : command) {
      if (arg.rfind("--", 0) == 0) {
        EXPECT_THAT(help.at(command[0]), HasSubstr(arg)) << where << ": " << command[0] << " has no flag " << arg;
      }
    }
  }
  for (const auto& var : env) {
    bool found = false;
    for (const auto& [bin, text] : help) found = found || text.find("Env:" + var) != std::string::npos;
    EXPECT_TRUE(found) << where << ": no binary reads " << var;
  }
}

std::vector<std::string> Strings(const json& list) {
  std::vector<std::string> out;
  for (const auto& x : list) out.push_back(x.get<std::string>());
  return out;
}

// A whole YAML document as JSON (manifests hold mappings, which Value does not).
json ToJson(const YAML::Node& node) {
  if (node.IsMap()) {
    json out = json::object();
    for (const auto& kv : node) out[kv.first.as<std::string>()] = ToJson(kv.second);
    return out;
  }
  if (node.IsSequence()) {
    json out = json::array();
    for (const auto& x : node) out.push_back(ToJson(x));
    return out;
  }
  if (!node.IsScalar()) return nullptr;
  const auto v = TypedScalar(node.Scalar(), node.Tag() == "!");
  return v ? hpsearch::ToJson(*v) : json(nullptr);
}

json Yaml(const std::string& rel) {
  auto node = LoadYamlFile(Source(rel));
  EXPECT_TRUE(node.ok()) << node.status();
  return node.ok() ? ToJson(*node) : json();
}

TEST(Compose, ParsesAndPassesOnlyKnownFlagsAndVariables) {
  const json c = Yaml("docker/compose.yaml");
  ASSERT_TRUE(c["services"].contains("server"));
  ASSERT_TRUE(c["services"].contains("worker"));
  const json& server = c["services"]["server"];
  EXPECT_EQ(server["build"]["dockerfile"], "docker/Dockerfile");
  EXPECT_THAT(server["volumes"][0].get<std::string>(), HasSubstr(":/data"));
  EXPECT_THAT(Strings(server["healthcheck"]["test"]), ::testing::Contains("health"));
  EXPECT_THAT(server["environment"]["HPSEARCH_TOKEN"].get<std::string>(), HasSubstr("HPSEARCH_TOKEN"));
  const json& worker = c["services"]["worker"];
  EXPECT_EQ(worker["depends_on"]["server"]["condition"], "service_healthy");
  EXPECT_FALSE(worker.contains("ports"));  // scales: no fixed host port
  EXPECT_FALSE(worker.contains("container_name"));
  for (const auto& [name, svc] : c["services"].items()) {
    std::vector<std::string> env;
    for (const auto& [k, v] : svc["environment"].items()) env.push_back(k);
    ExpectKnown("compose " + name, Strings(svc["command"]), env);
    if (svc.contains("healthcheck") && svc["healthcheck"].contains("test")) {
      auto test = Strings(svc["healthcheck"]["test"]);
      test.erase(test.begin());  // "CMD"
      ExpectKnown("compose " + name + " healthcheck", test, {});
    }
  }
}

TEST(Kubernetes, ManifestsParseAndPassOnlyKnownFlagsAndVariables) {
  std::map<std::string, json> by_kind;
  for (const auto& f : Strings(Yaml("docker/k8s/kustomization.yaml")["resources"])) {
    const json m = Yaml("docker/k8s/" + f);
    ASSERT_TRUE(m.contains("kind")) << f;
    by_kind[m["kind"]] = m;
  }
  ASSERT_EQ(by_kind.size(), 4u);
  const json& sts = by_kind["StatefulSet"];
  EXPECT_EQ(sts["spec"]["replicas"], 1);  // SQLite: one writer
  EXPECT_EQ(sts["spec"]["volumeClaimTemplates"][0]["spec"]["accessModes"][0], "ReadWriteOnce");
  const json& sc = sts["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(sc["readinessProbe"]["grpc"]["port"], 50051);
  EXPECT_EQ(sc["livenessProbe"]["grpc"]["port"], 50051);
  EXPECT_EQ(sc["volumeMounts"][0]["mountPath"], "/data");
  EXPECT_EQ(by_kind["Service"]["spec"]["ports"][0]["port"], 50051);
  EXPECT_EQ(by_kind["Secret"]["metadata"]["name"], "hpsearch-token");
  const json& wc = by_kind["Deployment"]["spec"]["template"]["spec"]["containers"][0];
  EXPECT_TRUE(wc["resources"]["limits"].contains("cpu"));
  for (const auto* c : {&sc, &wc}) {
    std::vector<std::string> env;
    for (const auto& e : (*c)["env"]) {
      env.push_back(e["name"]);
      if (e.contains("valueFrom") && e["valueFrom"].contains("secretKeyRef")) {
        EXPECT_EQ(e["valueFrom"]["secretKeyRef"]["name"], "hpsearch-token");
      }
    }
    ExpectKnown("k8s " + (*c)["name"].get<std::string>(), Strings((*c)["args"]), env);
  }
}

TEST(Dockerfile, EnvironmentAndHealthcheckUseRealFlags) {
  const std::string df = ReadFile(Source("docker/Dockerfile"));
  std::vector<std::string> env;
  const std::regex var("(HPSEARCH_[A-Z_]+)=");
  for (auto it = std::sregex_iterator(df.begin(), df.end(), var); it != std::sregex_iterator(); ++it) {
    // build.sh's own settings are read by the script, not a binary; they must be real too.
    if ((*it)[1] == "HPSEARCH_ARCH" || (*it)[1] == "HPSEARCH_PROGRESS") {
      EXPECT_THAT(ReadFile(Source("scripts/build.sh")), HasSubstr((*it)[1].str())) << (*it)[1];
      continue;
    }
    env.push_back((*it)[1]);
  }
  EXPECT_FALSE(env.empty());
  ExpectKnown("Dockerfile", {"hpsearch", "--server", "--timeout"}, env);
}

TEST(ServerLogs, OneLinePerEventWithTimeAndLevel) {
  TempDir dir("logs");
  ServerProcess server(dir / "l.db", {"--workers", "1"});
  ASSERT_TRUE(server.Start()) << server.log();
  server.Kill(SIGTERM);
  ASSERT_EQ(server.Wait(std::chrono::seconds(10)), 0);
  const auto lines = Lines(server.log());
  ASSERT_GE(lines.size(), 3u);
  const std::regex format(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO |WARN |ERROR) \S.*$)");
  for (const auto& l : lines) EXPECT_TRUE(std::regex_match(l, format)) << l;
  const std::string& start = lines[0];
  EXPECT_THAT(start, HasSubstr("listening on 127.0.0.1:"));
  EXPECT_THAT(start, HasSubstr("database " + (dir / "l.db")));
  EXPECT_THAT(start, HasSubstr("1 embedded worker slots"));
  EXPECT_THAT(start, HasSubstr("auth off"));
  EXPECT_THAT(start, HasSubstr("TLS off"));
}

}  // namespace
}  // namespace hpsearch::testing
