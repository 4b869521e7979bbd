// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Replays fuzz inputs through the same entry functions the libFuzzer targets in fuzz/ call:
// every finding fixed so far (tests/data/fuzz/<target>/) and the seed corpora
// (fuzz/corpus/<target>/), so a finding stays fixed and the seeds keep meaning something
// without a clang build.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "../fuzz/eval_diff_entry.hpp"
#include "../fuzz/json_loader_entry.hpp"
#include "../fuzz/policy_parser_entry.hpp"
#include "../fuzz/schema_parser_entry.hpp"

namespace {

namespace fs = std::filesystem;
using entry = std::string (*)(const std::uint8_t*, std::size_t);

std::vector<fs::path> inputs(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// Returns how many files were replayed.
std::size_t replay(const fs::path& dir, entry run) {
  std::size_t count = 0;
  for (const fs::path& file : inputs(dir)) {
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string failure = run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    CHECK_MESSAGE(failure.empty(), file.string(), ": ", failure);
    ++count;
  }
  return count;
}

void replay_target(const char* target, entry run) {
  const fs::path source = MANDATE_SOURCE_DIR;
  const std::size_t seeds = replay(source / "fuzz" / "corpus" / target, run);
  CHECK(seeds > 0);
  replay(fs::path(MANDATE_TEST_DATA_DIR) / "fuzz" / target, run);
}

}  // namespace

TEST_CASE("fuzz regression: policy_parser") {
  replay_target("policy_parser", mandate_fuzz::run_policy_parser);
}
TEST_CASE("fuzz regression: schema_parser") {
  replay_target("schema_parser", mandate_fuzz::run_schema_parser);
}
TEST_CASE("fuzz regression: json_loader") { replay_target("json_loader", mandate_fuzz::run_json_loader); }
TEST_CASE("fuzz regression: eval_diff") { replay_target("eval_diff", mandate_fuzz::run_eval_diff); }
