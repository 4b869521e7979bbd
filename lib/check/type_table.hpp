// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The types the checker reasons with: the schema's types (imported with the same ids, so a
// schema type id is a checker type id), plus what only expressions have: the singleton
// booleans True and False (Cedar types `principal is User` as False when the principal is an
// Agent, and then skips the right side of `&&`), unions of entity types, the empty set, and
// `unknown`, given to an expression that already produced an error so that one mistake is
// reported once rather than at every operator above it.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "schema/schema_model.hpp"

namespace mandate::detail::typecheck {

using type_id = std::uint32_t;
inline constexpr type_id no_type = 0xFFFFFFFFU;

enum class type_kind : std::uint8_t {
  unknown,
  boolean,
  bool_true,
  bool_false,
  long_integer,
  string,
  entity,  // one of several entity types (joins never build a union, as in Cedar's strict mode)
  set,     // element == no_type for the empty set literal `[]`
  record,
  extension,  // name: ipaddr, decimal, datetime, duration
};

struct type_attribute {
  symbol name = 0;
  type_id type = no_type;
  bool required = true;
};

struct type_node {
  type_kind kind = type_kind::unknown;
  symbol name = 0;            // extension name
  type_id element = no_type;  // set
  std::uint32_t first = 0;    // record: attributes; entity: entity_names
  std::uint32_t count = 0;
  bool open = false;  // record with undeclared attributes
};

class type_table {
 public:
  explicit type_table(const schema_data& schema);

  [[nodiscard]] type_id unknown() const noexcept { return unknown_; }
  [[nodiscard]] type_id boolean() const noexcept { return bool_type_id; }
  [[nodiscard]] type_id bool_true() const noexcept { return true_; }
  [[nodiscard]] type_id bool_false() const noexcept { return false_; }
  [[nodiscard]] type_id long_integer() const noexcept { return long_type_id; }
  [[nodiscard]] type_id string() const noexcept { return string_type_id; }

  /// The union of `names` (any order, duplicates allowed).
  type_id entity(std::vector<symbol> names);
  type_id entity(symbol name) { return entity(std::vector<symbol>{name}); }
  /// Set<element>; `no_type` for the empty set.
  type_id set_of(type_id element);
  /// A closed record; `attributes` in any order.
  type_id record(std::vector<type_attribute> attributes);

  [[nodiscard]] const type_node& at(type_id id) const noexcept { return nodes_[id]; }
  [[nodiscard]] type_kind kind(type_id id) const noexcept { return nodes_[id].kind; }
  [[nodiscard]] std::span<const type_attribute> attributes(type_id record) const noexcept;
  [[nodiscard]] std::span<const symbol> entity_names(type_id entity) const noexcept;
  [[nodiscard]] const type_attribute* find_attribute(type_id record, symbol name) const noexcept;

  [[nodiscard]] bool is_boolean(type_id id) const noexcept;
  [[nodiscard]] bool is_extension(type_id id, std::string_view name) const noexcept;
  /// Bool for True and False, else the type itself.
  [[nodiscard]] type_id widen(type_id id) const noexcept;

  /// Cedar's spelling for messages: `Long`, `Set<String>`, `User`, `User | Agent`,
  /// `{ a: Long, b?: String }`; abbreviated when long.
  [[nodiscard]] std::string describe(type_id id) const;

  /// The least upper bound of two types, as Cedar's strict validation has it: `no_type` when
  /// they have none (a Long and a String; records with different attributes; two different
  /// entity types). `unknown` absorbs.
  type_id join(type_id a, type_id b);

 private:
  type_id add(type_node node);
  type_id join_bounded(type_id a, type_id b, std::uint32_t depth, std::uint32_t& budget);
  void describe_into(type_id id, std::string& out, std::uint32_t depth) const;

  std::vector<type_node> nodes_;
  std::vector<type_attribute> attributes_;
  std::vector<symbol> entity_names_;
  std::map<std::vector<symbol>, type_id> entity_cache_;
  std::unordered_map<type_id, type_id> set_cache_;
  type_id unknown_ = no_type;
  type_id true_ = no_type;
  type_id false_ = no_type;
  type_id empty_set_ = no_type;
};

}  // namespace mandate::detail::typecheck
