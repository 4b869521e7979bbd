// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Helpers shared by the fuzz entries: the plan-versus-reference oracle and JSON quoting.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "mandate/decision.hpp"
#include "mandate/policy_set.hpp"

namespace mandate_fuzz {

// A JSON string literal for arbitrary bytes (control characters escaped; other bytes as they
// are, so invalid UTF-8 still reaches the loaders' own checks).
inline std::string json_quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// What the two evaluators must agree on: the outcome, the determining policies, and which
// policies erred. Messages are left out; they are the differential test's business.
inline bool same_decision(const mandate::decision& a, const mandate::decision& b) {
  if (a.outcome != b.outcome || a.reasons != b.reasons || a.failed_closed != b.failed_closed ||
      a.errors.size() != b.errors.size() || a.chain_violation != b.chain_violation ||
      a.deciding_hop != b.deciding_hop)
    return false;
  for (std::size_t i = 0; i < a.errors.size(); ++i)
    if (a.errors[i].policy != b.errors[i].policy) return false;
  return true;
}

// Evaluates in both modes with both evaluators; returns a description of the first
// disagreement, or an empty string.
inline std::string compare_evaluators(const mandate::policy_set& policies, const mandate::request& req,
                                      const mandate::entity_store& entities) {
  for (const auto mode : {mandate::eval_mode::mandate, mandate::eval_mode::cedar}) {
    // A fixed clock, so delegation expiry cannot differ between the two runs.
    const mandate::evaluation_options plan{
        .mode = mode, .engine = mandate::evaluator::plan, .now_ms = 1'700'000'000'000};
    auto reference = plan;
    reference.engine = mandate::evaluator::reference;
    const mandate::decision a = policies.evaluate(req, entities, plan);
    const mandate::decision b = policies.evaluate(req, entities, reference);
    if (!same_decision(a, b))
      return std::string("plan and reference disagree in ") + std::string(mandate::to_string(mode)) +
             " mode\n  plan:      " + mandate::to_json(a) + "\n  reference: " + mandate::to_json(b);
  }
  return {};
}

}  // namespace mandate_fuzz
