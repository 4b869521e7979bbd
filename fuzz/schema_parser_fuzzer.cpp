// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
#include <cstddef>
#include <cstdint>
#include <cstdio>

#include "schema_parser_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string failure = mandate_fuzz::run_schema_parser(data, size);
  if (!failure.empty()) {
    std::fprintf(stderr, "schema_parser: %s\n", failure.c_str());
    __builtin_trap();
  }
  return 0;
}
