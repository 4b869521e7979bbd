// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Name resolution for both schema forms, following Cedar's rules:
// - an unqualified type name is looked up as a common type of the declaring namespace, then
//   an entity type of it, then a common type and an entity type outside any namespace, then a
//   built-in (Bool, Long, String, ipaddr, decimal, datetime, duration); `__cedar::Long` always
//   means the built-in;
// - a declaration inside a namespace may not shadow one outside any namespace (Cedar 4);
// - common types may refer to each other but not in a cycle.
#include "schema/schema_builder.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "schema/suggest.hpp"

namespace mandate::detail::schema_build {

locator::locator(std::string file_name, std::string_view text, bool json_form)
    : file_(std::move(file_name), std::string(text)), json_form_(json_form) {}

diagnostic locator::at(std::size_t offset, std::size_t length, std::string code, std::string message,
                       severity level) const {
  diagnostic d;
  d.code = std::move(code);
  d.level = level;
  d.message = std::move(message);
  d.where.file = file_.name;
  const auto begin = static_cast<std::uint32_t>(std::min(offset, file_.text.size()));
  d.where.line = file_.line_of(begin);
  d.where.column = begin - file_.line_starts[d.where.line - 1] + 1;
  d.where.offset = begin;
  d.where.length = static_cast<std::uint32_t>(std::max<std::size_t>(1, length));
  const std::string_view line = file_.line_text(d.where.line);
  if (line.size() <= diagnostic::max_excerpt_bytes) d.source_line = std::string(line);
  return d;
}

diagnostic locator::make(const raw_schema& raw, origin where, std::string code, std::string message,
                         severity level) const {
  if (json_form_ && where.json_path >= 0 &&
      static_cast<std::size_t>(where.json_path) < raw.json_paths.size()) {
    text_span span;
    if (locate_json_path(file_.text, raw.json_paths[static_cast<std::size_t>(where.json_path)], span))
      return at(span.offset, span.length, std::move(code), std::move(message), level);
    return at(0, 1, std::move(code), std::move(message), level);
  }
  return at(where.offset, where.length, std::move(code), std::move(message), level);
}

namespace {

std::string qualify(const std::string& ns, std::string_view name) {
  return ns.empty() ? std::string(name) : ns + "::" + std::string(name);
}

bool is_qualified(std::string_view name) { return name.find("::") != std::string_view::npos; }

std::string quote_id(std::string_view id) { return quote(id); }

// `Type::"id"` in backticks, as messages quote an action.
std::string action_text(std::string_view type, std::string_view id) {
  return "`" + std::string(type) + "::" + quote_id(id) + "`";
}

// Cedar reserves these for its own types: a common type may not take one of them.
bool is_reserved_type_name(std::string_view name) {
  static constexpr std::string_view reserved[] = {"Bool", "Boolean", "Entity", "Extension",
                                                  "Long", "Record",  "Set",    "String"};
  return std::find(std::begin(reserved), std::end(reserved), name) != std::end(reserved);
}

bool mentions_cedar_namespace(std::string_view name) {
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t end = std::min(name.find("::", start), name.size());
    if (name.substr(start, end - start) == "__cedar") return true;
    start = end + 2;
  }
  return false;
}

// The built-ins a bare name (or `__cedar::name`) may mean.
std::optional<schema_type_id> builtin_type(std::string_view name) {
  if (name == "Bool") return bool_type_id;
  if (name == "Long") return long_type_id;
  if (name == "String") return string_type_id;
  if (name == "ipaddr") return ipaddr_type_id;
  if (name == "decimal") return decimal_type_id;
  if (name == "datetime") return datetime_type_id;
  if (name == "duration") return duration_type_id;
  return std::nullopt;
}

constexpr std::string_view builtin_names[] = {"Bool",    "Long",     "String",  "ipaddr",
                                              "decimal", "datetime", "duration"};

enum class common_state : std::uint8_t { unresolved, resolving, resolved, failed };

class builder {
 public:
  builder(const raw_schema& raw, const locator& where, std::vector<diagnostic>& diagnostics)
      : raw_(raw), where_(where), diagnostics_(diagnostics), out_(std::make_shared<schema_data>()) {}

  std::shared_ptr<schema_data> run() {
    index_declarations();
    common_state_.assign(raw_.commons.size(), common_state::unresolved);
    common_type_.assign(raw_.commons.size(), no_schema_type);
    for (std::uint32_t i = 0; i < raw_.commons.size() && !too_many_errors(); ++i) resolve_common(i, 0);
    for (const raw_entity& e : raw_.entities) {
      if (too_many_errors()) break;
      build_entity(e);
    }
    for (const raw_action& a : raw_.actions) {
      if (too_many_errors()) break;
      build_action(a);
    }
    if (failed_) return nullptr;
    close_hierarchies();
    if (failed_) return nullptr;
    finish();
    return std::move(out_);
  }

 private:
  bool too_many_errors() const { return diagnostics_.size() >= max_schema_errors; }

  void error(origin at, std::string message) {
    failed_ = true;
    diagnostics_.push_back(where_.make(raw_, at, "schema", std::move(message)));
  }
  void note(origin at, std::string message) {
    diagnostics_.push_back(where_.make(raw_, at, "schema", std::move(message), severity::note));
  }

  // ---- declarations -------------------------------------------------------------------------

  void check_name(const std::string& ns, std::string_view name, origin at, const char* what) {
    if (mentions_cedar_namespace(ns) || name == "__cedar")
      error(at, std::string("the `__cedar` namespace is reserved; ") + what + " `" + qualify(ns, name) +
                    "` may not use it");
  }

  void index_declarations() {
    std::set<std::string> namespaces;
    for (std::uint32_t i = 0; i < raw_.entities.size(); ++i) {
      const raw_entity& e = raw_.entities[i];
      check_name(e.ns, e.name, e.where, "entity type");
      const std::string name = qualify(e.ns, e.name);
      const auto [it, inserted] = entity_by_name_.emplace(name, i);
      if (!inserted) {
        error(e.where, "entity type `" + name + "` is declared twice");
        note(raw_.entities[it->second].where, "`" + name + "` was first declared here");
      }
    }
    for (std::uint32_t i = 0; i < raw_.commons.size(); ++i) {
      const raw_common& c = raw_.commons[i];
      check_name(c.ns, c.name, c.where, "common type");
      const std::string name = qualify(c.ns, c.name);
      if (is_reserved_type_name(c.name))
        error(c.where, "`" + c.name + "` is a reserved type name; a common type may not be called that");
      const auto [it, inserted] = common_by_name_.emplace(name, i);
      if (!inserted) {
        error(c.where, "common type `" + name + "` is declared twice");
        note(raw_.commons[it->second].where, "`" + name + "` was first declared here");
      }
      if (const auto entity = entity_by_name_.find(name); entity != entity_by_name_.end()) {
        error(c.where, "`" + name + "` is declared both as a common type and as an entity type");
        note(raw_.entities[entity->second].where, "the entity type `" + name + "` is declared here");
      }
    }
    for (std::uint32_t i = 0; i < raw_.actions.size(); ++i) {
      const raw_action& a = raw_.actions[i];
      check_name(a.ns, "Action", a.where, "action");
      const std::string type = qualify(a.ns, "Action");
      const auto [it, inserted] = action_by_uid_.emplace(std::make_pair(type, a.id), i);
      if (!inserted) {
        error(a.where, "action " + action_text(type, a.id) + " is declared twice");
        note(raw_.actions[it->second].where, "it was first declared here");
      }
    }
    // Cedar 4 (RFC 70): `Ns::User` may not shadow a `User` declared outside any namespace,
    // because an unqualified `User` inside Ns would silently mean the inner one.
    auto shadows = [&](const std::string& ns, const std::string& name, origin at) {
      if (ns.empty()) return;
      const bool outer_entity = entity_by_name_.count(name) > 0;
      const bool outer_common = common_by_name_.count(name) > 0;
      if (outer_entity || outer_common)
        error(at, "`" + qualify(ns, name) + "` shadows the " + (outer_entity ? "entity" : "common") +
                      " type `" + name + "` declared outside any namespace; rename one of them");
    };
    for (const raw_entity& e : raw_.entities) shadows(e.ns, e.name, e.where);
    for (const raw_common& c : raw_.commons) shadows(c.ns, c.name, c.where);
  }

  // ---- types --------------------------------------------------------------------------------

  schema_type_id entity_type_ref(symbol name) {
    const auto [it, inserted] =
        entity_type_ids_.emplace(name, static_cast<schema_type_id>(out_->types.size()));
    if (inserted) {
      schema_type t;
      t.kind = schema_type_kind::entity;
      t.name = name;
      out_->types.push_back(t);
    }
    return it->second;
  }

  std::vector<std::string> visible_type_names(const std::string& ns) const {
    std::vector<std::string> names(std::begin(builtin_names), std::end(builtin_names));
    auto add_visible = [&](const std::string& qualified) {
      const std::size_t cut = qualified.rfind("::");
      const std::string prefix = cut == std::string::npos ? std::string() : qualified.substr(0, cut);
      if (prefix == ns || prefix.empty())
        names.push_back(cut == std::string::npos ? qualified : qualified.substr(cut + 2));
      names.push_back(qualified);
    };
    for (const auto& [name, index] : entity_by_name_) add_visible(name);
    for (const auto& [name, index] : common_by_name_) add_visible(name);
    return names;
  }

  std::vector<std::string> entity_names() const {
    std::vector<std::string> names;
    for (const auto& [name, index] : entity_by_name_) names.push_back(name);
    return names;
  }

  // An entity type as written in `in [...]` or `appliesTo`: the declaring namespace first,
  // then outside any namespace.
  std::optional<symbol> resolve_entity_name(const std::string& ns, const raw_name& n) {
    if (is_qualified(n.text)) {
      if (entity_by_name_.count(n.text) > 0) return intern(n.text);
    } else {
      const std::string inner = qualify(ns, n.text);
      if (entity_by_name_.count(inner) > 0) return intern(inner);
      if (entity_by_name_.count(n.text) > 0) return intern(n.text);
    }
    const std::string as_common = is_qualified(n.text) ? n.text : qualify(ns, n.text);
    if (common_by_name_.count(as_common) > 0 || common_by_name_.count(n.text) > 0) {
      error(n.where, "`" + n.text + "` is a common type, not an entity type");
    } else {
      error(n.where, "unknown entity type `" + n.text + "`" + did_you_mean(n.text, entity_names()));
    }
    return std::nullopt;
  }

  schema_type_id resolve_name(const raw_type& t, const std::string& ns, std::uint32_t depth) {
    const std::string& name = t.name;
    if (name.rfind("__cedar::", 0) == 0) {
      if (const auto builtin = builtin_type(std::string_view(name).substr(9))) return *builtin;
      error(t.where, "unknown built-in type `" + name + "`");
      return no_schema_type;
    }
    switch (t.lookup) {
      case name_lookup::builtin: {
        if (name == "Boolean") return bool_type_id;
        if (const auto builtin = builtin_type(name)) return *builtin;
        break;
      }
      case name_lookup::extension: {
        if (name == "ipaddr" || name == "decimal" || name == "datetime" || name == "duration")
          return *builtin_type(name);
        error(t.where,
              "unknown extension type `" + name + "` (Cedar's are ipaddr, decimal, datetime and duration)");
        return no_schema_type;
      }
      case name_lookup::entity: {
        const auto resolved = resolve_entity_name(ns, raw_name{name, t.where});
        return resolved ? entity_type_ref(*resolved) : no_schema_type;
      }
      case name_lookup::any:
      case name_lookup::common:
        break;
    }
    if (is_qualified(name)) {
      if (const auto c = common_by_name_.find(name); c != common_by_name_.end())
        return resolve_common(c->second, depth);
      if (entity_by_name_.count(name) > 0) return entity_type_ref(intern(name));
    } else {
      const std::string inner = qualify(ns, name);
      if (const auto c = common_by_name_.find(inner); c != common_by_name_.end())
        return resolve_common(c->second, depth);
      if (entity_by_name_.count(inner) > 0) return entity_type_ref(intern(inner));
      if (const auto c = common_by_name_.find(name); c != common_by_name_.end())
        return resolve_common(c->second, depth);
      if (entity_by_name_.count(name) > 0) return entity_type_ref(intern(name));
      if (const auto builtin = builtin_type(name)) return *builtin;
    }
    error(t.where, "unknown type `" + name + "`" + did_you_mean(name, visible_type_names(ns)));
    return no_schema_type;
  }

  schema_type_id resolve_type(std::uint32_t index, const std::string& ns, std::uint32_t depth) {
    if (index >= raw_.types.size()) return no_schema_type;
    const raw_type& t = raw_.types[index];
    if (depth > max_schema_type_depth) {
      if (!depth_reported_)
        error(t.where, "type nested too deeply (more than " + std::to_string(max_schema_type_depth) +
                           " levels once common types are expanded)");
      depth_reported_ = true;
      return no_schema_type;
    }
    switch (t.kind) {
      case raw_type_kind::named:
        return resolve_name(t, ns, depth);
      case raw_type_kind::set: {
        const schema_type_id element = resolve_type(t.element, ns, depth + 1);
        if (element == no_schema_type) return no_schema_type;
        schema_type s;
        s.kind = schema_type_kind::set;
        s.element = element;
        out_->types.push_back(s);
        return static_cast<schema_type_id>(out_->types.size() - 1);
      }
      case raw_type_kind::record:
        return resolve_record(t, ns, depth);
    }
    return no_schema_type;
  }

  schema_type_id resolve_record(const raw_type& t, const std::string& ns, std::uint32_t depth) {
    std::vector<std::pair<std::string, schema_attribute>> attrs;
    bool ok = true;
    std::map<std::string_view, const raw_attribute*> seen;
    for (const raw_attribute& a : t.attributes) {
      if (const auto [it, inserted] = seen.emplace(a.name, &a); !inserted) {
        error(a.where, "attribute `" + a.name + "` is declared twice in this record");
        ok = false;
        continue;
      }
      const schema_type_id type = resolve_type(a.type, ns, depth + 1);
      if (type == no_schema_type) {
        ok = false;
        continue;
      }
      attrs.push_back({a.name, schema_attribute{intern(a.name), type, a.required}});
    }
    if (!ok) return no_schema_type;
    if (attrs.empty() && !t.open) return empty_record_type_id;
    std::sort(attrs.begin(), attrs.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    schema_type r;
    r.kind = schema_type_kind::record;
    r.first_attribute = static_cast<std::uint32_t>(out_->attributes.size());
    r.attribute_count = static_cast<std::uint32_t>(attrs.size());
    r.open = t.open;
    for (const auto& [name, attribute] : attrs) out_->attributes.push_back(attribute);
    out_->types.push_back(r);
    return static_cast<schema_type_id>(out_->types.size() - 1);
  }

  schema_type_id resolve_common(std::uint32_t index, std::uint32_t depth) {
    switch (common_state_[index]) {
      case common_state::resolved:
        return common_type_[index];
      case common_state::failed:
        return no_schema_type;
      case common_state::resolving: {
        // A cycle: report it once, naming every member, at the type that closes it.
        std::string cycle;
        const auto start = std::find(resolving_.begin(), resolving_.end(), index);
        for (auto it = start; it != resolving_.end(); ++it) {
          cycle += "`" + qualify(raw_.commons[*it].ns, raw_.commons[*it].name) + "` -> ";
          common_state_[*it] = common_state::failed;
        }
        cycle += "`" + qualify(raw_.commons[index].ns, raw_.commons[index].name) + "`";
        error(raw_.commons[index].where, "common types form a cycle: " + cycle);
        return no_schema_type;
      }
      case common_state::unresolved:
        break;
    }
    const raw_common& c = raw_.commons[index];
    common_state_[index] = common_state::resolving;
    resolving_.push_back(index);
    const schema_type_id type = resolve_type(c.type, c.ns, depth + 1);
    resolving_.pop_back();
    if (common_state_[index] == common_state::failed || type == no_schema_type) {
      common_state_[index] = common_state::failed;
      return no_schema_type;
    }
    common_state_[index] = common_state::resolved;
    common_type_[index] = type;
    return type;
  }

  // ---- entity types and actions ---------------------------------------------------------------

  std::vector<schema_annotation> annotations(const std::vector<raw_annotation>& raw) {
    std::vector<schema_annotation> out;
    for (const raw_annotation& a : raw) {
      const bool duplicate =
          std::any_of(out.begin(), out.end(), [&](const schema_annotation& x) { return x.key == a.key; });
      if (duplicate) {
        error(a.where, "duplicate annotation `@" + a.key + "`");
        continue;
      }
      out.push_back({a.key, a.value});
    }
    return out;
  }

  schema_type_id record_or_error(std::optional<std::uint32_t> raw, const std::string& ns, origin at,
                                 const std::string& what) {
    if (!raw) return empty_record_type_id;
    const schema_type_id type = resolve_type(*raw, ns, 0);
    if (type == no_schema_type) return no_schema_type;
    if (out_->types[type].kind != schema_type_kind::record) {
      const origin written = raw_.types[*raw].where;
      error(written.json_path >= 0 || written.length > 0 ? written : at,
            what + " must be a record type, not " + out_->describe(type));
      return no_schema_type;
    }
    return type;
  }

  void build_entity(const raw_entity& e) {
    entity_type_info info;
    info.name = intern(qualify(e.ns, e.name));
    for (const raw_name& p : e.parents) {
      if (const auto parent = resolve_entity_name(e.ns, p)) {
        if (std::find(info.parents.begin(), info.parents.end(), *parent) == info.parents.end())
          info.parents.push_back(*parent);
      }
    }
    info.shape = record_or_error(e.shape, e.ns, e.where,
                                 "the attributes of entity type `" + qualify(e.ns, e.name) + "`");
    if (e.tags) info.tags = resolve_type(*e.tags, e.ns, 0);
    info.enumerated = e.enumerated;
    if (e.enumerated) {
      if (e.enum_ids.empty())
        error(e.where, "enumerated entity type `" + qualify(e.ns, e.name) + "` lists no ids");
      if (e.shape || e.tags)
        error(e.where,
              "enumerated entity type `" + qualify(e.ns, e.name) + "` may not have attributes or tags");
      // Cedar accepts an id listed twice (its fuzzer's schemas do it); the repeat adds nothing.
      for (const raw_name& id : e.enum_ids) {
        const symbol s = intern(id.text);
        if (std::find(info.enum_ids.begin(), info.enum_ids.end(), s) == info.enum_ids.end())
          info.enum_ids.push_back(s);
      }
    }
    info.annotations = annotations(e.annotations);
    out_->entity_types.push_back(std::move(info));
  }

  std::optional<entity_uid> resolve_action_ref(const std::string& ns, const raw_action_ref& ref) {
    std::vector<std::string> candidates;
    if (ref.type.empty()) {
      candidates.push_back(qualify(ns, "Action"));
    } else if (!is_qualified(ref.type)) {
      candidates.push_back(qualify(ns, ref.type));
      if (!ns.empty()) candidates.push_back(ref.type);
    } else {
      candidates.push_back(ref.type);
    }
    for (const std::string& type : candidates)
      if (action_by_uid_.count({type, ref.id}) > 0) return entity_uid{intern(type), intern(ref.id)};
    // Suggest by id among the actions of the type that was meant: "did you mean `read`" for
    // `raed`, never an unrelated action of another namespace.
    std::vector<std::string> known;
    for (const auto& [uid, index] : action_by_uid_)
      if (uid.first == candidates.front()) known.push_back(uid.second);
    const std::string closest = closest_name(ref.id, known);
    error(ref.where,
          "unknown action " + action_text(candidates.front(), ref.id) +
              (closest.empty() ? "" : "; did you mean " + action_text(candidates.front(), closest) + "?"));
    return std::nullopt;
  }

  void build_action(const raw_action& a) {
    action_info info;
    const std::string type = qualify(a.ns, "Action");
    info.uid = {intern(type), intern(a.id)};
    const std::string name = action_text(type, a.id);
    for (const raw_action_ref& ref : a.parents) {
      if (const auto parent = resolve_action_ref(a.ns, ref)) {
        if (std::find(info.parents.begin(), info.parents.end(), *parent) == info.parents.end())
          info.parents.push_back(*parent);
      }
    }
    info.has_applies_to = a.has_applies_to;
    if (a.has_applies_to) {
      if (!a.has_principal)
        error(a.where, "`appliesTo` of action " + name + " must list its `principal` types");
      if (!a.has_resource)
        error(a.where, "`appliesTo` of action " + name + " must list its `resource` types");
      for (const raw_name& p : a.principals)
        if (const auto t = resolve_entity_name(a.ns, p)) info.principal_types.push_back(*t);
      for (const raw_name& r : a.resources)
        if (const auto t = resolve_entity_name(a.ns, r)) info.resource_types.push_back(*t);
    }
    info.context = record_or_error(a.context, a.ns, a.where, "the context of action " + name);
    info.annotations = annotations(a.annotations);
    if (std::find(out_->action_types.begin(), out_->action_types.end(), info.uid.type) ==
        out_->action_types.end())
      out_->action_types.push_back(info.uid.type);
    out_->actions.push_back(std::move(info));
  }

  // ---- hierarchies --------------------------------------------------------------------------

  void close_hierarchies() {
    std::unordered_map<symbol, std::size_t> entity_at;
    for (std::size_t i = 0; i < out_->entity_types.size(); ++i) entity_at[out_->entity_types[i].name] = i;
    for (entity_type_info& info : out_->entity_types) {
      // Entity type hierarchies may be cyclic (`entity Group in [Group]`): a plain reachability walk.
      std::unordered_set<symbol> seen;
      std::vector<symbol> work(info.parents.begin(), info.parents.end());
      while (!work.empty()) {
        const symbol s = work.back();
        work.pop_back();
        if (!seen.insert(s).second) continue;
        if (const auto it = entity_at.find(s); it != entity_at.end())
          for (symbol p : out_->entity_types[it->second].parents) work.push_back(p);
      }
      info.ancestors.assign(seen.begin(), seen.end());
      std::sort(info.ancestors.begin(), info.ancestors.end());
    }

    std::unordered_map<std::uint64_t, std::size_t> action_at;
    for (std::size_t i = 0; i < out_->actions.size(); ++i) action_at[out_->actions[i].uid.key()] = i;
    for (std::size_t i = 0; i < out_->actions.size(); ++i) {
      action_info& info = out_->actions[i];
      std::unordered_set<std::uint64_t> seen;
      std::vector<entity_uid> work(info.parents.begin(), info.parents.end());
      while (!work.empty()) {
        const entity_uid g = work.back();
        work.pop_back();
        if (g == info.uid) {
          // Cedar forbids cycles among actions: an action may not be its own group.
          error(raw_.actions[i].where,
                "action `" + to_cedar(info.uid) + "` is a member of itself through its groups");
          break;
        }
        if (!seen.insert(g.key()).second) continue;
        info.ancestors.push_back(g);
        if (const auto it = action_at.find(g.key()); it != action_at.end())
          for (const entity_uid& p : out_->actions[it->second].parents) work.push_back(p);
      }
      std::sort(info.ancestors.begin(), info.ancestors.end(),
                [](entity_uid x, entity_uid y) { return x.key() < y.key(); });
    }
  }

  void finish() {
    std::sort(out_->entity_types.begin(), out_->entity_types.end(),
              [](const entity_type_info& x, const entity_type_info& y) {
                return symbol_text(x.name) < symbol_text(y.name);
              });
    std::sort(out_->actions.begin(), out_->actions.end(), [](const action_info& x, const action_info& y) {
      const auto tx = symbol_text(x.uid.type);
      const auto ty = symbol_text(y.uid.type);
      return tx != ty ? tx < ty : symbol_text(x.uid.id) < symbol_text(y.uid.id);
    });
    std::sort(out_->action_types.begin(), out_->action_types.end());
    for (std::uint32_t i = 0; i < out_->entity_types.size(); ++i)
      out_->entity_index[out_->entity_types[i].name] = i;
    for (std::uint32_t i = 0; i < out_->actions.size(); ++i)
      out_->action_index[out_->actions[i].uid.key()] = i;
  }

  const raw_schema& raw_;
  const locator& where_;
  std::vector<diagnostic>& diagnostics_;
  std::shared_ptr<schema_data> out_;
  bool failed_ = false;
  bool depth_reported_ = false;

  std::map<std::string, std::uint32_t> entity_by_name_;
  std::map<std::string, std::uint32_t> common_by_name_;
  std::map<std::pair<std::string, std::string>, std::uint32_t> action_by_uid_;
  std::vector<common_state> common_state_;
  std::vector<schema_type_id> common_type_;
  std::vector<std::uint32_t> resolving_;
  std::unordered_map<symbol, schema_type_id> entity_type_ids_;
};

}  // namespace

std::shared_ptr<schema_data> build_schema(const raw_schema& raw, const locator& where,
                                          std::vector<diagnostic>& diagnostics) {
  return builder(raw, where, diagnostics).run();
}

}  // namespace mandate::detail::schema_build
