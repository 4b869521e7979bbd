// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Fuzz entry for the policy parser: the input is one file of policy text. It is compiled, and
// formatted twice, since format_policies promises idempotence and must agree with the compiler
// about what parses. Shared by fuzz/policy_parser_fuzzer.cpp and tests/fuzz_regression_test.cpp:
// it returns a description of a broken promise instead of trapping, so the test can report it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mandate/format.hpp"
#include "mandate/policy_set.hpp"

namespace mandate_fuzz {

inline std::string run_policy_parser(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto compiled = mandate::policy_set::compile(text, "<fuzz>");
  if (compiled) {
    (void)compiled->policy_ids();
    (void)compiled->template_ids();
    (void)compiled->fingerprint();
  }
  auto formatted = mandate::format_policies(text, "<fuzz>");
  if (!formatted) return {};
  auto again = mandate::format_policies(*formatted, "<fuzz>");
  if (!again) return "formatted text does not format again:\n" + *formatted;
  if (*again != *formatted)
    return "formatting is not idempotent:\n" + *formatted + "\n---- then ----\n" + *again;
  if (compiled) {
    // Layout must not change meaning, so the formatted text compiles too, to as many policies.
    auto recompiled = mandate::policy_set::compile(*formatted, "<fuzz>");
    if (!recompiled) return "formatted text does not compile:\n" + *formatted;
    if (recompiled->policy_ids() != compiled->policy_ids())
      return "formatted text compiles to other policy ids:\n" + *formatted;
  }
  return {};
}

}  // namespace mandate_fuzz
