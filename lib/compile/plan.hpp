// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The compiled form of a policy set: every condition as flat code over interned values
// (re2's Prog, Lua's bytecode), and an index from the request's action to the policies
// that can apply, so a decision costs what the candidate policies cost, not the whole set.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "ast/ast.hpp"
#include "base/flat_index.hpp"
#include "mandate/diagnostic.hpp"
#include "mandate/policy_set.hpp"
#include "temporal/formula.hpp"
#include "temporal/monitor.hpp"

namespace mandate::detail {

struct trace_catalog;

enum class opcode : std::uint8_t {
  push_constant,  // arg: constant index
  push_principal,
  push_action,
  push_resource,
  push_context,
  logical_not,
  negate,
  and_check,      // top must be Bool; false: jump to arg keeping it; true: pop
  or_check,       // top must be Bool; true: jump to arg keeping it; false: pop
  check_bool,     // top must be Bool
  jump_if_false,  // pops a Bool; false: jump to arg
  jump,           // arg: target
  equal,
  not_equal,
  less,
  less_equal,
  greater,
  greater_equal,
  in,
  add,
  subtract,
  multiply,
  has,              // arg: operand list begin, arg2: path length
  get_attr,         // arg: attribute symbol
  like,             // arg: pattern index
  is,               // arg: type symbol
  is_type_or_jump,  // arg: type symbol, arg2: target; top must be an entity: wrong type -> false, jump
  make_set,         // arg2: element count
  make_record,      // arg: operand list begin (keys), arg2: field count
  call_method,      // arg: method symbol, arg2: argument count (receiver below the arguments)
  call_function,    // arg: function symbol, arg2: argument count
  temporal_leaf,    // arg: leaf index; pushes the Bool the request's leaf oracle gives
};

struct instruction {
  opcode op;
  std::uint32_t arg = 0;
  std::uint32_t arg2 = 0;
  expr_id source = 0;  // the AST node, for error positions and explanations
};

struct compiled_condition {
  bool is_when = true;
  std::uint32_t code_begin = 0;
  std::uint32_t code_end = 0;
};

struct compiled_policy {
  effect kind = effect::permit;
  std::uint32_t condition_begin = 0;
  std::uint32_t condition_count = 0;
};

/// Ranks of the levels of ordered enumerations: `<` and friends compare two levels of the
/// same ordered type by where they stand in its declaration.
struct level_table {
  std::unordered_map<std::uint64_t, std::uint32_t> rank;  // level entity key -> rank
  std::vector<symbol> ordered_types;

  [[nodiscard]] bool is_ordered(symbol type) const noexcept {
    for (symbol t : ordered_types)
      if (t == type) return true;
    return false;
  }
  [[nodiscard]] const std::uint32_t* find(entity_uid level) const noexcept {
    auto it = rank.find(level.key());
    return it == rank.end() ? nullptr : &it->second;
  }
};

struct plan {
  std::vector<instruction> code;
  std::vector<value> constants;
  std::vector<std::uint32_t> operands;  // has paths, record keys
  std::vector<compiled_policy> policies;
  std::vector<compiled_condition> conditions;
  std::uint32_t max_stack = 0;
  level_table levels;

  // The candidate index. Each policy is filed once per action key it names (the action
  // entity, each entity of an action list, or `any_key`) under one anchor: its principal
  // constraint's entity or type when it has one, else its resource constraint's, else none.
  // A request looks up its action, the action's ancestors and `any_key`, crossed with its
  // principal's (resource's) uid, ancestors and type, so the policies visited are those
  // whose scope can match rather than the whole set. Values are policy indices.
  flat_index by_principal;  // (action key, principal target)
  flat_index by_resource;   // (action key, resource target)
  flat_index by_action;     // (action key, 0): neither principal nor resource constrained
};

/// Index key for "any action".
inline constexpr std::uint64_t any_key = ~std::uint64_t{0};
/// Index key for "any entity of type t" (entity keys never have an all-ones id in practice).
constexpr std::uint64_t type_key(symbol t) noexcept { return (std::uint64_t{t} << 32) | 0xFFFFFFFFULL; }

struct compiled_policy_set {
  // What it was compiled from, so link() can compile again with more links.
  std::vector<policy_source> sources;
  compile_options options;
  std::vector<template_link> links;

  policy_set_ast ast;
  temporal::temporal_program temporal;
  /// Incremental monitors for the leaves of `temporal` that have a monitorable shape.
  std::shared_ptr<const temporal::monitor_plan> monitors;
  /// Unique per compiled set in this process: a session's monitor state names the set it was
  /// built for by this number, never by address (an address can be reused).
  std::uint64_t serial = 0;
  plan code;
  /// Request-independent text of explanations, built by the first traced decision.
  mutable std::once_flag trace_catalog_once;
  mutable std::shared_ptr<const trace_catalog> explanation_text;
  std::vector<std::string> ids;
  std::vector<diagnostic> warnings;
  std::uint64_t fingerprint = 0;

  static policy_set publish(std::shared_ptr<const compiled_policy_set> p) { return policy_set(std::move(p)); }
};

/// Builds the plan for `set.ast`. A condition deeper than `max_expression_depth` operators
/// is reported in `diagnostics` and left out.
void compile_plan(compiled_policy_set& set, std::uint32_t max_expression_depth,
                  std::vector<diagnostic>& diagnostics);

}  // namespace mandate::detail
