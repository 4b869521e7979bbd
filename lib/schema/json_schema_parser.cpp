// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Cedar's JSON schema form -> the same unresolved declarations the text form produces:
//
//   {"Ns": {"entityTypes": {"User": {"memberOfTypes": ["Group"], "shape": {"type": "Record",
//           "attributes": {"age": {"type": "Long", "required": false}}}, "tags": {..}}},
//           "actions": {"read": {"memberOf": [{"id": "reads"}], "appliesTo": {"principalTypes":
//           ["User"], "resourceTypes": ["Doc"], "context": {..}}}},
//           "commonTypes": {"Ctx": {"type": "Record", ..}}}}
//
// nlohmann's DOM keeps no positions, so every declaration remembers its JSON path and a
// diagnostic finds the spot in the text again only when it is reported.
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "schema/schema_builder.hpp"

namespace mandate::detail::schema_build {
namespace {

using nlohmann::json;

bool is_identifier(std::string_view s) {
  if (s.empty()) return false;
  auto first = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  auto other = [&](char c) { return first(c) || (c >= '0' && c <= '9'); };
  if (!first(s[0])) return false;
  for (char c : s.substr(1))
    if (!other(c)) return false;
  return true;
}

bool is_path(std::string_view s) {
  std::size_t start = 0;
  while (true) {
    const std::size_t end = s.find("::", start);
    if (!is_identifier(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start)))
      return false;
    if (end == std::string_view::npos) return true;
    start = end + 2;
  }
}

class json_reader {
 public:
  json_reader(raw_schema& out, const locator& where, std::vector<diagnostic>& diagnostics)
      : out_(out), where_(where), diagnostics_(diagnostics) {}

  bool failed() const noexcept { return failed_; }

  void schema(const json& root) {
    if (!expect_object(root, "a schema")) return;
    for (const auto& [ns, body] : root.items()) {
      if (stop()) return;
      step into(*this, json_step::member(ns));
      if (!ns.empty() && !is_path(ns)) {
        error("namespace `" + ns + "` is not a valid name (identifiers separated by `::`)");
        continue;
      }
      name_space(ns, body);
    }
  }

 private:
  // Pushes one step onto the current path for the lifetime of the object.
  struct step {
    json_reader& reader;
    step(json_reader& r, json_step s) : reader(r) { reader.path_.push_back(std::move(s)); }
    ~step() { reader.path_.pop_back(); }
    step(const step&) = delete;
    step& operator=(const step&) = delete;
  };

  bool stop() const { return diagnostics_.size() >= max_schema_errors; }

  origin here() {
    out_.json_paths.push_back(path_);
    return origin{0, 0, static_cast<std::int32_t>(out_.json_paths.size() - 1)};
  }

  void error(std::string message) {
    failed_ = true;
    if (stop()) return;
    json_path copy = path_;
    raw_schema probe;
    probe.json_paths.push_back(std::move(copy));
    diagnostics_.push_back(where_.make(probe, origin{0, 0, 0}, "schema", std::move(message)));
  }

  bool check_marker(const json& j) {
    const std::string problem = json_marker_problem(j);
    if (problem.empty()) return true;
    error(problem);
    return false;
  }

  bool expect_object(const json& j, const char* what) {
    if (!check_marker(j)) return false;
    if (j.is_object()) return true;
    error(std::string("expected ") + what + " (a JSON object), found " + json_kind(j));
    return false;
  }

  bool expect_string(const json& j, const char* what, std::string& out) {
    if (!check_marker(j)) return false;
    if (!j.is_string()) {
      error(std::string("expected ") + what + " (a string), found " + json_kind(j));
      return false;
    }
    out = j.get<std::string>();
    return true;
  }

  void unknown_key(const std::string& key, const char* where, const char* expected) {
    step into(*this, json_step::member(key));
    error("unknown key \"" + key + "\" in " + where + " (expected " + expected + ")");
  }

  std::vector<raw_annotation> annotations(const json& j) {
    std::vector<raw_annotation> out;
    if (!expect_object(j, "annotations")) return out;
    for (const auto& [key, value] : j.items()) {
      step into(*this, json_step::member(key));
      raw_annotation a;
      a.key = key;
      a.where = here();
      if (!is_identifier(key)) error("annotation name `" + key + "` is not an identifier");
      if (!value.is_null() && !expect_string(value, "an annotation value", a.value)) continue;
      out.push_back(std::move(a));
    }
    return out;
  }

  void name_space(const std::string& ns, const json& body) {
    if (!expect_object(body, "a namespace")) return;
    bool saw_entities = false;
    bool saw_actions = false;
    for (const auto& [key, value] : body.items()) {
      if (stop()) return;
      if (key == "entityTypes") {
        saw_entities = true;
        step into(*this, json_step::member(key));
        if (!expect_object(value, "\"entityTypes\"")) continue;
        for (const auto& [name, entity_body] : value.items()) {
          step entity_step(*this, json_step::member(name));
          entity(ns, name, entity_body);
        }
      } else if (key == "actions") {
        saw_actions = true;
        step into(*this, json_step::member(key));
        if (!expect_object(value, "\"actions\"")) continue;
        for (const auto& [name, action_body] : value.items()) {
          step action_step(*this, json_step::member(name));
          action(ns, name, action_body);
        }
      } else if (key == "commonTypes") {
        step into(*this, json_step::member(key));
        if (!expect_object(value, "\"commonTypes\"")) continue;
        for (const auto& [name, type_body] : value.items()) {
          step common_step(*this, json_step::member(name));
          raw_common c;
          c.ns = ns;
          c.name = name;
          c.where = here();
          if (!is_identifier(name)) {
            error("common type name `" + name + "` is not an identifier");
            continue;
          }
          c.type = type(type_body, 1, false);
          out_.commons.push_back(std::move(c));
        }
      } else if (key == "annotations") {
        step into(*this, json_step::member(key));
        (void)annotations(value);  // namespace annotations carry no meaning for validation
      } else {
        unknown_key(key, "a namespace", "\"entityTypes\", \"actions\", \"commonTypes\" or \"annotations\"");
      }
    }
    if (!saw_entities) error("namespace `" + ns + "` has no \"entityTypes\" (write {} for none)");
    if (!saw_actions) error("namespace `" + ns + "` has no \"actions\" (write {} for none)");
  }

  std::vector<raw_name> name_list(const json& j, const char* what) {
    std::vector<raw_name> out;
    if (!check_marker(j)) return out;
    if (!j.is_array()) {
      error(std::string("expected ") + what + " (an array of entity type names), found " + json_kind(j));
      return out;
    }
    for (std::size_t i = 0; i < j.size(); ++i) {
      step into(*this, json_step::element(i));
      raw_name n;
      if (!expect_string(j[i], "an entity type name", n.text)) continue;
      n.where = here();
      if (!is_path(n.text)) {
        error("`" + n.text + "` is not a valid entity type name");
        continue;
      }
      out.push_back(std::move(n));
    }
    return out;
  }

  void entity(const std::string& ns, const std::string& name, const json& body) {
    raw_entity e;
    e.ns = ns;
    e.name = name;
    e.where = here();
    if (!is_identifier(name)) {
      error("entity type name `" + name + "` must be an identifier (the namespace goes in the outer key)");
      return;
    }
    if (!expect_object(body, "an entity type")) return;
    for (const auto& [key, value] : body.items()) {
      step into(*this, json_step::member(key));
      if (key == "memberOfTypes") {
        e.parents = name_list(value, "\"memberOfTypes\"");
      } else if (key == "shape") {
        e.shape = type(value, 1, false);
      } else if (key == "tags") {
        e.tags = type(value, 1, false);
      } else if (key == "enum") {
        e.enumerated = true;
        if (!check_marker(value)) continue;
        if (!value.is_array()) {
          error(std::string("expected \"enum\" to be an array of string ids, found ") + json_kind(value));
          continue;
        }
        for (std::size_t i = 0; i < value.size(); ++i) {
          step element(*this, json_step::element(i));
          raw_name id;
          if (!expect_string(value[i], "an entity id", id.text)) continue;
          id.where = here();
          e.enum_ids.push_back(std::move(id));
        }
      } else if (key == "annotations") {
        e.annotations = annotations(value);
      } else {
        error("unknown key \"" + key +
              "\" in an entity type (expected \"memberOfTypes\", \"shape\", \"tags\", "
              "\"enum\" or \"annotations\")");
      }
    }
    out_.entities.push_back(std::move(e));
  }

  void action(const std::string& ns, const std::string& id, const json& body) {
    raw_action a;
    a.ns = ns;
    a.id = id;
    a.where = here();
    if (body.is_null()) {  // "read": null declares an action with nothing more to say
      out_.actions.push_back(std::move(a));
      return;
    }
    if (!expect_object(body, "an action")) return;
    for (const auto& [key, value] : body.items()) {
      step into(*this, json_step::member(key));
      if (key == "memberOf") {
        if (!check_marker(value)) continue;
        if (!value.is_array()) {
          error(std::string("expected \"memberOf\" to be an array of {\"id\": .., \"type\": ..}, found ") +
                json_kind(value));
          continue;
        }
        for (std::size_t i = 0; i < value.size(); ++i) {
          step element(*this, json_step::element(i));
          if (auto ref = action_ref(value[i])) a.parents.push_back(std::move(*ref));
        }
      } else if (key == "appliesTo") {
        applies_to(value, a);
      } else if (key == "annotations") {
        a.annotations = annotations(value);
      } else if (key == "attributes") {
        error("action attributes are not supported (Cedar 4 removed them)");
      } else {
        error("unknown key \"" + key +
              "\" in an action (expected \"memberOf\", \"appliesTo\" or \"annotations\")");
      }
    }
    out_.actions.push_back(std::move(a));
  }

  std::optional<raw_action_ref> action_ref(const json& j) {
    if (!expect_object(j, "an action reference {\"id\": .., \"type\": ..}")) return std::nullopt;
    raw_action_ref r;
    r.where = here();
    bool has_id = false;
    for (const auto& [key, value] : j.items()) {
      step into(*this, json_step::member(key));
      if (key == "id") {
        has_id = expect_string(value, "an action id", r.id);
      } else if (key == "type") {
        if (!expect_string(value, "an action type", r.type)) return std::nullopt;
        if (!is_path(r.type)) {
          error("`" + r.type + "` is not a valid action type name");
          return std::nullopt;
        }
      } else {
        error("unknown key \"" + key + "\" in an action reference (expected \"id\" or \"type\")");
      }
    }
    if (!has_id) {
      error("an action reference needs an \"id\"");
      return std::nullopt;
    }
    return r;
  }

  void applies_to(const json& j, raw_action& a) {
    if (!expect_object(j, "\"appliesTo\"")) return;
    a.has_applies_to = true;
    for (const auto& [key, value] : j.items()) {
      step into(*this, json_step::member(key));
      if (key == "principalTypes") {
        a.has_principal = true;
        a.principals = name_list(value, "\"principalTypes\"");
      } else if (key == "resourceTypes") {
        a.has_resource = true;
        a.resources = name_list(value, "\"resourceTypes\"");
      } else if (key == "context") {
        a.context = type(value, 1, false);
      } else {
        error("unknown key \"" + key +
              "\" in \"appliesTo\" (expected \"principalTypes\", \"resourceTypes\" or "
              "\"context\")");
      }
    }
  }

  // A type object. `attribute` allows "required". Returns the raw type index; on error an
  // index of a placeholder type, with the error reported.
  std::uint32_t type(const json& j, std::uint32_t depth, bool attribute) {
    raw_type t;
    t.where = here();
    const auto placeholder = [&] {
      raw_type bad;
      bad.where = t.where;
      bad.name = "Bool";
      bad.lookup = name_lookup::builtin;
      return out_.add_type(std::move(bad));
    };
    if (depth > max_schema_type_nesting) {
      error("type nested too deeply (more than " + std::to_string(max_schema_type_nesting) + " levels)");
      return placeholder();
    }
    if (!expect_object(j, "a type")) return placeholder();
    const auto kind = j.find("type");
    std::string kind_name;
    if (kind == j.end()) {
      error(
          "a type needs a \"type\" key (\"String\", \"Long\", \"Boolean\", \"Set\", \"Record\", \"Entity\", "
          "\"Extension\" or a common type name)");
      return placeholder();
    }
    {
      step into(*this, json_step::member("type"));
      if (!expect_string(*kind, "a type name", kind_name)) return placeholder();
    }
    auto allowed = [&](std::initializer_list<std::string_view> keys) {
      for (const auto& [key, value] : j.items()) {
        if (key == "type" || key == "annotations" || (attribute && key == "required")) continue;
        if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
        unknown_key(key, ("a type of kind \"" + kind_name + "\"").c_str(), "only the keys of that kind");
      }
    };
    auto name_member = [&](name_lookup lookup) {
      t.kind = raw_type_kind::named;
      t.lookup = lookup;
      const auto name = j.find("name");
      if (name == j.end()) {
        error("a type of kind \"" + kind_name + "\" needs a \"name\"");
        return false;
      }
      step into(*this, json_step::member("name"));
      if (!expect_string(*name, "a type name", t.name)) return false;
      if (!is_path(t.name)) {
        error("`" + t.name + "` is not a valid type name");
        return false;
      }
      t.where = here();
      return true;
    };
    if (kind_name == "String" || kind_name == "Long" || kind_name == "Boolean") {
      allowed({});
      t.kind = raw_type_kind::named;
      t.lookup = name_lookup::builtin;
      t.name = kind_name;
    } else if (kind_name == "Set") {
      allowed({"element"});
      t.kind = raw_type_kind::set;
      const auto element = j.find("element");
      if (element == j.end()) {
        error("a \"Set\" type needs an \"element\" type");
        return placeholder();
      }
      step into(*this, json_step::member("element"));
      t.element = type(*element, depth + 1, false);
    } else if (kind_name == "Record") {
      allowed({"attributes", "additionalAttributes"});
      t.kind = raw_type_kind::record;
      if (const auto extra = j.find("additionalAttributes"); extra != j.end()) {
        step into(*this, json_step::member("additionalAttributes"));
        if (extra->is_boolean()) {
          t.open = extra->get<bool>();
        } else {
          error(std::string("expected \"additionalAttributes\" to be true or false, found ") +
                json_kind(*extra));
        }
      }
      const auto attributes = j.find("attributes");
      if (attributes == j.end()) {
        error("a \"Record\" type needs \"attributes\" (write {} for none)");
        return placeholder();
      }
      step into(*this, json_step::member("attributes"));
      if (!expect_object(*attributes, "\"attributes\"")) return placeholder();
      for (const auto& [name, attribute_type] : attributes->items()) {
        step attribute_step(*this, json_step::member(name));
        raw_attribute a;
        a.name = name;
        a.where = here();
        a.type = type(attribute_type, depth + 1, true);
        if (attribute_type.is_object()) {
          if (const auto required = attribute_type.find("required"); required != attribute_type.end()) {
            step required_step(*this, json_step::member("required"));
            if (required->is_boolean()) {
              a.required = required->get<bool>();
            } else {
              error(std::string("expected \"required\" to be true or false, found ") + json_kind(*required));
            }
          }
        }
        t.attributes.push_back(std::move(a));
      }
    } else if (kind_name == "Entity") {
      allowed({"name"});
      if (!name_member(name_lookup::entity)) return placeholder();
    } else if (kind_name == "Extension") {
      allowed({"name"});
      if (!name_member(name_lookup::extension)) return placeholder();
    } else if (kind_name == "EntityOrCommon") {
      allowed({"name"});
      if (!name_member(name_lookup::any)) return placeholder();
    } else {
      // Any other "type" names a common type (or, as Cedar reads it, an entity type).
      allowed({});
      if (!is_path(kind_name)) {
        step into(*this, json_step::member("type"));
        error("`" + kind_name + "` is not a valid type name");
        return placeholder();
      }
      t.kind = raw_type_kind::named;
      t.lookup = name_lookup::common;
      t.name = kind_name;
      step into(*this, json_step::member("type"));
      t.where = here();  // "unknown type" points at the name, not the whole object
    }
    return out_.add_type(std::move(t));
  }

  raw_schema& out_;
  const locator& where_;
  std::vector<diagnostic>& diagnostics_;
  json_path path_;
  bool failed_ = false;
};

}  // namespace

bool read_json_schema(const locator& where, raw_schema& out, std::vector<diagnostic>& diagnostics) {
  json document;
  json_error problem;
  if (!parse_json(where.text(), document, problem)) {
    const std::size_t offset = problem.offset == no_offset ? 0 : problem.offset;
    diagnostics.push_back(where.at(offset, 1, "json", problem.message));
    return false;
  }
  json_reader reader(out, where, diagnostics);
  reader.schema(document);
  return !reader.failed();
}

}  // namespace mandate::detail::schema_build
