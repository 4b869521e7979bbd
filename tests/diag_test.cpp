// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Golden diagnostics: every tests/data/diagnostics/*.cedar is a broken policy file, compiled
// under its path relative to tests/data ("diagnostics/missing_semicolon.cedar"); the rendered
// diagnostics must equal the .expected file beside it, byte for byte.
//
// To accept new output after a deliberate change, run the tests with MANDATE_UPDATE_GOLDEN=1:
// the .expected files are rewritten instead of compared (read the diff before committing).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "mandate/diagnostic.hpp"
#include "mandate/policy_set.hpp"

namespace {

namespace fs = std::filesystem;

const fs::path data_dir = MANDATE_TEST_DATA_DIR;
const fs::path golden_dir = data_dir / "diagnostics";

bool updating_golden_files() {
  const char* flag = std::getenv("MANDATE_UPDATE_GOLDEN");
  return flag != nullptr && std::string_view(flag) == "1";
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

void write_bytes(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  REQUIRE_MESSAGE(out.good(), "cannot write " << path.string());
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

std::vector<fs::path> golden_inputs() {
  std::vector<fs::path> inputs;
  for (const auto& entry : fs::directory_iterator(golden_dir))
    if (entry.is_regular_file() && entry.path().extension() == ".cedar") inputs.push_back(entry.path());
  std::sort(inputs.begin(), inputs.end());
  return inputs;
}

// Compiles one golden input and renders its diagnostics; "" when it compiled.
std::string rendered_diagnostics(const fs::path& input) {
  const std::string source_name = fs::relative(input, data_dir).generic_string();
  const auto compiled = mandate::policy_set::compile(read_bytes(input), source_name);
  if (compiled.has_value()) return "";
  return mandate::render(compiled.error());
}

void check_against_golden(const fs::path& input) {
  const std::string name = input.filename().string();
  CAPTURE(name);
  const std::string actual = rendered_diagnostics(input);
  CHECK_MESSAGE(!actual.empty(), name << " compiled without errors; a golden input must be broken");
  fs::path expected_path = input;
  expected_path.replace_extension(".expected");
  if (updating_golden_files()) {
    write_bytes(expected_path, actual);
    MESSAGE("rewrote " << expected_path.filename().string());
    return;
  }
  REQUIRE_MESSAGE(fs::exists(expected_path), "missing " << expected_path.filename().string()
                                                        << "; run with MANDATE_UPDATE_GOLDEN=1\n"
                                                        << actual);
  const std::string expected = read_bytes(expected_path);
  CHECK_MESSAGE(actual == expected, "rendered:\n" << actual << "expected:\n" << expected);
}

}  // namespace

TEST_CASE("diagnostics: every golden input renders as its .expected file") {
  const auto inputs = golden_inputs();
  REQUIRE(inputs.size() >= 15);
  for (const fs::path& input : inputs) check_against_golden(input);
}

TEST_CASE("diagnostics: every .expected file has its .cedar input") {
  for (const auto& entry : fs::directory_iterator(golden_dir)) {
    if (entry.path().extension() != ".expected") continue;
    fs::path input = entry.path();
    input.replace_extension(".cedar");
    CHECK_MESSAGE(fs::exists(input), entry.path().filename().string() << " has no .cedar input");
  }
}

TEST_CASE("diagnostics: golden inputs report errors with a position and a caret line") {
  for (const fs::path& input : golden_inputs()) {
    const std::string name = input.filename().string();
    CAPTURE(name);
    const std::string text = read_bytes(input);
    const auto compiled = mandate::policy_set::compile(text, fs::relative(input, data_dir).generic_string());
    REQUIRE_FALSE(compiled.has_value());
    for (const mandate::diagnostic& d : compiled.error()) {
      CHECK(d.level == mandate::severity::error);
      CHECK_FALSE(d.code.empty());
      CHECK_FALSE(d.message.empty());
      CHECK(d.where.file == "diagnostics/" + name);
      CHECK(d.where.line >= 1);
      CHECK(d.where.column >= 1);
      CHECK(d.where.length >= 1);
      CHECK(d.where.offset <= text.size());
      // The caret line of the rendering sits under the quoted source line.
      CHECK(mandate::render(d).find(" | " + d.source_line + "\n") != std::string::npos);
    }
  }
}

TEST_CASE("diagnostics: diagnostic_at positions text the compiler never saw") {
  const std::string text = "first line\r\nsecond line\nthird";
  const mandate::diagnostic d = mandate::diagnostic_at("run.log", text, 19, 4, "trace", "bad thing");
  CHECK(d.where.line == 2);
  CHECK(d.where.column == 8);
  CHECK(d.where.offset == 19);
  CHECK(d.where.length == 4);
  CHECK(d.source_line == "second line");  // without the newline
  CHECK(mandate::render(d) ==
        "run.log:2:8: error[trace]: bad thing\n    2 | second line\n      |        ^~~~\n");

  // The first line has no carriage return; an offset past the end points at the end.
  const mandate::diagnostic end = mandate::diagnostic_at("f", text, 1000, 1, "x", "m");
  CHECK(end.where.line == 3);
  CHECK(end.where.column == 6);
  CHECK(end.source_line == "third");
  CHECK(mandate::diagnostic_at("f", text, 0, 0, "x", "m").where.length == 1);

  const mandate::diagnostic by_line = mandate::diagnostic_at_line("f", text, 3, 2, "x", "m");
  CHECK(by_line.where.offset == 25);
  CHECK(by_line.source_line == "third");
  const mandate::diagnostic whole =
      mandate::diagnostic_at_line("f", text, 0, 0, "x", "m", mandate::severity::warning);
  CHECK(whole.where.line == 0);
  CHECK(mandate::render(whole) == "f: warning[x]: m\n");
  // A line past the end points at the end of the text rather than out of it.
  CHECK(mandate::diagnostic_at_line("f", text, 9, 4, "x", "m").where.offset == text.size());
}
