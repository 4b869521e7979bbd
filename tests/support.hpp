// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Helpers several test files share: reading data files, the Dogwood corpus's location, and
// the policy sets, entities, requests and clock that session tests build.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "mandate/mandate.hpp"

namespace mandate::test_support {

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Dogwood's conformance data beside the repository (tests skip when it is absent).
inline std::filesystem::path dogwood_corpus_root() {
  return std::filesystem::path(MANDATE_SHARED_DIR) / "conformance" / "dogwood" / "dogwood-language";
}

inline policy_set compile_or_fail(std::string_view text, compile_options options = {},
                                  std::string_view name = "test.mandate") {
  auto set = policy_set::compile(text, name, options);
  if (!set) FAIL(render(set.error()));
  return std::move(*set);
}

inline entity_store entities_or_fail(std::string_view json) {
  auto store = entity_store::from_json(json);
  if (!store) FAIL(render(store.error()));
  return std::move(*store);
}

/// A tool call by `principal` on Tool::"t", with `input_json` as the context's `input`.
inline request call(std::string_view action, std::string_view input_json = "{}",
                    std::string_view principal = "alice") {
  request r({"User", std::string(principal)}, {"Action", std::string(action)}, {"Tool", "t"});
  auto with = r.with_context_json(std::string("{\"input\": ") + std::string(input_json) + "}");
  if (!with) FAIL(with.error());
  return std::move(*with);
}

/// A session clock the test moves by hand.
struct fake_clock {
  std::int64_t now = 1'700'000'000'000;
  session_clock fn() {
    return [this] { return now; };
  }
};

}  // namespace mandate::test_support
