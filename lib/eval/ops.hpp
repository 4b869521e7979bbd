// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Cedar's operators on values, shared by the plan evaluator and the reference interpreter
// so the two differ only in control (index + flat code vs. a tree walk), as re2's engines
// share their instruction semantics. Every function returns false with a message in
// `error` instead of throwing.
#pragma once

#include <span>
#include <string>

#include "ast/ast.hpp"
#include "value/store.hpp"
#include "value/value.hpp"

namespace mandate::detail {

/// What an operator may read and where it may allocate during one evaluation.
struct level_table;

struct eval_context {
  const entity_data& entities;
  const request_view& request;
  arena& scratch;
  std::string& error;  // written only on failure
  const level_table& levels;
};

bool op_compare(eval_context& ctx, expr_kind kind, const value& a, const value& b, value& out);
bool op_arithmetic(eval_context& ctx, expr_kind kind, const value& a, const value& b, value& out);
bool op_negate(eval_context& ctx, const value& a, value& out);
bool op_not(eval_context& ctx, const value& a, value& out);
bool op_in(eval_context& ctx, const value& a, const value& b, value& out);
bool op_has(eval_context& ctx, const value& a, std::span<const std::uint32_t> path, value& out);
bool op_get_attr(eval_context& ctx, const value& a, symbol name, value& out);
bool op_like(eval_context& ctx, const value& a, const pattern& p, value& out);
bool op_is(eval_context& ctx, const value& a, symbol type, value& out);
bool op_method(eval_context& ctx, symbol name, const value& receiver, std::span<const value> args,
               value& out);
bool op_function(eval_context& ctx, symbol name, std::span<const value> args, value& out);
/// A `temporal { ... }` leaf, asked of the request's leaf oracle.
bool op_temporal(eval_context& ctx, std::uint32_t leaf, value& out);
/// Builds a set literal; `items` is reordered.
bool op_make_set(eval_context& ctx, std::span<value> items, value& out);
bool op_make_record(eval_context& ctx, std::span<const symbol> keys, std::span<const value> values,
                    value& out);
/// Requires a Bool (conditions, `&&`, `||`, `if`); `what` names the operand in the error.
bool expect_bool(eval_context& ctx, const value& v, const char* what);

/// Whether an entity uid satisfies a scope constraint (with `entity` for `==` / `in`).
bool scope_matches(const entity_data& entities, const scope_constraint& constraint, entity_uid uid) noexcept;

/// Whether a policy's whole scope (principal, action, resource) matches the request.
bool scope_applies(const entity_data& entities, const policy& p, const request_view& req) noexcept;

/// `text like pattern`.
bool like_matches(std::string_view text, const pattern& p) noexcept;

}  // namespace mandate::detail
