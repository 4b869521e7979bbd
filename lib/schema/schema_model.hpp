// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The resolved schema: what both schema forms (text and JSON) turn into, and what the type
// checker reads. Every name is resolved and interned, common types are expanded, and the
// hierarchy is closed transitively, so the checker asks "may a User be in a Group?" with one
// lookup. Types are a flat table indexed by 32-bit ids (like the policy AST); a common type
// used in many places is one shared entry, so expansion never copies.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/symbol.hpp"
#include "mandate/schema.hpp"
#include "value/value.hpp"

namespace mandate::detail {

using schema_type_id = std::uint32_t;
inline constexpr schema_type_id no_schema_type = 0xFFFFFFFFU;

/// How deep `Set<...>` and records may nest as written (both forms), and how deep a type may
/// become once common types are expanded. Bounds every recursion over types.
inline constexpr std::uint32_t max_schema_type_nesting = 64;
inline constexpr std::uint32_t max_schema_type_depth = 128;

enum class schema_type_kind : std::uint8_t { boolean, long_integer, string, entity, set, record, extension };

/// One attribute of a record type (or of an entity's shape, or of an action's context).
struct schema_attribute {
  symbol name = 0;
  schema_type_id type = no_schema_type;
  bool required = true;
};

struct schema_type {
  schema_type_kind kind = schema_type_kind::boolean;
  /// entity: the fully qualified entity type; extension: "ipaddr", "decimal", "datetime" or
  /// "duration".
  symbol name = 0;
  schema_type_id element = no_schema_type;  // set
  /// record: attributes[first_attribute, +attribute_count), sorted by name text.
  std::uint32_t first_attribute = 0;
  std::uint32_t attribute_count = 0;
  /// record: may hold attributes beyond those listed (JSON "additionalAttributes": true).
  bool open = false;
};

struct schema_annotation {
  std::string key;
  std::string value;
};

struct entity_type_info {
  symbol name = 0;                // fully qualified
  std::vector<symbol> parents;    // declared parent types (`in [...]`), resolved
  std::vector<symbol> ancestors;  // every type an entity of this type may be `in`, transitively; sorted
  schema_type_id shape = no_schema_type;  // a record (the empty record when none was declared)
  schema_type_id tags = no_schema_type;   // no_schema_type: entities of this type carry no tags
  bool enumerated = false;                // `entity Color enum ["red", "green"]`
  std::vector<symbol> enum_ids;           // the allowed ids of an enumerated type, in declaration order
  std::vector<schema_annotation> annotations;
};

struct action_info {
  entity_uid uid;                       // type `Action` or `Ns::Action`
  std::vector<entity_uid> parents;      // action groups it is declared `in`
  std::vector<entity_uid> ancestors;    // transitively; sorted by key()
  bool has_applies_to = false;          // false: no request may name this action (a pure group)
  std::vector<symbol> principal_types;  // resolved entity types, declaration order
  std::vector<symbol> resource_types;
  schema_type_id context = no_schema_type;  // a record (the empty record when none was declared)
  std::vector<schema_annotation> annotations;
};

/// Fixed ids of the built-in types: every schema_data starts with these entries.
inline constexpr schema_type_id bool_type_id = 0;
inline constexpr schema_type_id long_type_id = 1;
inline constexpr schema_type_id string_type_id = 2;
inline constexpr schema_type_id ipaddr_type_id = 3;
inline constexpr schema_type_id decimal_type_id = 4;
inline constexpr schema_type_id datetime_type_id = 5;
inline constexpr schema_type_id duration_type_id = 6;
inline constexpr schema_type_id empty_record_type_id = 7;
inline constexpr schema_type_id first_declared_type_id = 8;

struct schema_data {
  std::vector<schema_type> types;
  std::vector<schema_attribute> attributes;
  std::vector<entity_type_info> entity_types;  // sorted by name text
  std::vector<action_info> actions;            // sorted by type text, then id text
  std::vector<symbol> action_types;  // `Action`, `Ns::Action` for each namespace with actions; sorted
  std::unordered_map<symbol, std::uint32_t> entity_index;         // name -> entity_types index
  std::unordered_map<std::uint64_t, std::uint32_t> action_index;  // uid key -> actions index

  /// A schema holding only the built-in types.
  schema_data();

  [[nodiscard]] const entity_type_info* find_entity_type(symbol name) const noexcept;
  [[nodiscard]] const action_info* find_action(entity_uid uid) const noexcept;
  /// True for `Action` and `Ns::Action` when that namespace declares actions.
  [[nodiscard]] bool is_action_type(symbol name) const noexcept;
  /// True when an entity of type `child` may be `in` an entity of type `ancestor`: the same
  /// type (`in` is reflexive), or an ancestor in the declared hierarchy.
  [[nodiscard]] bool may_be_in(symbol child, symbol ancestor) const noexcept;
  /// True when action `action` is `group` or a member of it, directly or transitively.
  [[nodiscard]] bool action_in(entity_uid action, entity_uid group) const noexcept;

  [[nodiscard]] std::span<const schema_attribute> record_attributes(schema_type_id record) const noexcept;
  [[nodiscard]] const schema_attribute* find_attribute(schema_type_id record, symbol name) const noexcept;

  /// Cedar's spelling of a type for messages: `Long`, `Set<String>`, `User`, `{ a: Long, b?: String }`.
  /// Long records are abbreviated.
  [[nodiscard]] std::string describe(schema_type_id type) const;

  static schema publish(std::shared_ptr<const schema_data> data) { return schema(std::move(data)); }
};

}  // namespace mandate::detail
