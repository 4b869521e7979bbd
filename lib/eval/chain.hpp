// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <type_traits>

#include "compile/plan.hpp"
#include "mandate/decision.hpp"
#include "mandate/policy_set.hpp"
#include "value/store.hpp"

namespace mandate::detail {

/// Evaluates one identity's view of a request into a decision (the plain, chain-less path).
/// A non-owning reference to a callable, not a std::function: the caller's lambda captures
/// several references, which std::function would copy to the heap on every chained decision.
class evaluate_view_fn {
 public:
  template <typename F>
  requires(!std::is_same_v<std::remove_cvref_t<F>, evaluate_view_fn>) evaluate_view_fn(F& callable)
  noexcept  // NOLINT(google-explicit-constructor): used like std::function
      : callable_(std::addressof(callable)),
        call_([](void* f, const compiled_policy_set& set, const entity_data& e, const request_view& view,
                 const evaluation_options& o, decision& d) { (*static_cast<F*>(f))(set, e, view, o, d); }) {}

  void operator()(const compiled_policy_set& set, const entity_data& entities, const request_view& view,
                  const evaluation_options& options, decision& out) const {
    call_(callable_, set, entities, view, options, out);
  }

 private:
  void* callable_;
  void (*call_)(void*, const compiled_policy_set&, const entity_data&, const request_view&,
                const evaluation_options&, decision&);
};

/// Clears what a decision says beyond its policies (the deciding hop, a chain violation, a
/// session response), so a reused decision, or a chain's per-thread candidate, carries nothing
/// over from an earlier request. Whoever decides next sets what applies.
inline void clear_beyond_policies(decision& out) noexcept {
  out.deciding_hop = -1;
  out.deciding_principal.clear();
  out.chain_violation.clear();
  out.chain_message.clear();
  out.response = session_response::none;
  out.retry_after_ms = 0;
}

/// True when the request names an agent or carries a delegation chain.
[[nodiscard]] bool needs_chain_evaluation(const request_data& req) noexcept;

/// Checks the chain's structure (a broken chain is a deny with a `chain.*` code and no policy
/// run), then evaluates every identity of the chain as the principal and keeps the strictest
/// decision, naming the identity that decided.
void evaluate_chain(const compiled_policy_set& set, const entity_data& entities, const request_data& req,
                    const evaluation_options& options, const evaluate_view_fn& evaluate_view, decision& out);

}  // namespace mandate::detail
