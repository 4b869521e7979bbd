// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
#include "schema/schema_model.hpp"

#include <algorithm>

namespace mandate::detail {
namespace {

// A description longer than this is cut with "...": a deep, shared record could otherwise
// print exponentially much.
constexpr std::size_t max_description_bytes = 160;

void describe_into(const schema_data& s, schema_type_id id, std::string& out, std::uint32_t depth) {
  if (out.size() > max_description_bytes) return;
  if (id >= s.types.size() || depth > max_schema_type_depth) {
    out += "?";
    return;
  }
  const schema_type& t = s.types[id];
  switch (t.kind) {
    case schema_type_kind::boolean:
      out += "Bool";
      return;
    case schema_type_kind::long_integer:
      out += "Long";
      return;
    case schema_type_kind::string:
      out += "String";
      return;
    case schema_type_kind::entity:
    case schema_type_kind::extension:
      out += symbol_text(t.name);
      return;
    case schema_type_kind::set:
      out += "Set<";
      describe_into(s, t.element, out, depth + 1);
      out += ">";
      return;
    case schema_type_kind::record: {
      out += "{";
      bool first = true;
      for (const schema_attribute& a : s.record_attributes(id)) {
        if (out.size() > max_description_bytes) break;
        out += first ? " " : ", ";
        first = false;
        out += symbol_text(a.name);
        out += a.required ? ": " : "?: ";
        describe_into(s, a.type, out, depth + 1);
      }
      out += first ? "}" : " }";
      return;
    }
  }
}

}  // namespace

schema_data::schema_data() {
  auto add = [&](schema_type_kind kind, std::string_view name) {
    schema_type t;
    t.kind = kind;
    if (!name.empty()) t.name = intern(name);
    types.push_back(t);
  };
  add(schema_type_kind::boolean, "");
  add(schema_type_kind::long_integer, "");
  add(schema_type_kind::string, "");
  add(schema_type_kind::extension, "ipaddr");
  add(schema_type_kind::extension, "decimal");
  add(schema_type_kind::extension, "datetime");
  add(schema_type_kind::extension, "duration");
  add(schema_type_kind::record, "");
}

const entity_type_info* schema_data::find_entity_type(symbol name) const noexcept {
  const auto it = entity_index.find(name);
  return it == entity_index.end() ? nullptr : &entity_types[it->second];
}

const action_info* schema_data::find_action(entity_uid uid) const noexcept {
  const auto it = action_index.find(uid.key());
  return it == action_index.end() ? nullptr : &actions[it->second];
}

bool schema_data::is_action_type(symbol name) const noexcept {
  return std::find(action_types.begin(), action_types.end(), name) != action_types.end();
}

bool schema_data::may_be_in(symbol child, symbol ancestor) const noexcept {
  if (child == ancestor) return true;
  const entity_type_info* info = find_entity_type(child);
  if (info == nullptr) {
    // Actions: an action type may be in a group of another namespace's action type.
    if (!is_action_type(child)) return false;
    for (const action_info& a : actions) {
      if (a.uid.type != child) continue;
      for (const entity_uid& g : a.ancestors)
        if (g.type == ancestor) return true;
    }
    return false;
  }
  return std::binary_search(info->ancestors.begin(), info->ancestors.end(), ancestor);
}

bool schema_data::action_in(entity_uid action, entity_uid group) const noexcept {
  if (action == group) return true;
  const action_info* info = find_action(action);
  if (info == nullptr) return false;
  return std::any_of(info->ancestors.begin(), info->ancestors.end(),
                     [&](entity_uid g) { return g == group; });
}

std::span<const schema_attribute> schema_data::record_attributes(schema_type_id record) const noexcept {
  if (record >= types.size() || types[record].kind != schema_type_kind::record) return {};
  const schema_type& t = types[record];
  return {attributes.data() + t.first_attribute, t.attribute_count};
}

const schema_attribute* schema_data::find_attribute(schema_type_id record, symbol name) const noexcept {
  for (const schema_attribute& a : record_attributes(record))
    if (a.name == name) return &a;
  return nullptr;
}

std::string schema_data::describe(schema_type_id type) const {
  std::string out;
  describe_into(*this, type, out, 0);
  if (out.size() > max_description_bytes) {
    out.resize(max_description_bytes);
    out += "...";
  }
  return out;
}

}  // namespace mandate::detail
