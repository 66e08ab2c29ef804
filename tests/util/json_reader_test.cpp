#include "util/json_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace tinynas::util {
namespace {
namespace fs = std::filesystem;

fs::path temp_path(const std::string& name) {
  return fs::temp_directory_path() / ("tinynas-json-" + std::to_string(::getpid()) + "-" + name);
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(ReadJsonFileTest, SyntaxErrorNamesFileLineAndColumn) {
  const fs::path p = temp_path("bad.json");
  std::ofstream(p) << "{\n  \"a\": 1,\n  \"b\": [1, 2,,]\n}\n";
  const std::string error = message_of([&] { read_json_file(p.string()); });
  EXPECT_NE(error.find(p.string() + ":3:14: JSON syntax error"), std::string::npos) << error;
  fs::remove(p);
}

TEST(ReadJsonFileTest, MissingFileIsABadInput) {
  EXPECT_NE(message_of([] { read_json_file("/nonexistent/x.json"); }).find("cannot open"),
            std::string::npos);
}

TEST(ObjectReaderTest, TypesDefaultsAndUnknownKeys) {
  const nlohmann::json j = nlohmann::json::parse(R"({"n": 3, "s": "x", "size": "2K", "typo": 1})");
  ObjectReader r(j, "thing");
  EXPECT_EQ(r.get<int>("n"), 3);
  EXPECT_EQ(r.get<std::string>("s"), "x");
  EXPECT_EQ(r.size("size"), 2048);
  EXPECT_EQ(r.optional<double>("absent", 1.5), 1.5);
  const std::string error = message_of([&] { r.finish(); });
  EXPECT_NE(error.find("thing: unknown key 'typo'"), std::string::npos) << error;
  EXPECT_NE(error.find("known keys: absent, n, s, size"), std::string::npos) << error;
}

TEST(ObjectReaderTest, WrongTypesNameTheKey) {
  const nlohmann::json j = nlohmann::json::parse(R"({"n": "3", "f": true, "size": -4})");
  ObjectReader r(j, "cfg");
  EXPECT_EQ(message_of([&] { r.get<int>("n"); }), "cfg: 'n' must be an integer, got string");
  EXPECT_EQ(message_of([&] { r.get<double>("f"); }), "cfg: 'f' must be a number, got boolean");
  EXPECT_NE(message_of([&] { r.size("size"); }).find("'size' must be a positive size"),
            std::string::npos);
  EXPECT_EQ(message_of([&] { r.at("missing"); }), "cfg: 'missing' is missing");
  EXPECT_NE(message_of([] {
              ObjectReader(nlohmann::json::array(), "top");
            }).find("expected a JSON object"),
            std::string::npos);
}

TEST(WriteFileAtomicallyTest, ReplacesTheFileAndLeavesNoTemporary) {
  const fs::path p = temp_path("out.txt");
  write_file_atomically(p.string(), "one");
  write_file_atomically(p.string(), "two");
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_EQ(s.str(), "two");
  EXPECT_FALSE(fs::exists(p.string() + ".tmp"));
  fs::remove(p);
  EXPECT_THROW(write_file_atomically("/nonexistent-dir/x", "y"), std::runtime_error);
}

TEST(ResolveNamedConfigTest, NamesPathsAndUnknownNames) {
  const fs::path dir = temp_path("configs");
  fs::create_directories(dir / "boards");
  std::ofstream(dir / "boards" / "b1.json") << "{}";
  std::ofstream(dir / "boards" / "a2.json") << "{}";
  EXPECT_EQ(resolve_named_config("b1", dir.string(), "boards", "board"),
            (dir / "boards" / "b1.json").string());
  EXPECT_EQ(resolve_named_config("some/where.json", dir.string(), "boards", "board"),
            "some/where.json");
  EXPECT_EQ(message_of([&] { resolve_named_config("zz", dir.string(), "boards", "board"); }),
            "unknown board 'zz' (known boards: a2, b1)");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tinynas::util
