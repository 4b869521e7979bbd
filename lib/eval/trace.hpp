// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Recording a decision for its explanation (include/mandate/trace.hpp). The plan evaluator
// is a template over its recorder: the plain path is instantiated with none, so tracing costs
// it nothing; the traced path calls these hooks as the same candidates run.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "eval/evaluate.hpp"
#include "mandate/trace.hpp"

namespace mandate::detail {

/// What a trace says of a policy set that does not depend on the request: each policy's kind,
/// position, source line and @reason, each clause's text and position. Built on the first
/// traced decision and kept with the set.
struct trace_catalog {
  struct policy_info {
    std::string kind;
    source_location where;
    std::string source_line;
    std::string reason;
    std::uint32_t first_clause = 0;
  };
  struct clause_info {
    std::string text;
    source_location where;
    std::string source_line;
  };
  std::vector<policy_info> policies;
  std::vector<clause_info> clauses;
  std::size_t decidable = 0;  // policies that are not templates
  /// Permits and require_approval policies by the action (or group) their scope names, and
  /// those whose scope names no particular action.
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> citable_by_action;
  std::vector<std::uint32_t> citable_any_action;
};

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
  static const trace_catalog& catalog_of(const compiled_policy_set& set);
  static std::string text_of_span(const compiled_policy_set& set, source_span span);
  policy_trace& start(std::uint32_t policy);
  static std::vector<std::int32_t>& slot_table(std::size_t policies);
  void finish_entries(const decision& d, const std::vector<std::uint32_t>& candidates);
  void mark_effects(const decision& d);
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
  const trace_catalog& catalog_;
  std::vector<std::int32_t>& slots_;          // policy index -> entry in out_.policies, or -1
  std::size_t used_ = 0;                      // entries of out_.policies in use
  std::vector<std::uint32_t> clause_counts_;  // clauses in use, per entry
  std::vector<std::uint32_t> touched_;        // policies with an entry, in entry order
};

/// The plan evaluator with a recorder (plan_eval.cpp).
void evaluate_plan_traced(const compiled_policy_set& set, const entity_data& entities,
                          const request_view& req, eval_scratch& scratch, trace_recorder& recorder);

/// Evaluates one expression with the reference interpreter (reference.cpp).
bool evaluate_expression(const policy_set_ast& ast, eval_context& ctx, expr_id id, value& out);

}  // namespace mandate::detail
