// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
#include "json/schema_json.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "base/symbol.hpp"
#include "schema/suggest.hpp"
#include "value/extensions.hpp"

namespace mandate::detail {
namespace {

using nlohmann::json;

// A value quoted in a message is cut here: a mismatched set or record can be any size.
constexpr std::size_t max_rendered_value_bytes = 80;
// The ids of an enumerated type listed in a message, at most.
constexpr std::size_t max_listed_ids = 8;

bool fail(json_error& error, std::string message) {
  error.message = std::move(message);
  return false;
}

std::string render_value(const value& v) {
  std::string text = to_cedar(v);
  if (text.size() <= max_rendered_value_bytes) return text;
  std::size_t cut = max_rendered_value_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
  text.resize(cut);
  return text + "...";
}

// Cedar's name for the type a value has: an entity's own type rather than "Entity".
std::string type_of_value(const value& v) {
  if (v.kind == value_kind::entity) return std::string(symbol_text(v.entity.type));
  return kind_name(v.kind);
}

// The constructor Cedar calls implicitly on a string where the schema expects an extension type,
// and the kind of value it makes.
struct implicit_constructor {
  std::string_view function;
  value_kind kind = value_kind::string;
};

bool constructor_for(std::string_view extension_type, implicit_constructor& out) noexcept {
  if (extension_type == "ipaddr") {
    out = {"ip", value_kind::ip};
  } else if (extension_type == "decimal") {
    out = {"decimal", value_kind::decimal};
  } else if (extension_type == "datetime") {
    out = {"datetime", value_kind::datetime};
  } else if (extension_type == "duration") {
    out = {"duration", value_kind::duration};
  } else {
    return false;
  }
  return true;
}

class typed_reader {
 public:
  typed_reader(const schema_data& s, schema_reading reading, arena& storage, json_error& error)
      : schema_(s), reading_(reading), storage_(storage), error_(error) {}

  // The recursion follows the JSON's nesting, which parse_json bounds (max_json_depth): each
  // call for a set element or a record field goes one JSON level down.
  bool read(const json& in, schema_type_id type, value& out) {
    if (in.is_binary()) return fail(error_, json_marker_problem(in));
    if (type >= schema_.types.size()) return fail(error_, "internal error: the schema has no such type");
    const schema_type& t = schema_.types[type];
    switch (t.kind) {
      case schema_type_kind::boolean:
        if (in.is_boolean()) return cedar_value_from_json(in, storage_, out, error_);
        return mismatch(in, type, out);
      case schema_type_kind::long_integer:
        if (in.is_number_integer()) return cedar_value_from_json(in, storage_, out, error_);
        return mismatch(in, type, out);
      case schema_type_kind::string:
        if (in.is_string()) return cedar_value_from_json(in, storage_, out, error_);
        return mismatch(in, type, out);
      case schema_type_kind::entity:
        return read_entity(in, type, out);
      case schema_type_kind::set:
        return read_set(in, type, out);
      case schema_type_kind::record:
        if (!in.is_object()) return mismatch(in, type, out);
        return read_record(in, type, "the record", out);
      case schema_type_kind::extension:
        return read_extension(in, type, out);
    }
    return fail(error_, "internal error: unknown kind of schema type");
  }

  bool read_record(const json& in, schema_type_id type, std::string_view holder, value& out) {
    if (in.is_binary()) return fail(error_, json_marker_problem(in));
    if (type >= schema_.types.size() || schema_.types[type].kind != schema_type_kind::record) {
      return read(in, type, out);
    }
    if (!in.is_object()) return mismatch(in, type, out);
    const std::span<const schema_attribute> declared = schema_.record_attributes(type);
    const bool open = schema_.types[type].open;
    std::vector<symbol> keys;
    std::vector<value> values;
    keys.reserve(in.size());
    values.reserve(in.size());
    // Both sides are sorted by name text (nlohmann's objects are std::maps; the schema sorts its
    // attributes), so one merged walk finds the missing, the undeclared and the matching ones.
    auto member = in.begin();
    std::size_t next = 0;
    while (member != in.end() || next < declared.size()) {
      int order = 0;
      if (member == in.end()) {
        order = 1;
      } else if (next == declared.size()) {
        order = -1;
      } else {
        order = member.key().compare(symbol_text(declared[next].name));
      }
      if (order > 0) {  // declared, absent from the JSON
        // Cedar requires every required attribute even of a request it does not validate.
        if (declared[next].required) {
          return fail(error_, fmt::format("expected {} to have attribute {}, but it does not", holder,
                                          quote(symbol_text(declared[next].name))));
        }
        ++next;
        continue;
      }
      path_step step(error_, member.key());
      keys.push_back(intern(member.key()));
      values.emplace_back();
      bool ok = false;
      if (order < 0) {  // in the JSON, not declared
        if (!open && conforming()) {
          std::vector<std::string_view> names;
          names.reserve(declared.size());
          for (const schema_attribute& a : declared) names.push_back(symbol_text(a.name));
          return fail(error_, "not declared in the schema" + did_you_mean(member.key(), names));
        }
        ok = cedar_value_from_json(member.value(), storage_, values.back(), error_);
      } else {
        ok = read(member.value(), declared[next].type, values.back());
        ++next;
      }
      if (!step.done(ok)) return false;
      ++member;
    }
    if (!make_record(storage_, keys, values, out)) return fail(error_, "duplicate key in record");
    return true;
  }

  bool read_map(const json& in, schema_type_id member_type, value& out) {
    if (in.is_binary()) return fail(error_, json_marker_problem(in));
    if (!in.is_object())
      return fail(error_, fmt::format("expected an object of Cedar values, not {}", json_kind(in)));
    std::vector<symbol> keys;
    std::vector<value> values(in.size());
    keys.reserve(in.size());
    std::size_t i = 0;
    for (const auto& [key, member] : in.items()) {
      path_step step(error_, key);
      keys.push_back(intern(key));
      if (!step.done(read(member, member_type, values[i++]))) return false;
    }
    if (!make_record(storage_, keys, values, out)) return fail(error_, "duplicate key in record");
    return true;
  }

 private:
  [[nodiscard]] bool conforming() const noexcept { return reading_ == schema_reading::conform; }

  // `in` does not have the form `type` asks for. Guided, it is read as if there were no schema;
  // conforming, that reading only serves to say what it is instead.
  bool mismatch(const json& in, schema_type_id type, value& out) {
    value actual;
    if (!cedar_value_from_json(in, storage_, actual, error_)) return false;
    if (!conforming()) {
      out = actual;
      return true;
    }
    return mismatch_message(actual, type);
  }

  bool mismatch_message(const value& actual, schema_type_id type) {
    return fail(error_, fmt::format("type mismatch: value was expected to have type {}, but it actually has "
                                    "type {}: {}",
                                    schema_.describe(type), type_of_value(actual), render_value(actual)));
  }

  // {"type": T, "id": I} with or without the "__entity" wrapper.
  bool read_entity(const json& in, schema_type_id type, value& out) {
    if (!in.is_object() || in.contains("__extn")) return mismatch(in, type, out);
    json_error attempt;
    attempt.path = error_.path;
    entity_uid uid;
    if (!entity_uid_from_json(in, uid, attempt)) {
      if (!conforming()) return mismatch(in, type, out);  // a record after all
      error_ = std::move(attempt);
      return false;
    }
    out = value::of_entity(uid);
    // Guided, a reference to an entity of another type stays one: its form says what it is, and
    // reading it as a record with "type" and "id" fields would only hide that.
    if (!conforming()) return true;
    if (uid.type != schema_.types[type].name) return mismatch_message(out, type);
    if (std::string problem = enumerated_id_problem(schema_, uid); !problem.empty()) {
      return fail(error_, std::move(problem));
    }
    return true;
  }

  bool read_set(const json& in, schema_type_id type, value& out) {
    if (!in.is_array()) return mismatch(in, type, out);
    const schema_type_id element = schema_.types[type].element;
    std::vector<value> items(in.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      path_step step(error_, i);
      if (!step.done(read(in[i], element, items[i]))) return false;
    }
    out = make_set(storage_, items);
    return true;
  }

  // A string (Cedar's implicit constructor: "10.0.0.1" for an ipaddr), {"fn": F, "arg": A}
  // (an implicit escape), or the explicit {"__extn": {...}}.
  bool read_extension(const json& in, schema_type_id type, value& out) {
    implicit_constructor constructor;
    if (!constructor_for(symbol_text(schema_.types[type].name), constructor)) {
      return fail(error_, fmt::format("internal error: unknown extension type {}",
                                      symbol_text(schema_.types[type].name)));
    }
    value made;
    if (in.is_string()) {
      const value argument = value::of_string(intern(in.get_ref<const std::string&>()));
      std::string message;
      if (call_extension_function(constructor.function, std::span(&argument, 1), storage_, made, message)) {
        out = made;
        return true;
      }
      if (!conforming()) {
        out = argument;  // not a literal of that type: just a string
        return true;
      }
      return fail(error_, std::move(message));
    }
    if (in.is_object() && in.contains("fn") && !in.contains("__extn")) {
      json_error attempt;
      attempt.path = error_.path;
      if (!cedar_extension_call_from_json(in, storage_, made, attempt)) {
        if (!conforming()) return mismatch(in, type, out);
        error_ = std::move(attempt);
        return false;
      }
    } else if (in.is_object() && in.contains("__extn")) {
      if (!cedar_value_from_json(in, storage_, made, error_)) return false;
    } else {
      return mismatch(in, type, out);
    }
    out = made;
    if (made.kind == constructor.kind || !conforming()) return true;
    return mismatch_message(made, type);
  }

  const schema_data& schema_;
  schema_reading reading_;
  arena& storage_;
  json_error& error_;
};

}  // namespace

bool typed_value_from_json(const json& in, const schema_data& s, schema_type_id type, schema_reading reading,
                           arena& storage, value& out, json_error& error) {
  return typed_reader(s, reading, storage, error).read(in, type, out);
}

bool typed_record_from_json(const json& in, const schema_data& s, schema_type_id record,
                            std::string_view holder, schema_reading reading, arena& storage, value& out,
                            json_error& error) {
  return typed_reader(s, reading, storage, error).read_record(in, record, holder, out);
}

bool typed_map_from_json(const json& in, const schema_data& s, schema_type_id member_type,
                         schema_reading reading, arena& storage, value& out, json_error& error) {
  return typed_reader(s, reading, storage, error).read_map(in, member_type, out);
}

std::string enumerated_id_problem(const schema_data& s, entity_uid uid) {
  const entity_type_info* info = s.find_entity_type(uid.type);
  if (info == nullptr || !info->enumerated) return {};
  if (std::find(info->enum_ids.begin(), info->enum_ids.end(), uid.id) != info->enum_ids.end()) return {};
  std::string listed;
  for (std::size_t i = 0; i < info->enum_ids.size() && i < max_listed_ids; ++i) {
    if (i > 0) listed += ", ";
    listed += quote(symbol_text(info->enum_ids[i]));
  }
  if (info->enum_ids.size() > max_listed_ids) listed += ", ...";
  return fmt::format("{} is an enumerated entity type, but {} is not declared as one of its ids ({})",
                     symbol_text(uid.type), quote(symbol_text(uid.id)), listed);
}

bool is_action_entity_type(symbol type) noexcept {
  const std::string_view name = symbol_text(type);
  return name == "Action" || name.ends_with("::Action");
}

}  // namespace mandate::detail
