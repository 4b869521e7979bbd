// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>

#include "compile/plan.hpp"
#include "mandate/decision.hpp"
#include "mandate/policy_set.hpp"
#include "value/store.hpp"

namespace mandate::detail {

/// Evaluates one identity's view of a request into a decision (the plain, chain-less path).
using evaluate_view_fn = std::function<void(const compiled_policy_set&, const entity_data&,
                                            const request_view&, const evaluation_options&, decision&)>;

/// True when the request names an agent or carries a delegation chain.
[[nodiscard]] bool needs_chain_evaluation(const request_data& req) noexcept;

/// Checks the chain's structure (a broken chain is a deny with a `chain.*` code and no policy
/// run), then evaluates every identity of the chain as the principal and keeps the strictest
/// decision, naming the identity that decided.
void evaluate_chain(const compiled_policy_set& set, const entity_data& entities, const request_data& req,
                    const evaluation_options& options, const evaluate_view_fn& evaluate_view, decision& out);

}  // namespace mandate::detail
