// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The policy AST: flat arrays with 32-bit indices (cel-cpp, simdjson's tape), so a policy set
// of 10,000 policies is a handful of vectors rather than a million small heap nodes.
// Every node carries the byte span it came from, for diagnostics and explanations.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "value/value.hpp"

namespace mandate::detail {

using expr_id = std::uint32_t;

/// Byte range in one source file.
struct source_span {
  std::uint32_t file = 0;
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
};

enum class expr_kind : std::uint8_t {
  literal,  // constant: literal_index into ast.literals
  var_principal,
  var_action,
  var_resource,
  var_context,
  slot_principal,  // ?principal (templates)
  slot_resource,   // ?resource
  logical_not,     // !a
  negate,          // -a
  logical_and,     // a && b
  logical_or,      // a || b
  if_then_else,    // if a then b else c
  equal,
  not_equal,
  less,
  less_equal,
  greater,
  greater_equal,
  in,  // a in b
  add,
  subtract,
  multiply,
  has,             // a has name[.name...]: names in lists[list_begin, +list_size]
  get_attr,        // a.name or a["name"]
  like,            // a like pattern: pattern index in `name`
  is,              // a is Type: type symbol in `name`
  is_in,           // a is Type in b
  set_literal,     // [e, ...]: element ids in lists
  record_literal,  // {k: e, ...}: (key symbol, expr id) pairs in lists
  method_call,     // a.name(args): receiver in `a`, args in lists
  function_call,   // name(args): extension constructors such as ip("...")
  temporal,        // temporal { ... }: a Bool computed from the session's history; leaf index in `name`
};

/// The operator's spelling for messages (`<`, `+`, `==`, ...); "?" for other kinds.
[[nodiscard]] const char* operator_text(expr_kind kind) noexcept;

struct expr {
  expr_kind kind = expr_kind::literal;
  expr_id a = 0;
  expr_id b = 0;
  expr_id c = 0;
  std::uint32_t name = 0;  // symbol, pattern index, or literal index, by kind
  std::uint32_t list_begin = 0;
  std::uint32_t list_size = 0;
  source_span span;
};

/// One element of a `like` pattern: a literal run or a `*`.
struct pattern_part {
  bool wildcard = false;
  std::string text;
};
using pattern = std::vector<pattern_part>;

enum class effect : std::uint8_t { permit, forbid, require_approval };

/// The effect as written: "permit", "forbid" or "require_approval".
[[nodiscard]] std::string_view effect_name(effect e) noexcept;

enum class scope_op : std::uint8_t {
  any,      // principal
  equal,    // principal == E
  in,       // principal in E
  is,       // principal is T
  is_in,    // principal is T in E
  in_list,  // action in [E, ...]
};

struct scope_constraint {
  scope_op op = scope_op::any;
  symbol type = 0;               // for is / is_in
  entity_uid entity;             // for equal / in / is_in
  bool slot = false;             // entity is a template slot (?principal / ?resource)
  std::vector<entity_uid> list;  // for in_list
  source_span span;
};

struct condition {
  bool is_when = true;  // when { } or unless { }
  expr_id body = 0;
  source_span span;
};

struct annotation {
  std::string key;
  std::string value;
  source_span span;
};

struct policy {
  effect kind = effect::permit;
  std::vector<annotation> annotations;
  scope_constraint principal;
  scope_constraint action;
  scope_constraint resource;
  std::vector<condition> conditions;
  std::uint32_t position = 0;  // ordinal in the policy set, counting policies that failed to parse
  source_span span;
  source_span effect_span;

  /// A template has a ?principal or ?resource slot; it decides nothing until linked.
  [[nodiscard]] bool is_template() const noexcept { return principal.slot || resource.slot; }

  [[nodiscard]] const annotation* find_annotation(std::string_view key) const noexcept {
    for (const auto& a : annotations)
      if (a.key == key) return &a;
    return nullptr;
  }
};

/// An ordered enumeration declared beside the policies (`ordered enum T ["low", "high"];`):
/// its levels are the entities T::"low", T::"high", ranked in the order written.
struct level_type {
  symbol type = 0;
  std::vector<symbol> levels;  // lowest first
  source_span span;
};

/// A source file with its line starts, for turning byte offsets into line:column.
struct source_file {
  std::string name;
  std::string text;
  std::vector<std::uint32_t> line_starts;  // byte offset of each line

  source_file(std::string file_name, std::string file_text);
  [[nodiscard]] std::uint32_t line_of(std::uint32_t offset) const noexcept;  // 1-based
  [[nodiscard]] std::string_view line_text(std::uint32_t line) const noexcept;
};

/// A `def temporal` or `def cedar` macro (Dogwood's macros). Bodies stay text until used:
/// a temporal body is parsed by lib/temporal at each block, a Cedar body at each call.
struct macro_declaration {
  bool is_temporal = true;
  std::string name;
  std::vector<std::string> params;  // without the leading `?`
  std::uint32_t file = 0;
  std::uint32_t body_begin = 0;  // byte offsets of the text between the braces
  std::uint32_t body_end = 0;
  source_span span;
};

/// A `temporal { ... }` block met by the parser, parsed once every file's macros are known.
struct temporal_block {
  expr_id node = 0;  // the expr_kind::temporal node whose `name` receives the leaf index
  std::uint32_t policy = 0;
  std::uint32_t file = 0;
  std::uint32_t body_begin = 0;
  std::uint32_t body_end = 0;
  source_span span;
};

struct policy_set_ast {
  std::vector<source_file> files;
  std::vector<policy> policies;
  std::uint32_t policies_seen = 0;  // policies met by the parser, good or bad: positional ids
  std::vector<level_type> level_types;
  std::vector<macro_declaration> macros;
  std::vector<temporal_block> temporal_blocks;
  std::vector<expr> exprs;
  std::vector<std::uint32_t> lists;
  std::vector<pattern> patterns;
  std::vector<value> literals;  // constants; sets and records live in `storage`
  arena storage{1 << 14};

  [[nodiscard]] const expr& at(expr_id id) const noexcept { return exprs[id]; }
  [[nodiscard]] std::span<const std::uint32_t> list(const expr& e) const noexcept {
    return {lists.data() + e.list_begin, e.list_size};
  }
};

}  // namespace mandate::detail
