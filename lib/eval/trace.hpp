// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Recording a decision for its explanation (include/mandate/trace.hpp). The plan evaluator
// is a template over its recorder: the plain path is instantiated with none, so tracing costs
// it nothing; the traced path calls these hooks as the same candidates run.
#pragma once

#include <string>
#include <vector>

#include "eval/evaluate.hpp"
#include "mandate/trace.hpp"

namespace mandate::detail {

class trace_recorder {
 public:
  trace_recorder(const compiled_policy_set& set, const entity_data& entities, const request_view& request,
                 eval_scratch& scratch, identity_trace& out, const trace_options& options);

  /// The index proposed `candidates` (sorted, distinct).
  void candidates(const std::vector<std::uint32_t>& candidates);
  void scope_failed(std::uint32_t policy);
  void scope_matched(std::uint32_t policy);
  /// Condition `clause` of `policy` ran: `ok` false means it raised `error`.
  void clause(std::uint32_t policy, std::uint32_t clause, bool ok, const value& result,
              const std::string& error);
  /// Marks each policy's effect once the decision is assembled.
  void finish(const decision& d, const std::vector<std::uint32_t>& candidates);

 private:
  policy_trace& start(std::uint32_t policy);
  void describe_scope(std::uint32_t policy, policy_trace& t);
  void find_failure(expr_id id, bool wanted, clause_trace& out, int depth);
  void describe_operands(expr_id id, clause_trace& out);
  [[nodiscard]] std::string text_of(source_span span) const;
  [[nodiscard]] bool is_constant(expr_id id, int depth) const;

  const compiled_policy_set& set_;
  const entity_data& entities_;
  const request_view& request_;
  eval_scratch& scratch_;
  identity_trace& out_;
  trace_options options_;
  std::vector<std::int32_t> slot_;  // policy index -> position in out_.policies, or -1
};

/// The plan evaluator with a recorder (plan_eval.cpp).
void evaluate_plan_traced(const compiled_policy_set& set, const entity_data& entities,
                          const request_view& req, eval_scratch& scratch, trace_recorder& recorder);

/// Evaluates one expression with the reference interpreter (reference.cpp).
bool evaluate_expression(const policy_set_ast& ast, eval_context& ctx, expr_id id, value& out);

}  // namespace mandate::detail
