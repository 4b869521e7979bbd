// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Cedar's schema-directed JSON: values read as a schema types them. Where the schema says
// `ipaddr`, the string "10.0.0.1" is an IP address; where it says `User`, {"type": "User",
// "id": "alice"} is an entity reference; records are read field by field with their declared
// types. Cedar reads entity data and request contexts this way whenever it is given a schema,
// and so does its integration corpus. The schema-less converters of cedar_json.hpp do the rest.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/arena.hpp"
#include "json/cedar_json.hpp"
#include "schema/schema_model.hpp"
#include "value/value.hpp"

namespace mandate::detail {

/// How far the schema's word goes when reading a value.
enum class schema_reading : std::uint8_t {
  /// Every value must have the type the schema gives it, as Cedar requires of entity data and of
  /// a validated request's context: a mismatch, a missing required attribute or an undeclared
  /// one is an error.
  conform,
  /// The schema only helps: a value that does not fit its type is read as if there were no
  /// schema and an undeclared attribute is read without the schema; a missing required one is
  /// still an error, as in Cedar. For requests whose validation was turned off.
  guide,
};

// Like the converters of cedar_json.hpp, these use `error.path` as their running position: the
// caller sets it to where `in` sits, and on failure it ends at the offending value (for an
// undeclared attribute, at that attribute; for a missing one, at the record that lacks it).

/// Converts `in` as a value of type `type` of `s`, allocating in `storage`.
[[nodiscard]] bool typed_value_from_json(const nlohmann::json& in, const schema_data& s, schema_type_id type,
                                         schema_reading reading, arena& storage, value& out,
                                         json_error& error);

/// Converts the JSON object `in` as a record of type `record` (an entity's attributes, a
/// context). The object is never read as an escape: an attribute may be named "__entity".
/// `holder` names the record in the message about a missing attribute ("the entity",
/// "the context"); nested records are "the record".
[[nodiscard]] bool typed_record_from_json(const nlohmann::json& in, const schema_data& s,
                                          schema_type_id record, std::string_view holder,
                                          schema_reading reading, arena& storage, value& out,
                                          json_error& error);

/// Converts the JSON object `in`, whose members all have type `member_type` (an entity's tags),
/// into a record.
[[nodiscard]] bool typed_map_from_json(const nlohmann::json& in, const schema_data& s,
                                       schema_type_id member_type, schema_reading reading, arena& storage,
                                       value& out, json_error& error);

/// Empty when `uid` may exist as far as enumerated entity types go; otherwise why not:
/// `Color is an enumerated entity type, but "purple" is not one of its ids ("red", "green")`.
[[nodiscard]] std::string enumerated_id_problem(const schema_data& s, entity_uid uid);

/// True for Cedar's action entities: those whose type is `Action` or ends in `::Action`.
[[nodiscard]] bool is_action_entity_type(symbol type) noexcept;

}  // namespace mandate::detail
