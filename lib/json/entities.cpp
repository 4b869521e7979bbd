// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The public entity_store: Cedar's entity JSON read into interned records, with every entity's
// ancestors computed once at load time so `in` is a binary search. With a schema, values are read
// as the schema types them and every entity must conform to it, as in Cedar; the schema's actions
// join the store.
#include "mandate/entities.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "json/cedar_json.hpp"
#include "json/schema_json.hpp"
#include "mandate/schema.hpp"
#include "schema/schema_model.hpp"
#include "schema/suggest.hpp"
#include "value/store.hpp"

namespace mandate {
inline namespace v0 {
namespace {

using nlohmann::json;

// Reporting stops here: after a few dozen, more of the same helps nobody.
constexpr std::size_t max_reported_errors = 20;

// Diagnostics carry 32-bit offsets.
constexpr std::size_t max_entities_bytes = std::numeric_limits<std::uint32_t>::max();

// Names (types, action groups) listed in a message, at most.
constexpr std::size_t max_listed_names = 8;

// "A, B, C" from names already in the order wanted, cut after max_listed_names.
std::string list_names(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < max_listed_names; ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  if (names.size() > max_listed_names) out += ", ...";
  return out;
}

// The groups of an action as uid keys, rendered for a message: `[Action::"read"]`, `no groups`.
std::string describe_groups(const std::vector<std::uint64_t>& keys) {
  if (keys.empty()) return "no groups";
  std::vector<std::string> names;
  names.reserve(keys.size());
  for (std::uint64_t key : keys) {
    names.push_back(detail::to_cedar(detail::entity_uid{static_cast<detail::symbol>(key >> 32),
                                                        static_cast<detail::symbol>(key & 0xFFFFFFFFU)}));
  }
  std::sort(names.begin(), names.end());
  return "[" + list_names(names) + "]";
}

const json& empty_json_object() {
  static const json empty = json::object();
  return empty;
}

class entity_loader {
 public:
  /// Without a schema (null), values are read in Cedar's schema-less JSON form.
  entity_loader(std::string_view text, std::string_view source_name, const entity_limits& limits,
                const detail::schema_data* schema = nullptr)
      : text_(text), source_name_(source_name), limits_(limits), schema_(schema) {}

  expected<entity_store, std::vector<diagnostic>> run() {
    if (text_.size() > max_entities_bytes) {
      report("json", fmt::format("entity JSON is {} bytes; the limit is 4 GiB", text_.size()), {});
      return unexpected(std::move(diagnostics_));
    }
    json document;
    detail::json_error error;
    if (!detail::parse_json(text_, document, error)) {
      report("json", std::move(error.message), error);
      return unexpected(std::move(diagnostics_));
    }
    if (!document.is_array()) {
      error.offset = text_.find_first_not_of(" \t\r\n");  // the value itself; npos is no_offset
      report("entities",
             fmt::format(
                 R"(entity JSON must be an array of {{"uid", "attrs", "parents", "tags"}} objects, not {})",
                 detail::json_kind(document)),
             error);
      return unexpected(std::move(diagnostics_));
    }

    auto data = std::make_shared<detail::entity_data>();
    data->records.reserve(document.size());
    data->index.reserve(document.size());
    for (std::size_t i = 0; i < document.size() && diagnostics_.size() < max_reported_errors; ++i) {
      detail::entity_record record;
      if (!load_entity(document[i], i, *data, record)) continue;
      auto [slot, added] =
          data->index.emplace(record.uid.key(), static_cast<std::uint32_t>(data->records.size()));
      if (!added) {
        fail(i, &record.uid, path_to(i, "uid"),
             fmt::format("duplicate uid, first defined by entity {}", first_index_[slot->second]));
        continue;
      }
      first_index_.push_back(i);
      if (schema_ != nullptr && detail::is_action_entity_type(record.uid.type)) {
        given_actions_.push_back({static_cast<std::uint32_t>(data->records.size()), i});
      }
      data->records.push_back(std::move(record));
    }
    if (!diagnostics_.empty()) return unexpected(std::move(diagnostics_));
    if (schema_ != nullptr && !add_schema_actions(*data)) return unexpected(std::move(diagnostics_));
    if (!close_hierarchy(*data)) return unexpected(std::move(diagnostics_));
    return detail::entity_data::publish(std::move(data));
  }

 private:
  bool load_entity(const json& item, std::size_t index, detail::entity_data& data,
                   detail::entity_record& record) {
    if (!item.is_object()) {
      std::string problem = detail::json_marker_problem(item);
      return fail(index, nullptr, path_to(index),
                  !problem.empty()
                      ? problem
                      : fmt::format(R"(must be an object with "uid", "attrs", "parents" and "tags", not {})",
                                    detail::json_kind(item)));
    }
    const auto uid = item.find("uid");
    if (uid == item.end()) return fail(index, nullptr, path_to(index), R"(missing "uid")");
    detail::json_error error;
    error.path = path_to(index, "uid");
    if (!detail::entity_uid_from_json(*uid, record.uid, error)) {
      return fail(index, nullptr, error.path, R"("uid": )" + error.message);
    }

    for (const auto& [key, member] : item.items()) {
      if (std::string problem = detail::json_marker_problem(member); !problem.empty()) {
        return fail(index, &record.uid, path_to(index, key), std::move(problem));
      }
      if (key != "uid" && key != "attrs" && key != "parents" && key != "tags") {
        // Cedar ignores unknown fields; a misspelt "parent" silently dropping an entity's groups is
        // too dangerous for an authorizer to copy.
        return fail(
            index, &record.uid, path_to(index, key),
            fmt::format(R"(unknown field "{}" (an entity has "uid", "attrs", "parents" and "tags"))", key));
      }
    }

    record.attributes = detail::empty_record();
    record.tags = detail::empty_record();
    if (schema_ != nullptr) {
      if (!load_conforming(item, index, data.storage, record)) return false;
    } else {
      if (!load_record(item, "attrs", "attribute", index, record.uid, data.storage, record.attributes))
        return false;
      if (!load_record(item, "tags", "tag", index, record.uid, data.storage, record.tags)) return false;
    }

    const auto parents = item.find("parents");
    if (parents == item.end() || parents->is_null()) return true;
    if (!parents->is_array()) {
      return fail(index, &record.uid, path_to(index, "parents"),
                  fmt::format(R"("parents" must be an array of entity references, not {})",
                              detail::json_kind(*parents)));
    }
    record.parents.resize(parents->size());
    for (std::size_t p = 0; p < parents->size(); ++p) {
      error.path = path_to(index, "parents");
      error.path.push_back(detail::json_step::element(p));
      if (!detail::entity_uid_from_json((*parents)[p], record.parents[p], error)) {
        return fail(index, &record.uid, error.path, fmt::format("parent {}: {}", p, error.message));
      }
      if (schema_ != nullptr) {
        if (std::string problem = parent_problem(record.uid, record.parents[p]); !problem.empty())
          return fail(index, &record.uid, error.path, fmt::format("parent {}: {}", p, problem));
      }
    }
    return true;
  }

  // Schema-directed reading of "attrs" and "tags", and the checks Cedar makes of an entity's uid.
  bool load_conforming(const json& item, std::size_t index, detail::arena& storage,
                       detail::entity_record& record) {
    const detail::entity_uid uid = record.uid;
    const std::string_view type_name = detail::symbol_text(uid.type);
    if (detail::is_action_entity_type(uid.type)) {
      // An action in the data must be the schema's action exactly; its groups are compared once
      // the hierarchy is closed (add_schema_actions).
      if (schema_->find_action(uid) == nullptr)
        return fail(index, &uid, path_to(index, "uid"),
                    "found an action entity that the schema does not declare");
      struct part {
        const char* field;
        const char* key_word;
        const char* plural;
      };
      for (const part& p : {part{"attrs", "attribute", "attributes"}, part{"tags", "tag", "tags"}}) {
        detail::value read = detail::empty_record();
        if (!load_record(item, p.field, p.key_word, index, uid, storage, read)) return false;
        if (read.record->size > 0) {
          return fail(
              index, &uid, path_to(index, p.field),
              fmt::format("the definition of this action does not match its schema declaration: the "
                          "schema gives actions no {}; omit the action from the entity data to use the "
                          "schema's",
                          p.plural));
        }
      }
      return true;
    }
    const detail::entity_type_info* type = schema_->find_entity_type(uid.type);
    if (type == nullptr) {
      std::vector<std::string_view> names;
      for (const detail::entity_type_info& t : schema_->entity_types)
        names.push_back(detail::symbol_text(t.name));
      return fail(index, &uid, path_to(index, "uid"),
                  fmt::format("entity type {} is not declared in the schema{}", type_name,
                              detail::did_you_mean(type_name, names)));
    }
    if (std::string problem = detail::enumerated_id_problem(*schema_, uid); !problem.empty())
      return fail(index, &uid, path_to(index, "uid"), problem);

    const detail::schema_type_id shape =
        type->shape == detail::no_schema_type ? detail::empty_record_type_id : type->shape;
    if (!load_typed(item, "attrs", "attribute", index, uid, record.attributes,
                    [&](const json& in, detail::value& out, detail::json_error& error) {
                      return detail::typed_record_from_json(in, *schema_, shape, "the entity",
                                                            detail::schema_reading::conform, storage, out,
                                                            error);
                    })) {
      return false;
    }
    if (type->tags == detail::no_schema_type) {
      const auto tags = item.find("tags");
      if (tags != item.end() && tags->is_object() && !tags->empty()) {
        const std::string& first = tags->begin().key();
        detail::json_path path = path_to(index, "tags");
        path.push_back(detail::json_step::member(first));
        return fail(index, &uid, path,
                    fmt::format("found tag {}, but the schema declares no tags for {}", detail::quote(first),
                                type_name));
      }
    }
    const detail::schema_type_id tag_type = type->tags;
    return tag_type == detail::no_schema_type
               ? load_record(item, "tags", "tag", index, uid, storage, record.tags)
               : load_typed(item, "tags", "tag", index, uid, record.tags,
                            [&](const json& in, detail::value& out, detail::json_error& error) {
                              return detail::typed_map_from_json(in, *schema_, tag_type,
                                                                 detail::schema_reading::conform, storage,
                                                                 out, error);
                            });
  }

  // "attrs" or "tags" read by `convert`, which also sees an absent or null field, as an empty
  // object: required attributes are still required.
  template <typename Convert>
  bool load_typed(const json& item, const char* field, std::string_view key_word, std::size_t index,
                  detail::entity_uid uid, detail::value& out, Convert&& convert) {
    const auto found = item.find(field);
    const bool absent = found == item.end() || found->is_null();
    if (!absent && !found->is_object()) {
      return fail(index, &uid, path_to(index, field),
                  fmt::format(R"("{}" must be an object, not {})", field, detail::json_kind(*found)));
    }
    detail::json_error error;
    // An absent field has no place in the text: point at the entity instead.
    error.path = absent ? path_to(index) : path_to(index, field);
    const std::size_t base = error.path.size();
    if (convert(absent ? empty_json_object() : *found, out, error)) return true;
    const std::string where = detail::describe_json_steps(std::span(error.path).subspan(base), key_word);
    return fail(index, &uid, error.path, where.empty() ? error.message : where + ": " + error.message);
  }

  // Empty when `parent` may be a parent of `child` by the schema; else why not.
  std::string parent_problem(detail::entity_uid child, detail::entity_uid parent) const {
    if (detail::is_action_entity_type(child.type)) {
      if (detail::is_action_entity_type(parent.type)) return {};
      return fmt::format("an action's parent must be an action, not {}", detail::to_cedar(parent));
    }
    const detail::entity_type_info* type = schema_->find_entity_type(child.type);
    if (type == nullptr) return {};  // reported already
    if (!std::binary_search(type->ancestors.begin(), type->ancestors.end(), parent.type)) {
      std::vector<std::string> allowed;
      for (detail::symbol s : type->ancestors) allowed.emplace_back(detail::symbol_text(s));
      std::sort(allowed.begin(), allowed.end());
      return fmt::format(
          "{} may not have a parent of type {} according to the schema ({})", detail::symbol_text(child.type),
          detail::symbol_text(parent.type),
          allowed.empty() ? "it has no parent types" : "its parent types: " + list_names(allowed));
    }
    return detail::enumerated_id_problem(*schema_, parent);
  }

  // Cedar adds the schema's actions, with their groups, to entities read with a schema, so that
  // `action in Action::"readOnly"` works without listing actions in the data. An action the data
  // does list must match the schema's: same groups once the hierarchy of the data is closed.
  bool add_schema_actions(detail::entity_data& data) {
    if (!given_actions_.empty()) {
      if (!close_hierarchy(data)) return false;
      std::vector<std::uint64_t> expected;
      for (const auto& [position, index] : given_actions_) {
        const detail::entity_record& record = data.records[position];
        const detail::action_info* action = schema_->find_action(record.uid);
        if (action == nullptr) continue;  // reported already
        expected.clear();
        for (detail::entity_uid group : action->ancestors) expected.push_back(group.key());
        std::sort(expected.begin(), expected.end());
        if (record.ancestors != expected) {
          fail(
              index, &record.uid, path_to(index, "parents"),
              fmt::format("the definition of this action does not match its schema declaration: the schema "
                          "puts it in {}, the entity data in {}; omit the action from the entity data to use "
                          "the schema's",
                          describe_groups(expected), describe_groups(record.ancestors)));
        }
      }
      if (!diagnostics_.empty()) return false;
    }
    for (const detail::action_info& action : schema_->actions) {
      detail::entity_record record;
      record.uid = action.uid;
      record.attributes = detail::empty_record();
      record.tags = detail::empty_record();
      record.parents = action.parents;
      const auto [slot, added] =
          data.index.emplace(record.uid.key(), static_cast<std::uint32_t>(data.records.size()));
      if (added) {
        data.records.push_back(std::move(record));
      } else {
        data.records[slot->second] = std::move(record);
      }
    }
    return true;
  }

  // "attrs" and "tags": optional objects of Cedar values (null counts as absent, as in Cedar).
  bool load_record(const json& item, const char* field, std::string_view key_word, std::size_t index,
                   detail::entity_uid uid, detail::arena& storage, detail::value& out) {
    const auto found = item.find(field);
    if (found == item.end() || found->is_null()) return true;
    if (!found->is_object()) {
      return fail(index, &uid, path_to(index, field),
                  fmt::format(R"("{}" must be an object, not {})", field, detail::json_kind(*found)));
    }
    detail::json_error error;
    error.path = path_to(index, field);
    if (detail::cedar_record_from_json(*found, storage, out, error)) return true;
    const std::string where = detail::describe_json_steps(std::span(error.path).subspan(2), key_word);
    return fail(index, &uid, error.path, (where.empty() ? std::string(field) : where) + ": " + error.message);
  }

  static detail::json_path path_to(std::size_t index, std::string_view key = {}) {
    detail::json_path path{detail::json_step::element(index)};
    if (!key.empty()) path.push_back(detail::json_step::member(key));
    return path;
  }

  // Computes the ancestors; past the limits, a diagnostic at the entity where they were crossed
  // (a schema's own action, which has no place in the text, at the document).
  bool close_hierarchy(detail::entity_data& data) {
    data.limits = limits_;
    auto problem = data.compute_ancestors(limits_);
    if (!problem) return true;
    detail::json_error error;
    if (problem->record < first_index_.size()) error.path = path_to(first_index_[problem->record], "uid");
    report("limit", std::move(problem->message), error);
    return false;
  }

  // Reports a problem with entity `index`, found at `path`.
  bool fail(std::size_t index, const detail::entity_uid* uid, const detail::json_path& path,
            std::string_view message) {
    detail::json_error error;
    error.path = path;
    const std::string who = uid == nullptr ? fmt::format("entity {}", index)
                                           : fmt::format("entity {} ({})", index, detail::to_cedar(*uid));
    report("entities", fmt::format("{}: {}", who, message), error);
    return false;
  }

  void report(const char* code, std::string message, const detail::json_error& error) {
    diagnostic d;
    d.code = code;
    d.level = severity::error;
    d.message = std::move(message);
    d.where.file = std::string(source_name_);
    detail::text_span span;
    bool positioned = false;
    if (error.offset != detail::no_offset) {
      span = {std::min(error.offset, text_.size()), 1};
      positioned = true;
    } else if (!error.path.empty()) {
      positioned = detail::locate_json_path(text_, error.path, span);
    }
    if (positioned) {
      const detail::text_position position = detail::position_of(text_, span.offset);
      // A caret under the rest of the line at most: an object's span can run for pages.
      const std::size_t line_left =
          position.line_text.size() - std::min<std::size_t>(position.column - 1, position.line_text.size());
      d.where.line = position.line;
      d.where.column = position.column;
      d.where.offset = static_cast<std::uint32_t>(span.offset);
      d.where.length = static_cast<std::uint32_t>(std::max<std::size_t>(1, std::min(span.length, line_left)));
      if (position.line_text.size() <= diagnostic::max_excerpt_bytes)
        d.source_line = std::string(position.line_text);
    }
    diagnostics_.push_back(std::move(d));
  }

  struct given_action {
    std::uint32_t position;  // in records
    std::size_t index;       // in the JSON array
  };

  std::string_view text_;
  std::string_view source_name_;
  entity_limits limits_;
  const detail::schema_data* schema_ = nullptr;
  std::vector<diagnostic> diagnostics_;
  std::vector<std::size_t> first_index_;     // record position -> index in the JSON array
  std::vector<given_action> given_actions_;  // action entities the JSON lists (with a schema)
};

// Reads all of `file` into `text`; on failure, the diagnostic that says why.
std::optional<diagnostic> read_entity_file(const std::filesystem::path& file, std::string& text) {
  const std::string name = file.string();
  auto io_error = [&name](int code) {
    diagnostic d;
    d.code = "io";
    d.message = fmt::format("cannot read {}: {}", name, std::strerror(code));
    d.where.file = name;
    return d;
  };
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> stream(std::fopen(name.c_str(), "rb"), &std::fclose);
  if (!stream) return io_error(errno);
  char buffer[1 << 16];
  for (;;) {
    const std::size_t got = std::fread(buffer, 1, sizeof buffer, stream.get());
    text.append(buffer, got);
    if (got < sizeof buffer) break;
  }
  if (std::ferror(stream.get())) return io_error(errno != 0 ? errno : EIO);
  return std::nullopt;
}

const std::shared_ptr<const detail::entity_data>& empty_entity_data() {
  static const std::shared_ptr<const detail::entity_data> empty = std::make_shared<detail::entity_data>();
  return empty;
}

}  // namespace

entity_store::entity_store() : impl_(empty_entity_data()) {}

expected<entity_store, std::vector<diagnostic>> entity_store::from_json(std::string_view json_text,
                                                                        std::string_view source_name,
                                                                        const entity_limits& limits) {
  return entity_loader(json_text, source_name, limits).run();
}

expected<entity_store, std::vector<diagnostic>> entity_store::from_json(std::string_view json_text,
                                                                        std::string_view source_name,
                                                                        const schema& s,
                                                                        const entity_limits& limits) {
  return entity_loader(json_text, source_name, limits, &s.internals()).run();
}

expected<entity_store, std::vector<diagnostic>> entity_store::load(const std::filesystem::path& file,
                                                                   const entity_limits& limits) {
  std::string text;
  if (auto problem = read_entity_file(file, text))
    return unexpected(std::vector<diagnostic>{std::move(*problem)});
  return entity_loader(text, file.string(), limits).run();
}

expected<entity_store, std::vector<diagnostic>> entity_store::load(const std::filesystem::path& file,
                                                                   const schema& s,
                                                                   const entity_limits& limits) {
  std::string text;
  if (auto problem = read_entity_file(file, text))
    return unexpected(std::vector<diagnostic>{std::move(*problem)});
  return entity_loader(text, file.string(), limits, &s.internals()).run();
}

std::size_t entity_store::size() const noexcept { return impl_->records.size(); }

bool entity_store::contains(const entity_ref& uid) const noexcept {
  // Never interns: a name no one has interned cannot be in any store.
  const auto type = detail::find_symbol(uid.type);
  const auto id = detail::find_symbol(uid.id);
  return type && id && impl_->find({*type, *id}) != nullptr;
}

}  // namespace v0

namespace detail {

// Ancestors are a transitive closure over parent edges. Strongly connected components are found
// with an iterative Tarjan walk; Tarjan finishes a component only after every component it can
// reach, so each component's closure is built once from its parents' finished closures (a
// memoized DFS that also tolerates cycles). Members of a cycle share one closure. An entity is
// never listed as its own ancestor: `in` is reflexive anyway.
//
// The limits are checked as components finish, before their closure is built, so hostile data
// costs at most the budget: depth from the parents' components, links from the sizes about to
// be merged and copied.
std::optional<entity_data::hierarchy_problem> entity_data::compute_ancestors(const entity_limits& bounds) {
  const auto count = static_cast<std::uint32_t>(records.size());
  constexpr std::uint32_t unvisited = std::numeric_limits<std::uint32_t>::max();

  // Parent edges that lead to loaded records, flattened.
  std::vector<std::uint32_t> edge_start(count + 1, 0);
  std::vector<std::uint32_t> edges;
  std::uint64_t parent_links = 0;
  for (std::uint32_t r = 0; r < count; ++r) {
    parent_links += records[r].parents.size();
    for (entity_uid parent : records[r].parents) {
      if (auto it = index.find(parent.key()); it != index.end()) edges.push_back(it->second);
    }
    edge_start[r + 1] = static_cast<std::uint32_t>(edges.size());
  }
  const std::uint64_t link_budget = bounds.max_ancestor_links != 0
                                        ? bounds.max_ancestor_links
                                        : (std::uint64_t{1} << 20) + 64 * (count + parent_links);
  std::uint64_t links_examined = 0;
  std::optional<hierarchy_problem> problem;
  // Counts `more` links against the budget; past it, sets the problem at `root` (on a cycle of
  // `cycle_size` members, when not 0) and returns true.
  auto over_budget = [&](std::uint32_t root, std::uint64_t more, std::size_t cycle_size) {
    links_examined += more;
    if (links_examined <= link_budget) return false;
    const std::string detail =
        cycle_size != 0 ? fmt::format("); it sits on a cycle of {} entities", cycle_size)
                        : fmt::format("; {} entities and {} parent links were given)", count, parent_links);
    problem = hierarchy_problem{
        root, fmt::format("{}: closing the hierarchy needs more than {} ancestor links (the "
                          "limit, entity_limits::max_ancestor_links{}",
                          to_cedar(records[root].uid), link_budget, detail)};
    return true;
  };
  std::vector<std::uint32_t> component_depth;

  std::vector<std::uint32_t> visit_order(count, unvisited);
  std::vector<std::uint32_t> low_link(count, 0);
  std::vector<std::uint32_t> component(count, unvisited);
  std::vector<std::uint32_t> open_members;  // Tarjan's stack
  struct frame {
    std::uint32_t node;
    std::uint32_t next_edge;
  };
  std::vector<frame> walk;
  std::vector<std::uint32_t> members;
  std::vector<std::uint64_t> closure;
  std::vector<const std::vector<std::uint64_t>*> inherited;
  std::uint32_t next_order = 0;
  std::uint32_t components_done = 0;

  auto finish_component = [&](std::uint32_t root) {
    members.clear();
    std::uint32_t member = 0;
    do {
      member = open_members.back();
      open_members.pop_back();
      component[member] = components_done;
      members.push_back(member);
    } while (member != root);

    closure.clear();
    inherited.clear();
    std::uint32_t depth = 0;
    for (std::uint32_t m : members) {
      for (entity_uid parent : records[m].parents) closure.push_back(parent.key());
      for (std::uint32_t e = edge_start[m]; e < edge_start[m + 1]; ++e) {
        const std::uint32_t parent_component = component[edges[e]];
        if (parent_component == components_done) continue;
        inherited.push_back(&records[edges[e]].ancestors);
        depth = std::max(depth, component_depth[parent_component] + 1);
      }
    }
    component_depth.push_back(depth);
    if (depth > bounds.max_hierarchy_depth) {
      problem = hierarchy_problem{
          root, fmt::format("{} is more than {} levels below the top of its hierarchy (the limit, "
                            "entity_limits::max_hierarchy_depth)",
                            to_cedar(records[root].uid), bounds.max_hierarchy_depth)};
      return;
    }
    std::uint64_t inherited_links = closure.size();
    for (const auto* source : inherited) inherited_links += source->size();
    if (over_budget(root, inherited_links, 0)) return;
    std::sort(closure.begin(), closure.end());
    closure.erase(std::unique(closure.begin(), closure.end()), closure.end());
    std::sort(inherited.begin(), inherited.end(), std::less<>());
    inherited.erase(std::unique(inherited.begin(), inherited.end()), inherited.end());
    if (inherited.size() <= 4) {
      // The common case (a chain, a few groups): merge sorted lists in linear time.
      std::vector<std::uint64_t> merged;
      for (const auto* source : inherited) {
        merged.clear();
        merged.reserve(closure.size() + source->size());
        std::set_union(closure.begin(), closure.end(), source->begin(), source->end(),
                       std::back_inserter(merged));
        closure.swap(merged);
      }
    } else {
      for (const auto* source : inherited) closure.insert(closure.end(), source->begin(), source->end());
      std::sort(closure.begin(), closure.end());
      closure.erase(std::unique(closure.begin(), closure.end()), closure.end());
    }
    // A cycle's members each hold the whole closure: k members, k copies.
    if (over_budget(root, closure.size() * (members.size() - 1), members.size())) return;
    for (std::uint32_t m : members) {
      // Only an entity on a cycle can reach itself; copy around it.
      const std::uint64_t self = records[m].uid.key();
      std::vector<std::uint64_t>& ancestors = records[m].ancestors;
      ancestors.clear();
      ancestors.reserve(closure.size());
      std::copy_if(closure.begin(), closure.end(), std::back_inserter(ancestors),
                   [self](std::uint64_t key) { return key != self; });
    }
    ++components_done;
  };

  for (std::uint32_t start = 0; start < count; ++start) {
    if (visit_order[start] != unvisited) continue;
    visit_order[start] = low_link[start] = next_order++;
    open_members.push_back(start);
    walk.push_back({start, edge_start[start]});
    while (!walk.empty()) {
      const std::uint32_t node = walk.back().node;
      if (walk.back().next_edge < edge_start[node + 1]) {
        const std::uint32_t next = edges[walk.back().next_edge++];
        if (visit_order[next] == unvisited) {
          visit_order[next] = low_link[next] = next_order++;
          open_members.push_back(next);
          walk.push_back({next, edge_start[next]});
        } else if (component[next] == unvisited) {  // still open: on Tarjan's stack
          low_link[node] = std::min(low_link[node], visit_order[next]);
        }
        continue;
      }
      walk.pop_back();
      if (!walk.empty()) {
        const std::uint32_t caller = walk.back().node;
        low_link[caller] = std::min(low_link[caller], low_link[node]);
      }
      if (low_link[node] == visit_order[node]) {
        finish_component(node);
        if (problem) return problem;
      }
    }
  }
  return std::nullopt;
}

}  // namespace detail
}  // namespace mandate
