// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Shared between the linter's files: the context every rule reads (the AST, the policy ids,
// the sensitivity scales) and the helpers the rules have in common (constant folding,
// structural comparison of expressions, scope containment).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ast/ast.hpp"
#include "compile/plan.hpp"
#include "mandate/lint.hpp"

namespace mandate::detail::lint {

/// One ordered scale that carries sensitivity: its type and levels, lowest first.
struct sensitivity_scale {
  symbol type = 0;
  std::vector<symbol> levels;
};

struct context {
  const policy_set_ast& ast;
  std::vector<std::string> ids;  // policy id of each ast.policies entry
  level_table levels;            // built from the AST's `ordered enum` declarations
  std::vector<sensitivity_scale> sensitivity;
  bool reads_sensitivity = false;  // some condition reads `resource.sensitivity`
  std::vector<diagnostic>* out = nullptr;

  /// Reports a finding of `rule` at `span` at the rule's default level (the driver applies
  /// configured levels and suppressions afterwards). `policy` is the policy index it concerns.
  void report(std::string_view rule, source_span span, std::string message) const;
  /// `file:line` of a policy, for messages naming another policy.
  [[nodiscard]] std::string where(std::uint32_t policy) const;
  /// "policy `id`", quoted for messages.
  [[nodiscard]] std::string name(std::uint32_t policy) const { return "`" + ids[policy] + "`"; }
};

// --- constant folding (fold.cpp) ---

enum class fold_state : std::uint8_t { unknown, constant, error };
struct folded {
  fold_state state = fold_state::unknown;
  value v;
  std::string error;     // for error
  expr_id error_at = 0;  // the innermost expression that raised it
};

/// Evaluates what of an expression does not depend on the request or the entity store.
class fold_walker;
class folder {
 public:
  folder(const policy_set_ast& ast, const level_table& levels);
  ~folder();
  folder(const folder&) = delete;
  folder& operator=(const folder&) = delete;
  folded fold(expr_id id);
  /// Every error raised at its origin by the folds so far, in order; the caller clears it.
  std::vector<std::pair<expr_id, std::string>>& errors() noexcept;

 private:
  std::unique_ptr<arena> storage_;
  std::unique_ptr<fold_walker> walker_;
};

// --- structure (structure.cpp) ---

/// A hash of an expression's structure, ignoring source positions.
[[nodiscard]] std::uint64_t expr_hash(const policy_set_ast& ast, expr_id id);
/// Structural equality of two expressions of the same AST.
[[nodiscard]] bool expr_equal(const policy_set_ast& ast, expr_id a, expr_id b);
/// Equality and hashing of whole scope constraints and of policies without their annotations.
[[nodiscard]] bool scope_equal(const scope_constraint& a, const scope_constraint& b);
[[nodiscard]] std::uint64_t policy_hash(const policy_set_ast& ast, const policy& p, bool with_effect = true);
[[nodiscard]] bool conditions_equal(const policy_set_ast& ast, const policy& a, const policy& b);
/// True when every entity `inner` admits is admitted by `outer`, as far as the text shows
/// (without the entity hierarchy: `in G` covers only `== G`, `in G` and `is T in G`).
[[nodiscard]] bool scope_covers(const scope_constraint& outer, const scope_constraint& inner);
/// True when expression `id` reads no attribute and calls nothing: it cannot raise an error.
[[nodiscard]] bool is_pure(const policy_set_ast& ast, expr_id id);
/// The `&&`-conjuncts of `id`, flattened.
void conjuncts(const policy_set_ast& ast, expr_id id, std::vector<expr_id>& out);
/// True when `id` is a variable or a chain of `.attr` reads on one: a "path" such as
/// `resource.owner.team`.
[[nodiscard]] bool is_path(const policy_set_ast& ast, expr_id id);
/// The text of an expression span, trimmed and abbreviated for messages.
[[nodiscard]] std::string excerpt(const policy_set_ast& ast, source_span span, std::size_t max = 60);
/// True when a policy has no `when`/`unless` condition.
[[nodiscard]] inline bool unconditional(const policy& p) noexcept { return p.conditions.empty(); }

// --- rule families ---
void check_annotations(const context& cx);  // rules_annotations.cpp
void check_expressions(const context& cx);  // rules_expressions.cpp
void check_scopes(const context& cx);       // rules_scopes.cpp: single-policy scope rules
void check_pairs(const context& cx);        // rules_pairs.cpp: rules that compare policies
void check_sensitivity(const context& cx);  // rules_sensitivity.cpp
/// Temporal conditions the compiled set's monitors leave to the reference evaluator (lint.cpp).
void check_temporal_monitors(const context& cx, const compiled_policy_set& set);

// --- suppressions (suppress.cpp) ---

struct suppression {
  std::uint32_t file = 0;
  std::uint32_t line = 0;    // of the comment; 0 for ignore-file
  std::int64_t policy = -1;  // the policy an own-line comment stands above, if any
  std::vector<std::string> rules;
};

/// Finds `// mandate-lint: ignore ...` and `ignore-file` comments, reporting unknown rule
/// names (rule `unknown-rule`) into `out`.
void find_suppressions(const policy_set_ast& ast, std::vector<suppression>& found,
                       std::vector<diagnostic>& out);
/// True when finding `d`, in file `file` and inside policy `owner` (-1 for none), is suppressed.
[[nodiscard]] bool is_suppressed(const std::vector<suppression>& found, std::uint32_t file,
                                 const diagnostic& d, std::int64_t owner);

/// Severity of a level that is not `off`.
[[nodiscard]] severity to_severity(lint_level level) noexcept;

}  // namespace mandate::detail::lint
