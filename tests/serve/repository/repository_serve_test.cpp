// `splitpoint serve --repository DIR` serves what `splitpoint export` wrote,
// driven by curl (an independent client); its answers must be what the tail
// gives when run here on the same cut tensor (the zoo model built in the test
// with the CLI's seed). And the protocol points where the server now does what
// Triton does (issue 25's list), each checked by curl against the server
// hosting the repository and the zoo model together.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/backend.h"
#include "engine/random_inputs.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/segment.h"
#include "serve/local_server.h"
#include "serve/serve_process.h"
#include "zoo/zoo.h"

namespace splitpoint {
namespace {

namespace fs = std::filesystem;

struct Curl {
  int status = 0;
  std::string body, headers;
};

fs::path scratch() {
  const fs::path dir = fs::temp_directory_path() / ("splitpoint_repository_serve_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

Curl curl(const std::string& args, const std::string& url) {
  const fs::path body = scratch() / "curl.body", headers = scratch() / "curl.headers";
  const std::string cmd = "curl -s -o " + body.string() + " -D " + headers.string() + " -w '%{http_code}' " + args +
                          " '" + url + "'";
  Curl r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[64] = {0};
  const size_t n = fread(buf, 1, sizeof(buf) - 1, p);
  pclose(p);
  r.status = std::atoi(std::string(buf, n).c_str());
  std::ifstream b(body, std::ios::binary), h(headers);
  r.body.assign(std::istreambuf_iterator<char>(b), {});
  r.headers.assign(std::istreambuf_iterator<char>(h), {});
  return r;
}

std::string write_file(const std::string& name, const std::string& bytes) {
  const fs::path path = scratch() / name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path.string();
}

std::string bytes_of(const Tensor& t) { return std::string(reinterpret_cast<const char*>(t.data()), t.bytes()); }

// Exported once: vgg16-seed on 32x32, the tail after cut 14 (2x2x512 in, 2 out).
class RepositoryServe : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    repository_ = new fs::path(scratch() / "repository");
    fs::remove_all(*repository_);
    const std::string cmd = std::string(SPLITPOINT_CLI) + " export vgg16-seed --image-size 32 --cuts 14 --repository " +
                            repository_->string() + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    server_ = new testing::ServeProcess(
        {"vgg16-seed", "--image-size", "32", "--repository", repository_->string(), "--threads", "1"});
    ZooOptions options;
    options.image_size = 32;
    const Graph g = build_zoo_model("vgg16-seed", options);
    const std::vector<Cut> cuts = enumerate_cuts(g, group_layers(g));
    auto backend = make_backend(default_backend_name());
    const Tensor image = random_tensor(g.tensor(g.inputs()[0]).shape, DType::f32, 3);
    cut_tensor_ = new Tensor(backend->compile(extract_segment(g, cuts[0], cuts[14]), {1})->run(std::vector<Tensor>{image})[0]);
    tail_ = backend->compile(extract_segment(g, cuts[14], cuts.back()), {1}).release();
    expected_ = new Tensor(tail_->run(std::vector<Tensor>{*cut_tensor_})[0]);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete tail_;
    delete cut_tensor_;
    delete expected_;
    fs::remove_all(scratch());
    delete repository_;
  }
  static std::string url(const std::string& path) { return server_->url() + path; }
  static std::string input_name() { return tail_->inputs()[0].name; }
  // A binary request for the cut tensor: the JSON part, then its 8192 bytes.
  static std::pair<std::string, size_t> binary_request(const std::string& extra) {
    const std::string json = R"({"inputs":[{"name":")" + input_name() +
                             R"(","shape":[1,2,2,512],"datatype":"FP32","parameters":{"binary_data_size":8192}}])" +
                             extra + "}";
    return {json + bytes_of(*cut_tensor_), json.size()};
  }
  static Curl post_binary(const std::string& path, const std::string& extra) {
    const auto [body, json_length] = binary_request(extra);
    return curl("-H 'Content-Type: application/octet-stream' -H 'Inference-Header-Content-Length: " +
                    std::to_string(json_length) + "' --data-binary @" + write_file("request.bin", body),
                url(path));
  }

  static fs::path* repository_;
  static testing::ServeProcess* server_;
  static Executable* tail_;
  static Tensor* cut_tensor_;
  static Tensor* expected_;
};
fs::path* RepositoryServe::repository_ = nullptr;
testing::ServeProcess* RepositoryServe::server_ = nullptr;
Executable* RepositoryServe::tail_ = nullptr;
Tensor* RepositoryServe::cut_tensor_ = nullptr;
Tensor* RepositoryServe::expected_ = nullptr;

size_t json_length_of(const Curl& r) {
  const auto at = r.headers.find("Inference-Header-Content-Length: ");
  return at == std::string::npos ? r.body.size() : std::stoul(r.headers.substr(at + 33));
}

TEST_F(RepositoryServe, TheExportedTailIsServedAndAnswersAsTheTailHere) {
  ASSERT_FALSE(server_->port.empty()) << server_->log_text();
  const Curl meta = curl("", url("/v2/models/vgg16-seed_tail14"));
  ASSERT_EQ(meta.status, 200) << meta.body;
  const auto m = nlohmann::json::parse(meta.body);
  EXPECT_EQ(m["versions"], nlohmann::json::array({"1"}));
  EXPECT_EQ(m["inputs"][0]["name"], input_name());
  EXPECT_EQ(m["outputs"].size(), 1u);
  // JSON data, as a person would send it with curl.
  nlohmann::json data = nlohmann::json::array();
  for (float v : cut_tensor_->as<float>()) data.push_back(v);
  const nlohmann::json request = {
      {"inputs", {{{"name", input_name()}, {"shape", {1, 2, 2, 512}}, {"datatype", "FP32"}, {"data", data}}}}};
  const Curl r = curl("-H 'Content-Type: application/json' --data-binary @" + write_file("r.json", request.dump()),
                      url("/v2/models/vgg16-seed_tail14/infer"));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto answer = nlohmann::json::parse(r.body);
  EXPECT_EQ(answer["model_version"], "1");
  const auto& values = answer["outputs"][0]["data"];
  ASSERT_EQ(values.size(), 2u);
  for (size_t i = 0; i < 2; ++i)
    EXPECT_NEAR(values[i].get<double>(), expected_->as<float>()[i], 1e-6 + 1e-5 * std::fabs(expected_->as<float>()[i]));
  // The zoo model's own tail after cut 14 answers the same (one repository, one server).
  const Curl zoo = post_binary("/v2/models/vgg16-seed.tail14/infer", R"(,"parameters":{"binary_data_output":true})");
  ASSERT_EQ(zoo.status, 200) << zoo.body;
  const size_t n = json_length_of(zoo);
  ASSERT_EQ(zoo.body.size(), n + 8);
  EXPECT_EQ(std::memcmp(zoo.body.data() + n, expected_->data(), 8), 0);
}

TEST_F(RepositoryServe, AnOutputsBinaryDataFalseOverridesTheRequestsBinaryDataOutput) {
  const Curl r = post_binary("/v2/models/vgg16-seed_tail14/infer",
                             R"(,"parameters":{"binary_data_output":true},"outputs":[{"name":")" +
                                 tail_->outputs()[0].name + R"(","parameters":{"binary_data":false}}])");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers.find("Inference-Header-Content-Length"), std::string::npos) << r.headers;
  const auto answer = nlohmann::json::parse(r.body);
  EXPECT_EQ(answer["outputs"][0]["data"].size(), 2u);
  EXPECT_FALSE(answer["outputs"][0].contains("parameters") &&
               answer["outputs"][0]["parameters"].contains("binary_data_size"));
}

TEST_F(RepositoryServe, AnUnknownOutputParameterIsIgnored) {
  const Curl r = post_binary("/v2/models/vgg16-seed_tail14/infer", R"(,"outputs":[{"name":")" +
                                                                       tail_->outputs()[0].name +
                                                                       R"(","parameters":{"classification":0}}])");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["outputs"][0]["data"].size(), 2u);
}

TEST_F(RepositoryServe, AnEmptyRequestIdIsEchoed) {
  const Curl r = post_binary("/v2/models/vgg16-seed_tail14/infer", R"(,"id":"")");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto answer = nlohmann::json::parse(r.body.substr(0, json_length_of(r)));
  ASSERT_TRUE(answer.contains("id")) << r.body.substr(0, json_length_of(r));
  EXPECT_EQ(answer["id"], "");
  const Curl named = post_binary("/v2/models/vgg16-seed_tail14/infer", R"(,"id":"x-1")");
  EXPECT_EQ(nlohmann::json::parse(named.body.substr(0, json_length_of(named)))["id"], "x-1");
}

TEST_F(RepositoryServe, ARawBinaryRequestIsTheOneInputsData) {
  // Inference-Header-Content-Length: 0: the body is the 8192 bytes of the one input, nothing else.
  const Curl r = curl("-H 'Content-Type: application/octet-stream' -H 'Inference-Header-Content-Length: 0' "
                      "--data-binary @" + write_file("raw.bin", bytes_of(*cut_tensor_)),
                      url("/v2/models/vgg16-seed_tail14/infer"));
  ASSERT_EQ(r.status, 200) << r.body;
  const size_t n = json_length_of(r);
  ASSERT_EQ(r.body.size(), n + 8);  // the output, binary: 2 floats
  const Tensor& want = *expected_;
  float got[2];
  std::memcpy(got, r.body.data() + n, 8);
  for (size_t i = 0; i < 2; ++i) EXPECT_NEAR(got[i], want.as<float>()[i], 1e-6 + 1e-5 * std::fabs(want.as<float>()[i]));
  // A raw body of the wrong size is a 400 naming the size.
  const Curl short_body = curl("-H 'Inference-Header-Content-Length: 0' --data-binary @" +
                                   write_file("short.bin", std::string(100, '\0')),
                               url("/v2/models/vgg16-seed_tail14/infer"));
  EXPECT_EQ(short_body.status, 400) << short_body.body;
}

TEST_F(RepositoryServe, AnUnlistedVersionIs404AndAListedOneServed) {
  for (const std::string model : {"vgg16-seed_tail14", "vgg16-seed.tail14"}) {
    SCOPED_TRACE(model);
    EXPECT_EQ(curl("", url("/v2/models/" + model + "/versions/999")).status, 404);
    EXPECT_EQ(curl("", url("/v2/models/" + model + "/versions/999/ready")).status, 404);
    EXPECT_EQ(post_binary("/v2/models/" + model + "/versions/999/infer", "").status, 404);
    EXPECT_EQ(curl("", url("/v2/models/" + model + "/versions/1")).status, 200);
    const Curl r = post_binary("/v2/models/" + model + "/versions/1/infer", "");
    EXPECT_EQ(r.status, 200) << r.body;
  }
  const Curl r = curl("", url("/v2/models/vgg16-seed_tail14/versions/999"));
  EXPECT_NE(r.body.find("999"), std::string::npos) << r.body;
}

TEST_F(RepositoryServe, ServerMetadataAtV2SlashListsTheRepositoryExtension) {
  for (const char* path : {"/v2", "/v2/"}) {
    const Curl r = curl("", url(path));
    ASSERT_EQ(r.status, 200) << path;
    const auto extensions = nlohmann::json::parse(r.body)["extensions"];
    EXPECT_NE(std::find(extensions.begin(), extensions.end(), "model_repository"), extensions.end()) << r.body;
    EXPECT_NE(std::find(extensions.begin(), extensions.end(), "binary_tensor_data"), extensions.end()) << r.body;
  }
}

TEST_F(RepositoryServe, TheIndexAnswersAPostWithoutContentLengthAndGivesReasons) {
  // curl drops a header given empty: the POST goes without Content-Length and without a body, as Triton's client's.
  const Curl bare = curl("-X POST -H 'Content-Length:'", url("/v2/repository/index"));
  ASSERT_EQ(bare.status, 200) << bare.body;
  EXPECT_EQ(bare.headers.find("Content-Length: 0\r\nContent-Length"), std::string::npos);
  const auto index = nlohmann::json::parse(bare.body);
  bool exported = false;
  for (const auto& entry : index) {
    EXPECT_TRUE(entry.contains("reason")) << entry.dump();
    EXPECT_EQ(entry["state"], "READY");
    exported = exported || (entry["name"] == "vgg16-seed_tail14" && entry["version"] == "1");
  }
  EXPECT_TRUE(exported) << bare.body;
  // With Triton's {"ready": true} body, the same.
  EXPECT_EQ(curl("-X POST --data-binary '{\"ready\":true}'", url("/v2/repository/index")).status, 200);
}

TEST(RepositoryServeErrors, ABrokenRepositoryIsRefusedNamingTheFile) {
  const fs::path repo = scratch() / "broken";
  fs::remove_all(repo);
  fs::create_directories(repo / "m" / "1");
  std::ofstream(repo / "m" / "config.pbtxt") << "name: \"m\"\nplatform: \"onnxruntime_onnx\"\nmax_batch_size: [\n";
  std::ofstream(repo / "m" / "1" / "model.onnx") << "not onnx";
  const std::string log = (scratch() / "broken.log").string();
  const std::string cmd = std::string(SPLITPOINT_CLI) + " serve --repository " + repo.string() + " --port 0 >" + log +
                          " 2>&1";
  const int status = std::system(cmd.c_str());
  EXPECT_EQ(WEXITSTATUS(status), 2);
  std::ifstream in(log);
  const std::string text{std::istreambuf_iterator<char>(in), {}};
  EXPECT_NE(text.find("config.pbtxt"), std::string::npos) << text;
  EXPECT_NE(text.find("line 3"), std::string::npos) << text;
  // A config naming another model than its folder.
  std::ofstream(repo / "m" / "config.pbtxt", std::ios::trunc) << "name: \"other\"\nplatform: \"onnxruntime_onnx\"\n";
  EXPECT_EQ(WEXITSTATUS(std::system(cmd.c_str())), 2);
  std::ifstream in2(log);
  const std::string text2{std::istreambuf_iterator<char>(in2), {}};
  EXPECT_NE(text2.find("'other'"), std::string::npos) << text2;
}

}  // namespace
}  // namespace splitpoint
