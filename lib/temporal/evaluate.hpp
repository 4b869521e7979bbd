// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Evaluation of temporal conditions at a decision point.
//
// `evaluate_leaf` is the reference semantics: a direct reading of Dogwood's MFOTL fragment
// over the events of a timeline, relation by relation (a condition at timepoint i denotes the
// set of variable bindings under which it holds). It re-reads the window on every decision,
// so it is the oracle that the incremental monitors (monitor.hpp) are tested against and the
// fallback for the shapes they do not cover.
#pragma once

#include <cstdint>
#include <string>

#include "temporal/event.hpp"
#include "temporal/formula.hpp"

namespace mandate::detail::temporal {

/// Work allowed for one leaf (rows produced plus events visited). A condition that needs more
/// is an evaluation error, so the decision fails closed instead of hanging.
inline constexpr std::uint64_t default_work_budget = 20'000'000;

struct leaf_result {
  bool ok = true;  // false: evaluation error, `error` says why
  bool holds = false;
  std::string error;
};

/// Evaluates leaf `leaf` at the last event of `events` (the decision point).
[[nodiscard]] leaf_result evaluate_leaf(const temporal_program& program, std::uint32_t leaf,
                                        const timeline& events, const decision_inputs& inputs,
                                        std::uint64_t work_budget = default_work_budget);

/// The value of a term that reads only constants and the current request: a constant,
/// `context.a.b`, `principal[.a.b]` or `resource[.a.b]`. False for other kinds of term and
/// when the value is absent (an absent context field, an unknown entity).
[[nodiscard]] bool resolve_request_term(const term& t, const decision_inputs& inputs, value& out);

/// The record field at `path` under `start`, or null.
[[nodiscard]] const value* walk_path(const value& start, const std::vector<symbol>& path) noexcept;

/// What the policy evaluators ask when they meet a `temporal { ... }` node: the value of one
/// leaf for the request being decided. Implemented by sessions (history plus monitors) and by
/// the stateless path (a history of just the current request).
class leaf_oracle {
 public:
  virtual ~leaf_oracle() = default;
  /// The leaf's value; false with `error` set when it cannot be computed (the policy then
  /// errors, which fails closed in Mandate mode).
  virtual bool leaf_value(std::uint32_t leaf, bool& holds, std::string& error) const = 0;
};

}  // namespace mandate::detail::temporal
