// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Temporal conditions (Dogwood's past-only MFOTL fragment, LANGUAGE.md 2.5) after parsing and
// macro expansion. Like the policy AST they are flat arrays with 32-bit indices: every leaf of
// a policy set lives in one `temporal_program`, and a `temporal {...}` block in a condition is an
// AST node naming one leaf. Variables are numbered per leaf after expansion (macro hygiene and
// shadowing are resolved by then), so an evaluator's environment is a flat array.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ast/ast.hpp"
#include "value/value.hpp"

namespace mandate::detail::temporal {

using node_id = std::uint32_t;
using term_id = std::uint32_t;
using var_id = std::uint32_t;

enum class node_kind : std::uint8_t {
  conjunction,  // a && b; a binds first, its rows flow into b (left-to-right discharge)
  negation,     // !a: an anti-join filter, binds nothing
  formerly,     // formerly within W a: a held at some j <= i with ts(i) - ts(j) <= W
  previous,     // previous within W a: a held at i - 1 and ts(i) - ts(i - 1) <= W
  since,        // a since within W b: b held at some anchor j in the window and a at every k in (j, i]
  predicate,    // Ns::Action::"Id"::kind{ field: term, ... }: `index` into predicates
  comparison,   // term op term: terms in `left`/`right`, operator in `op`
  exists,       // exists (x: T). a: `var` is the binder
  timepoint,    // tp(x): binds or checks x against the current timepoint
};

enum class compare_op : std::uint8_t { less, less_equal, equal, greater, greater_equal };

struct node {
  node_kind kind = node_kind::conjunction;
  compare_op op = compare_op::equal;
  node_id a = 0;
  node_id b = 0;
  term_id left = 0;
  term_id right = 0;
  var_id var = 0;
  std::uint32_t index = 0;     // predicate index
  std::int64_t window_ms = 0;  // formerly / previous / since
  source_span span;
};

enum class term_kind : std::uint8_t {
  constant,      // `constant`: a literal value (string, Long, Bool, decimal, entity)
  context_path,  // context.a.b: `path` into the current request's context record
  principal,     // principal or principal.a.b (`path` may be empty)
  resource,      // resource or resource.a.b
  variable,      // a bound variable: `var`
  wildcard,      // * or _: matches anything, binds nothing
  array,         // [t, ...]: element terms in `elements`
  count,         // count for (...). where body: `aggregate` index
  sum,           // sum v for (...). where body: `aggregate` index
};

struct term {
  term_kind kind = term_kind::constant;
  value constant;
  std::vector<symbol> path;
  var_id var = 0;
  std::vector<term_id> elements;
  std::uint32_t aggregate = 0;
  source_span span;
};

/// One `field.path: term` pattern of a predicate.
struct field_pattern {
  std::vector<symbol> path;
  term_id pattern = 0;
  source_span span;
};

struct predicate {
  entity_uid action;  // Ns::Action::"Id"
  symbol kind = 0;    // request, response, error, or a schema's own kind
  std::vector<field_pattern> fields;
  source_span span;
};

struct aggregate {
  bool is_sum = false;
  var_id summand = 0;          // for sum: one of `domain`
  std::vector<var_id> domain;  // the `for` binders, in order
  node_id body = 0;            // the `where` condition
  source_span span;
};

/// A binder's declared type: `Timepoint`, or a (possibly qualified) type name.
struct variable_info {
  std::string name;  // as written (after expansion, `$t` binders get a unique suffix)
  bool is_timepoint = false;
  std::string type_name;  // "Long", "String", "Drupe::OAuthUser", ...
  source_span span;
};

/// One `temporal { ... }` block after expansion: a closed condition, evaluated at the decision
/// timepoint to a boolean.
struct leaf {
  node_id root = 0;
  std::vector<variable_info> variables;  // indexed by var_id
  std::uint32_t policy = 0;              // the policy it belongs to (position in the set)
  std::int64_t horizon_ms = 0;           // how far back evaluation may look (nested windows add up)
  bool needs_previous = false;           // reads the event before the oldest in the horizon
  source_span span;
};

/// Every temporal leaf of a policy set.
struct temporal_program {
  std::vector<node> nodes;
  std::vector<term> terms;
  std::vector<predicate> predicates;
  std::vector<aggregate> aggregates;
  std::vector<leaf> leaves;
  arena storage{1 << 12};  // sets and records of constant terms

  [[nodiscard]] bool empty() const noexcept { return leaves.empty(); }
  /// The largest horizon of any leaf: events older than this can never be read again.
  [[nodiscard]] std::int64_t max_horizon_ms() const noexcept {
    std::int64_t h = 0;
    for (const auto& l : leaves) h = l.horizon_ms > h ? l.horizon_ms : h;
    return h;
  }
};

}  // namespace mandate::detail::temporal
