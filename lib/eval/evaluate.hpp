// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The two evaluators and the decision lattice they share.
#pragma once

#include <string>
#include <vector>

#include "compile/plan.hpp"
#include "eval/ops.hpp"
#include "mandate/decision.hpp"
#include "value/store.hpp"

namespace mandate::detail {

enum class policy_outcome : std::uint8_t { satisfied, errored };

/// A policy whose scope matched and whose conditions all held, or raised an error.
struct policy_result {
  std::uint32_t policy;
  policy_outcome outcome;
  std::string error;  // when errored
};

/// Per-thread buffers reused across decisions so that steady-state evaluation does not
/// allocate (simdjson's parser reuse).
struct eval_scratch {
  arena values{1 << 12};
  std::vector<value> stack;
  std::vector<std::uint32_t> candidates;
  std::vector<std::uint64_t> keys[3];  // index keys of the action, principal, resource
  std::vector<policy_result> results;
  std::size_t result_count = 0;
  std::string error;

  static eval_scratch& for_this_thread();
  void reset() {
    values.reset();
    candidates.clear();
    result_count = 0;
  }
  policy_result& next_result() {
    if (result_count == results.size()) results.emplace_back();
    return results[result_count++];
  }
};

/// Runs a policy's conditions in order through `evaluate(i, is_when, value)` and records the
/// policy in `scratch` when every condition holds or one raises an error: the part of a
/// decision both evaluators share, so they can differ only in how a condition is computed.
template <typename EvaluateCondition>
void settle_policy(std::uint32_t policy, std::uint32_t condition_count, eval_context& ctx,
                   eval_scratch& scratch, EvaluateCondition&& evaluate) {
  bool errored = false;
  for (std::uint32_t i = 0; i < condition_count; ++i) {
    bool is_when = true;
    value v;
    if (!evaluate(i, is_when, v) ||
        !expect_bool(ctx, v, is_when ? "a `when` condition" : "an `unless` condition")) {
      errored = true;
      break;
    }
    if (v.boolean != is_when) return;
  }
  policy_result& r = scratch.next_result();
  r.policy = policy;
  r.outcome = errored ? policy_outcome::errored : policy_outcome::satisfied;
  if (errored) {
    r.error = scratch.error;
  } else {
    r.error.clear();
  }
}

/// Walks the AST of every policy: no index, no plan. The oracle for differential tests.
void evaluate_reference(const compiled_policy_set& set, const entity_data& entities, const request_view& req,
                        eval_scratch& scratch);
/// Uses the index and the flat plan.
void evaluate_plan(const compiled_policy_set& set, const entity_data& entities, const request_view& req,
                   eval_scratch& scratch);
/// Applies the decision lattice (LANGUAGE.md 2.1, 2.2) to the results in `scratch`.
void assemble_decision(const compiled_policy_set& set, const eval_scratch& scratch, eval_mode mode,
                       decision& out);

}  // namespace mandate::detail
