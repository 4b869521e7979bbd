// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
#include "check/type_table.hpp"

#include <algorithm>

namespace mandate::detail::typecheck {
namespace {

// A description longer than this is cut: types built from shared common types could
// otherwise print exponentially much.
constexpr std::size_t max_description_bytes = 120;
// Joining two deep records that share structure could take exponentially many steps; past
// this many the join gives up and answers `unknown`, which accepts everything.
constexpr std::uint32_t join_step_budget = 4096;

}  // namespace

type_table::type_table(const schema_data& schema) {
  nodes_.reserve(schema.types.size() + 8);
  for (const schema_type& t : schema.types) {
    type_node n;
    switch (t.kind) {
      case schema_type_kind::boolean:
        n.kind = type_kind::boolean;
        break;
      case schema_type_kind::long_integer:
        n.kind = type_kind::long_integer;
        break;
      case schema_type_kind::string:
        n.kind = type_kind::string;
        break;
      case schema_type_kind::extension:
        n.kind = type_kind::extension;
        n.name = t.name;
        break;
      case schema_type_kind::set:
        n.kind = type_kind::set;
        n.element = t.element;  // schema ids are checker ids
        break;
      case schema_type_kind::entity:
        n.kind = type_kind::entity;
        n.first = static_cast<std::uint32_t>(entity_names_.size());
        n.count = 1;
        entity_names_.push_back(t.name);
        entity_cache_.emplace(std::vector<symbol>{t.name}, static_cast<type_id>(nodes_.size()));
        break;
      case schema_type_kind::record:
        n.kind = type_kind::record;
        n.first = static_cast<std::uint32_t>(attributes_.size());
        n.count = t.attribute_count;
        n.open = t.open;
        for (const schema_attribute& a : schema.record_attributes(static_cast<schema_type_id>(nodes_.size())))
          attributes_.push_back({a.name, a.type, a.required});
        break;
    }
    nodes_.push_back(n);
  }
  unknown_ = add({type_kind::unknown});
  true_ = add({type_kind::bool_true});
  false_ = add({type_kind::bool_false});
  empty_set_ = add({type_kind::set, 0, no_type});
}

type_id type_table::add(type_node node) {
  nodes_.push_back(node);
  return static_cast<type_id>(nodes_.size() - 1);
}

type_id type_table::entity(std::vector<symbol> names) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  if (const auto it = entity_cache_.find(names); it != entity_cache_.end()) return it->second;
  type_node n;
  n.kind = type_kind::entity;
  n.first = static_cast<std::uint32_t>(entity_names_.size());
  n.count = static_cast<std::uint32_t>(names.size());
  entity_names_.insert(entity_names_.end(), names.begin(), names.end());
  const type_id id = add(n);
  entity_cache_.emplace(std::move(names), id);
  return id;
}

type_id type_table::set_of(type_id element) {
  if (element == no_type) return empty_set_;
  if (const auto it = set_cache_.find(element); it != set_cache_.end()) return it->second;
  const type_id id = add({type_kind::set, 0, element});
  set_cache_.emplace(element, id);
  return id;
}

type_id type_table::record(std::vector<type_attribute> attributes) {
  std::sort(attributes.begin(), attributes.end(), [](const type_attribute& a, const type_attribute& b) {
    return symbol_text(a.name) < symbol_text(b.name);
  });
  type_node n;
  n.kind = type_kind::record;
  n.first = static_cast<std::uint32_t>(attributes_.size());
  n.count = static_cast<std::uint32_t>(attributes.size());
  attributes_.insert(attributes_.end(), attributes.begin(), attributes.end());
  return add(n);
}

std::span<const type_attribute> type_table::attributes(type_id record) const noexcept {
  const type_node& n = nodes_[record];
  if (n.kind != type_kind::record) return {};
  return {attributes_.data() + n.first, n.count};
}

std::span<const symbol> type_table::entity_names(type_id entity) const noexcept {
  const type_node& n = nodes_[entity];
  if (n.kind != type_kind::entity) return {};
  return {entity_names_.data() + n.first, n.count};
}

const type_attribute* type_table::find_attribute(type_id record, symbol name) const noexcept {
  for (const type_attribute& a : attributes(record))
    if (a.name == name) return &a;
  return nullptr;
}

bool type_table::is_boolean(type_id id) const noexcept {
  const type_kind k = nodes_[id].kind;
  return k == type_kind::boolean || k == type_kind::bool_true || k == type_kind::bool_false;
}

bool type_table::is_extension(type_id id, std::string_view name) const noexcept {
  return nodes_[id].kind == type_kind::extension && symbol_text(nodes_[id].name) == name;
}

type_id type_table::widen(type_id id) const noexcept { return is_boolean(id) ? boolean() : id; }

void type_table::describe_into(type_id id, std::string& out, std::uint32_t depth) const {
  if (out.size() > max_description_bytes) return;
  if (id == no_type || id >= nodes_.size() || depth > max_schema_type_depth) {
    out += "?";
    return;
  }
  const type_node& n = nodes_[id];
  switch (n.kind) {
    case type_kind::unknown:
      out += "?";
      return;
    case type_kind::boolean:
    case type_kind::bool_true:
    case type_kind::bool_false:
      out += "Bool";
      return;
    case type_kind::long_integer:
      out += "Long";
      return;
    case type_kind::string:
      out += "String";
      return;
    case type_kind::extension:
      out += symbol_text(n.name);
      return;
    case type_kind::entity: {
      std::vector<std::string_view> names;
      for (symbol s : entity_names(id)) names.push_back(symbol_text(s));
      std::sort(names.begin(), names.end());
      for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out += " | ";
        out += names[i];
      }
      return;
    }
    case type_kind::set:
      if (n.element == no_type) {
        out += "Set (empty)";
        return;
      }
      out += "Set<";
      describe_into(n.element, out, depth + 1);
      out += ">";
      return;
    case type_kind::record: {
      out += "{";
      bool first = true;
      for (const type_attribute& a : attributes(id)) {
        if (out.size() > max_description_bytes) break;
        out += first ? " " : ", ";
        first = false;
        out += symbol_text(a.name);
        out += a.required ? ": " : "?: ";
        describe_into(a.type, out, depth + 1);
      }
      out += first ? "}" : " }";
      return;
    }
  }
}

std::string type_table::describe(type_id id) const {
  std::string out;
  describe_into(id, out, 0);
  if (out.size() > max_description_bytes) {
    out.resize(max_description_bytes);
    out += "...";
  }
  return out;
}

type_id type_table::join(type_id a, type_id b) {
  std::uint32_t budget = join_step_budget;
  return join_bounded(a, b, 0, budget);
}

type_id type_table::join_bounded(type_id a, type_id b, std::uint32_t depth, std::uint32_t& budget) {
  if (a == b) return a;
  if (a == no_type || b == no_type) return no_type;
  if (budget == 0 || depth > 2 * max_schema_type_depth) return unknown_;
  --budget;
  const type_node na = nodes_[a];
  const type_node nb = nodes_[b];
  if (na.kind == type_kind::unknown || nb.kind == type_kind::unknown) return unknown_;
  if (is_boolean(a) && is_boolean(b)) return boolean();
  if (na.kind != nb.kind) return no_type;
  switch (na.kind) {
    case type_kind::long_integer:
    case type_kind::string:
      return a;
    case type_kind::extension:
      return na.name == nb.name ? a : no_type;
    case type_kind::entity:
      // Cedar's strict validation has no union of entity types: a set of Users and Agents, or
      // an `if` giving a User on one branch and an Agent on the other, is a type error. (Equal
      // entity types have equal ids, handled above.)
      return no_type;
    case type_kind::set: {
      if (na.element == no_type) return b;
      if (nb.element == no_type) return a;
      const type_id element = join_bounded(na.element, nb.element, depth + 1, budget);
      return element == no_type ? no_type : set_of(element);
    }
    case type_kind::record: {
      // Records join only when they declare the same attributes (Cedar's strict mode): a
      // record with an extra attribute is a different shape, and `==` between them is a mistake.
      if (na.count != nb.count) return no_type;
      std::vector<type_attribute> joined;
      for (std::uint32_t i = 0; i < na.count; ++i) {
        const type_attribute left = attributes_[na.first + i];
        const type_attribute* right = find_attribute(b, left.name);
        if (right == nullptr) return no_type;
        const type_id right_type = right->type;
        const bool right_required = right->required;
        const type_id t = join_bounded(left.type, right_type, depth + 1, budget);
        if (t == no_type) return no_type;
        joined.push_back({left.name, t, left.required && right_required});
      }
      const type_id id = record(std::move(joined));
      nodes_[id].open = na.open || nb.open;
      return id;
    }
    default:
      return no_type;
  }
}

}  // namespace mandate::detail::typecheck
