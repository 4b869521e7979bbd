// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
#include <new>

#include "check/checker.hpp"
#include "mandate/schema.hpp"

namespace mandate {
inline namespace v0 {

std::vector<diagnostic> validate(const policy_set& policies, const schema& s) {
  std::vector<diagnostic> diagnostics;
  try {
    detail::typecheck::check_policies(policies.internals(), s.internals(), diagnostics);
  } catch (const std::bad_alloc&) {
    // Only allocation can fail in the checker; say so rather than report a clean result.
    diagnostic d;
    d.code = "type";
    d.message = "out of memory while validating the policies; they were not fully checked";
    diagnostics.push_back(std::move(d));
  }
  return diagnostics;
}

}  // namespace v0
}  // namespace mandate
