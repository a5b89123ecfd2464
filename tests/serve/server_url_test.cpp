// Server URLs taken apart by hand-written expectations.
#include <gtest/gtest.h>

#include "core/error.h"
#include "serve/model_naming.h"
#include "serve/oip_client.h"

namespace splitpoint {
namespace {

TEST(ServerUrl, Forms) {
  auto u = parse_server_url("http://127.0.0.1:8000");
  EXPECT_EQ(u.scheme, "http");
  EXPECT_EQ(u.host, "127.0.0.1");
  EXPECT_EQ(u.port, 8000);
  u = parse_server_url("https://tail.example-1.org/");
  EXPECT_EQ(u.scheme, "https");
  EXPECT_EQ(u.host, "tail.example-1.org");
  EXPECT_EQ(u.port, 443);
  EXPECT_EQ(parse_server_url("http://localhost").port, 80);
  u = parse_server_url("http://[::1]:9000");
  EXPECT_EQ(u.host, "[::1]");
  EXPECT_EQ(u.port, 9000);
  for (const char* bad : {"localhost:8000", "ftp://a:1", "http://", "http://a:b", "http://a:70000", "http://a:0",
                          "http://a:8000/v2", "http://a b:1", "http://[::1", "http://a:", "http://a:1234567"})
    EXPECT_THROW(parse_server_url(bad), Error) << bad;
}

TEST(ModelNaming, TailNames) {
  EXPECT_EQ(tail_model_name("vgg16-seed", 0), "vgg16-seed");
  EXPECT_EQ(tail_model_name("vgg16-seed", 14), "vgg16-seed.tail14");
  EXPECT_EQ(tail_model_name("vgg16-seed", 14, "{model}_tail{cut}"), "vgg16-seed_tail14");
  EXPECT_EQ(tail_model_name("resnet18", 3, "tail-{cut}-of-{model}"), "tail-3-of-resnet18");
  EXPECT_EQ(tail_model_name("resnet18", 0, "{model}_tail{cut}"), "resnet18");  // cut 0: the whole model
  EXPECT_EQ(tail_model_name("m", 7, "only{cut}"), "only7");
  check_tail_name_template("{model}_tail{cut}");
  for (const char* bad : {"{model}", "{model}{cut}{cut}", "{model}{model}{cut}", "{model} {cut}", "{cut}/x", "{c}{cut}",
                          "{model}.tail{cut}?"})
    EXPECT_THROW(check_tail_name_template(bad), Error) << bad;
}

}  // namespace
}  // namespace splitpoint
