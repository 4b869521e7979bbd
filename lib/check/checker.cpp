// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Cedar's validator, in spirit: for each request type a policy's scope admits, type its
// conditions against the schema. What it follows from Cedar:
// - boolean singletons: `principal is Agent` is True or False per request type, `&&`, `||`
//   and `if` skip what can never run, so guards written with `is`, `has` and action equality
//   work as they do in Cedar;
// - `has` facts ("effects"): `e has a` makes `e.a` safe on the true side of `&&` and in the
//   `then` branch of `if`; `||` keeps only what both sides establish; `!` and `unless` none;
// - attribute access on an optional attribute without such a guard is an error, as is any
//   access to an attribute the type does not declare;
// - `==` between values of different types is an error (it is always false), except between
//   entities, which compare False when their types differ, and between two literals, which
//   compare to a constant;
// - strict mode, as Cedar's validator runs: no unions of entity types (a set of Users and
//   Groups, or an `if` whose branches differ, is an error) and no empty set literal `[]`.
#include "check/checker.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check/type_table.hpp"
#include "parse/parser.hpp"
#include "schema/suggest.hpp"
#include "value/extensions.hpp"
#include "value/value.hpp"

namespace mandate::detail::typecheck {
namespace {

// Conditions are already bounded by the compiler's expression-depth limit; this only keeps a
// policy set built some other way from recursing without end.
constexpr std::uint32_t max_check_depth = 4096;
// A receiver quoted in a message longer than this is abbreviated.
constexpr std::size_t max_quoted_bytes = 60;

// Facts that hold when an expression is true: "path \x1f attribute" for `has`, and
// "path \x1e key" for `hasTag`. Sorted, so union and intersection are linear merges.
using facts = std::vector<std::string>;

void add_fact(facts& f, std::string key) {
  const auto it = std::lower_bound(f.begin(), f.end(), key);
  if (it == f.end() || *it != key) f.insert(it, std::move(key));
}

bool has_fact(const facts& f, const std::string& key) { return std::binary_search(f.begin(), f.end(), key); }

facts unite(const facts& a, const facts& b) {
  facts out;
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

facts intersect(const facts& a, const facts& b) {
  facts out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

std::string attribute_fact(std::string_view path, std::string_view attribute) {
  return std::string(path) + '\x1f' + std::string(attribute);
}

std::string tag_fact(std::string_view path, std::string_view key) {
  return std::string(path) + '\x1e' + std::string(key);
}

struct typed {
  type_id type = no_type;
  facts when_true;
};

/// One request type: what a request admitted by the policy's scope may look like.
struct request_type {
  symbol principal = 0;
  const action_info* action = nullptr;
  symbol resource = 0;
};

struct extension_method {
  std::string_view name;
  type_id receiver;
  std::size_t arity;
  type_id argument;
  type_id result;
};

// Cedar's extension methods, typed. Schema type ids double as checker type ids.
constexpr extension_method extension_methods[] = {
    {"lessThan", decimal_type_id, 1, decimal_type_id, bool_type_id},
    {"lessThanOrEqual", decimal_type_id, 1, decimal_type_id, bool_type_id},
    {"greaterThan", decimal_type_id, 1, decimal_type_id, bool_type_id},
    {"greaterThanOrEqual", decimal_type_id, 1, decimal_type_id, bool_type_id},
    {"isIpv4", ipaddr_type_id, 0, no_type, bool_type_id},
    {"isIpv6", ipaddr_type_id, 0, no_type, bool_type_id},
    {"isLoopback", ipaddr_type_id, 0, no_type, bool_type_id},
    {"isMulticast", ipaddr_type_id, 0, no_type, bool_type_id},
    {"isInRange", ipaddr_type_id, 1, ipaddr_type_id, bool_type_id},
    {"offset", datetime_type_id, 1, duration_type_id, datetime_type_id},
    {"durationSince", datetime_type_id, 1, datetime_type_id, duration_type_id},
    {"toDate", datetime_type_id, 0, no_type, datetime_type_id},
    {"toTime", datetime_type_id, 0, no_type, duration_type_id},
    {"toMilliseconds", duration_type_id, 0, no_type, long_type_id},
    {"toSeconds", duration_type_id, 0, no_type, long_type_id},
    {"toMinutes", duration_type_id, 0, no_type, long_type_id},
    {"toHours", duration_type_id, 0, no_type, long_type_id},
    {"toDays", duration_type_id, 0, no_type, long_type_id},
};

const extension_method* find_extension_method(std::string_view name) {
  for (const auto& m : extension_methods)
    if (m.name == name) return &m;
  return nullptr;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// A literal Cedar writes as such: a Bool, Long, String or entity reference.
bool is_primitive(const value& v) {
  return v.kind == value_kind::boolean || v.kind == value_kind::integer || v.kind == value_kind::string ||
         v.kind == value_kind::entity;
}

bool looks_like_action_type(std::string_view type) {
  return type == "Action" || (type.size() > 8 && type.substr(type.size() - 8) == "::Action");
}

class policy_checker {
 public:
  policy_checker(const compiled_policy_set& set, const schema_data& schema, std::vector<diagnostic>& out)
      : set_(set), ast_(set.ast), schema_(schema), types_(schema), out_(out) {}

  void check(std::size_t index) {
    const policy& p = ast_.policies[index];
    pending_.clear();
    policy_has_errors_ = false;
    const std::string id = index < set_.ids.size() ? set_.ids[index] : "policy" + std::to_string(index);
    if (!scope_names_exist(p)) {
      flush();
      return;
    }
    const std::vector<request_type> requests = request_types(p, id);
    if (requests.empty()) {
      flush();
      return;
    }
    bool satisfiable = false;
    for (const request_type& r : requests) {
      request_ = &r;
      if (conditions_type(p) != types_.bool_false()) satisfiable = true;
    }
    request_ = nullptr;
    if (!satisfiable && !policy_has_errors_)
      report(p.effect_span,
             "policy `" + id +
                 "` is never satisfied: its conditions are false for every request the schema allows",
             severity::warning);
    flush();
  }

 private:
  // ---- diagnostics ----------------------------------------------------------------------------

  // A policy's diagnostics wait here until the policy is done: the same mistake is found once
  // per request type and is reported once, naming every action it was found for when that
  // matters (`context` differs per action).
  struct pending_diagnostic {
    source_span span;
    std::string message;
    severity level;
    std::vector<std::string> actions;
    std::string suffix;  // after the actions: "; did you mean `hour`?"
  };

  void report(source_span span, std::string message, severity level = severity::error,
              std::string action = std::string(), std::string suffix = std::string()) {
    if (level == severity::error) policy_has_errors_ = true;
    for (pending_diagnostic& p : pending_) {
      if (p.span.file != span.file || p.span.begin != span.begin || p.span.end != span.end ||
          p.message != message || p.suffix != suffix)
        continue;
      if (!action.empty() && std::find(p.actions.begin(), p.actions.end(), action) == p.actions.end())
        p.actions.push_back(std::move(action));
      return;
    }
    pending_.push_back({span, std::move(message), level, {}, std::move(suffix)});
    if (!action.empty()) pending_.back().actions.push_back(std::move(action));
  }

  void flush() {
    for (pending_diagnostic& p : pending_) {
      std::string message = std::move(p.message);
      if (!p.actions.empty()) {
        std::sort(p.actions.begin(), p.actions.end());
        message += p.actions.size() == 1 ? " for action " : " for actions ";
        for (std::size_t i = 0; i < p.actions.size(); ++i)
          message += (i == 0 ? "`" : ", `") + p.actions[i] + "`";
      }
      message += p.suffix;
      out_.push_back(make_diagnostic(ast_, p.span, "type", std::move(message), p.level));
    }
    pending_.clear();
  }

  // The source text of an expression, on one line, abbreviated: for "guard it with `...`".
  std::string text_of(expr_id id) const {
    const source_span span = ast_.at(id).span;
    if (span.file >= ast_.files.size()) return "this";
    const std::string& text = ast_.files[span.file].text;
    const std::size_t begin = std::min<std::size_t>(span.begin, text.size());
    const std::size_t end = std::min<std::size_t>(std::max(span.end, span.begin), text.size());
    std::string out;
    bool space = false;
    for (std::size_t i = begin; i < end; ++i) {
      const char c = text[i];
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        space = !out.empty();
        continue;
      }
      if (space) out += ' ';
      space = false;
      out += c;
    }
    if (out.size() > max_quoted_bytes) out = out.substr(0, max_quoted_bytes) + "...";
    return out;
  }

  std::string described(type_id t) const { return types_.describe(t); }

  static std::string has_guard(const std::string& receiver, std::string_view attribute) {
    return receiver + " has " + (is_identifier(attribute) ? std::string(attribute) : quote(attribute));
  }

  std::vector<std::string> entity_type_names() const {
    std::vector<std::string> names;
    for (const auto& e : schema_.entity_types) names.emplace_back(symbol_text(e.name));
    return names;
  }

  std::vector<std::string> attribute_names(std::span<const type_attribute> attributes) const {
    std::vector<std::string> names;
    for (const auto& a : attributes) names.emplace_back(symbol_text(a.name));
    return names;
  }

  // ---- names in scopes and literals -----------------------------------------------------------

  // False (with a diagnostic) when `uid` names an entity type or action the schema lacks, or
  // an id an enumerated type does not list.
  bool entity_exists(entity_uid uid, source_span span) {
    const std::string_view type = symbol_text(uid.type);
    if (schema_.is_action_type(uid.type) ||
        (looks_like_action_type(type) && !schema_.find_entity_type(uid.type))) {
      if (schema_.find_action(uid) != nullptr) return true;
      std::vector<std::string> ids;  // suggest among the actions of the same type, by id
      for (const auto& a : schema_.actions)
        if (a.uid.type == uid.type) ids.emplace_back(symbol_text(a.uid.id));
      const std::string closest = closest_name(symbol_text(uid.id), ids);
      report(span, "unknown action `" + to_cedar(uid) + "`" +
                       (closest.empty()
                            ? ""
                            : "; did you mean `" + to_cedar(entity_uid{uid.type, intern(closest)}) + "`?"));
      return false;
    }
    const entity_type_info* info = schema_.find_entity_type(uid.type);
    if (info == nullptr) {
      report(span,
             "unknown entity type `" + std::string(type) + "`" + did_you_mean(type, entity_type_names()));
      return false;
    }
    if (info->enumerated &&
        std::find(info->enum_ids.begin(), info->enum_ids.end(), uid.id) == info->enum_ids.end()) {
      std::string allowed;
      for (symbol s : info->enum_ids) allowed += (allowed.empty() ? "" : ", ") + quote(symbol_text(s));
      report(span, to_cedar(uid) + " is not an entity of the enumerated type `" + std::string(type) +
                       "`, whose ids are " + allowed);
      return false;
    }
    return true;
  }

  bool entity_type_exists(symbol type, source_span span) {
    if (schema_.find_entity_type(type) != nullptr || schema_.is_action_type(type)) return true;
    const std::string_view name = symbol_text(type);
    report(span, "unknown entity type `" + std::string(name) + "`" + did_you_mean(name, entity_type_names()));
    return false;
  }

  bool scope_names_exist(const policy& p) {
    bool ok = true;
    for (const scope_constraint* c : {&p.principal, &p.resource}) {
      if ((c->op == scope_op::is || c->op == scope_op::is_in) && !entity_type_exists(c->type, c->span))
        ok = false;
      if ((c->op == scope_op::equal || c->op == scope_op::in || c->op == scope_op::is_in) && !c->slot &&
          !entity_exists(c->entity, c->span))
        ok = false;
    }
    const scope_constraint& a = p.action;
    if ((a.op == scope_op::equal || a.op == scope_op::in) && !entity_exists(a.entity, a.span)) ok = false;
    if (a.op == scope_op::in_list)
      for (const entity_uid& uid : a.list)
        if (!entity_exists(uid, a.span)) ok = false;
    return ok;
  }

  // ---- request types --------------------------------------------------------------------------

  bool admits(const scope_constraint& c, symbol type) const { return scope_admits(schema_, c, type); }

  bool action_admitted(const scope_constraint& c, const action_info& a) const {
    switch (c.op) {
      case scope_op::any:
        return true;
      case scope_op::equal:
        return a.uid == c.entity;
      case scope_op::in:
        return schema_.action_in(a.uid, c.entity);
      case scope_op::in_list:
        return std::any_of(c.list.begin(), c.list.end(),
                           [&](entity_uid g) { return schema_.action_in(a.uid, g); });
      default:
        return false;
    }
  }

  static std::string type_list(const std::vector<symbol>& types) {
    std::vector<std::string_view> names;
    for (symbol s : types) names.push_back(symbol_text(s));
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i)
      out += std::string(i == 0 ? "" : ", ") + "`" + std::string(names[i]) + "`";
    return out.empty() ? "none" : out;
  }

  std::vector<request_type> request_types(const policy& p, const std::string& id) {
    std::vector<request_type> out;
    bool any_action = false;
    bool any_principal = false;
    bool any_resource = false;
    std::vector<symbol> principals_offered;
    std::vector<symbol> resources_offered;
    for (const action_info& a : schema_.actions) {
      if (!a.has_applies_to || !action_admitted(p.action, a)) continue;
      any_action = true;
      principals_offered.insert(principals_offered.end(), a.principal_types.begin(), a.principal_types.end());
      resources_offered.insert(resources_offered.end(), a.resource_types.begin(), a.resource_types.end());
      for (symbol r : a.resource_types)
        if (admits(p.resource, r)) any_resource = true;
      for (symbol principal : a.principal_types) {
        if (!admits(p.principal, principal)) continue;
        any_principal = true;
        for (symbol resource : a.resource_types)
          if (admits(p.resource, resource)) out.push_back({principal, &a, resource});
      }
    }
    if (!out.empty()) return out;
    // Cedar reports this as an error too (its "invalid action application"): a policy that
    // applies to nothing is almost always a typo in its scope.
    const std::string never = "policy `" + id + "` can never apply: ";
    if (!any_action) {
      report(p.action.span, never +
                                "no action it names can be requested (actions without `appliesTo` are only "
                                "groups)");
    } else if (!any_principal) {
      report(p.principal.span, never + "its actions apply to principals of type " +
                                   type_list(principals_offered) + ", and none of them can satisfy `" +
                                   span_text(p.principal.span) + "`");
    } else if (!any_resource) {
      report(p.resource.span, never + "its actions apply to resources of type " +
                                  type_list(resources_offered) + ", and none of them can satisfy `" +
                                  span_text(p.resource.span) + "`");
    } else {
      report(p.effect_span, never +
                                "no single action in its scope applies to both such a principal and such a "
                                "resource");
    }
    return out;
  }

  std::string span_text(source_span span) const {
    if (span.file >= ast_.files.size()) return "";
    const std::string& text = ast_.files[span.file].text;
    const std::size_t begin = std::min<std::size_t>(span.begin, text.size());
    const std::size_t end = std::min<std::size_t>(std::max(span.end, span.begin), text.size());
    std::string out;
    for (std::size_t i = begin; i < end; ++i) {
      const char c = text[i];
      const bool blank = c == ' ' || c == '\n' || c == '\r' || c == '\t';
      if (blank && (out.empty() || out.back() == ' ')) continue;
      out += blank ? ' ' : c;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    if (out.size() > max_quoted_bytes) out = out.substr(0, max_quoted_bytes) + "...";
    return out;
  }

  // ---- conditions -----------------------------------------------------------------------------

  // The type of the policy's whole condition for the current request type: the `when` and
  // `unless` clauses joined by `&&`, so facts of an earlier clause guard later ones.
  type_id conditions_type(const policy& p) {
    facts known;
    type_id overall = types_.bool_true();
    for (const condition& c : p.conditions) {
      typed t = check(c.body, known, 0);
      if (!types_.is_boolean(t.type) && types_.kind(t.type) != type_kind::unknown)
        report(ast_.at(c.body).span, std::string("a `") + (c.is_when ? "when" : "unless") +
                                         "` condition must be a Bool, but this is " + described(t.type));
      type_id clause = types_.is_boolean(t.type) ? t.type : types_.boolean();
      if (c.is_when) {
        known = unite(known, t.when_true);
      } else {
        clause = negate(clause);
      }
      if (clause == types_.bool_false()) return clause;
      overall = overall == types_.bool_true() && clause == types_.bool_true() ? overall : types_.boolean();
    }
    return overall;
  }

  type_id negate(type_id t) const {
    if (t == types_.bool_true()) return types_.bool_false();
    if (t == types_.bool_false()) return types_.bool_true();
    return types_.boolean();
  }

  type_id bool_of(bool b) const { return b ? types_.bool_true() : types_.bool_false(); }

  bool is_unknown(type_id t) const { return types_.kind(t) == type_kind::unknown; }

  void expect_bool(expr_id id, type_id t, const char* op) {
    if (types_.is_boolean(t) || is_unknown(t)) return;
    report(ast_.at(id).span,
           std::string("`") + op + "` expects Bool operands, but `" + text_of(id) + "` is " + described(t));
  }

  // The access path an expression names (`principal`, `context.agent`, `User::"a".manager`),
  // which `has` facts are keyed by; none for other expressions.
  std::optional<std::string> path_of(expr_id id) const {
    std::vector<symbol> attributes;
    expr_id current = id;
    while (ast_.at(current).kind == expr_kind::get_attr) {
      attributes.push_back(ast_.at(current).name);
      current = ast_.at(current).a;
    }
    const expr& root = ast_.at(current);
    std::string path;
    switch (root.kind) {
      case expr_kind::var_principal:
        path = "principal";
        break;
      case expr_kind::var_action:
        path = "action";
        break;
      case expr_kind::var_resource:
        path = "resource";
        break;
      case expr_kind::var_context:
        path = "context";
        break;
      case expr_kind::literal:
        if (ast_.literals[root.name].kind != value_kind::entity) return std::nullopt;
        path = to_cedar(ast_.literals[root.name].entity);
        break;
      default:
        return std::nullopt;
    }
    for (auto it = attributes.rbegin(); it != attributes.rend(); ++it)
      path = attribute_fact(path, symbol_text(*it));
    return path;
  }

  // The one entity an expression certainly is: the request's action, or an entity literal.
  std::optional<entity_uid> exact_entity(expr_id id) const {
    const expr& e = ast_.at(id);
    if (e.kind == expr_kind::var_action && request_ != nullptr) return request_->action->uid;
    if (e.kind == expr_kind::literal && ast_.literals[e.name].kind == value_kind::entity)
      return ast_.literals[e.name].entity;
    return std::nullopt;
  }

  // The entities a right-hand side of `in` certainly is: one, or a set literal of them.
  std::optional<std::vector<entity_uid>> exact_entities(expr_id id) const {
    if (const auto one = exact_entity(id)) return std::vector<entity_uid>{*one};
    const expr& e = ast_.at(id);
    if (e.kind != expr_kind::set_literal) return std::nullopt;
    std::vector<entity_uid> out;
    for (std::uint32_t item : ast_.list(e)) {
      const auto uid = exact_entity(item);
      if (!uid) return std::nullopt;
      out.push_back(*uid);
    }
    return out;
  }

  // ---- expressions ----------------------------------------------------------------------------

  typed check(expr_id id, const facts& known, std::uint32_t depth) {
    if (depth > max_check_depth || id >= ast_.exprs.size()) return {types_.unknown(), {}};
    const expr e = ast_.at(id);
    switch (e.kind) {
      case expr_kind::literal:
        return {literal(e), {}};
      case expr_kind::var_principal:
        return {types_.entity(request_->principal), {}};
      case expr_kind::var_action:
        return {types_.entity(request_->action->uid.type), {}};
      case expr_kind::var_resource:
        return {types_.entity(request_->resource), {}};
      case expr_kind::var_context:
        return {request_->action->context, {}};
      case expr_kind::slot_principal:
      case expr_kind::slot_resource:
        return {types_.unknown(), {}};
      case expr_kind::logical_not: {
        const typed operand = check(e.a, known, depth + 1);
        expect_bool(e.a, operand.type, "!");
        return {negate(operand.type), {}};
      }
      case expr_kind::negate: {
        const typed operand = check(e.a, known, depth + 1);
        expect_long(e.a, operand.type, "-");
        return {types_.long_integer(), {}};
      }
      case expr_kind::logical_and:
        return logical_and(e, known, depth);
      case expr_kind::logical_or:
        return logical_or(e, known, depth);
      case expr_kind::if_then_else:
        return if_then_else(e, known, depth);
      case expr_kind::equal:
      case expr_kind::not_equal:
        return {equality(e, known, depth), {}};
      case expr_kind::less:
      case expr_kind::less_equal:
      case expr_kind::greater:
      case expr_kind::greater_equal:
        return {comparison(e, known, depth), {}};
      case expr_kind::add:
      case expr_kind::subtract:
      case expr_kind::multiply: {
        const typed left = check(e.a, known, depth + 1);
        const typed right = check(e.b, known, depth + 1);
        expect_long(e.a, left.type, operator_text(e.kind));
        expect_long(e.b, right.type, operator_text(e.kind));
        return {types_.long_integer(), {}};
      }
      case expr_kind::in: {
        const typed left = check(e.a, known, depth + 1);
        const typed right = check(e.b, known, depth + 1);
        return {in_type(e.a, left.type, e.b, right.type), {}};
      }
      case expr_kind::has:
        return has_test(e, known, depth);
      case expr_kind::get_attr: {
        const typed receiver = check(e.a, known, depth + 1);
        return {attribute(e, receiver.type, known), {}};
      }
      case expr_kind::like: {
        const typed operand = check(e.a, known, depth + 1);
        if (types_.kind(operand.type) != type_kind::string && !is_unknown(operand.type))
          report(ast_.at(e.a).span,
                 "`like` matches Strings, but `" + text_of(e.a) + "` is " + described(operand.type));
        return {types_.boolean(), {}};
      }
      case expr_kind::is:
      case expr_kind::is_in:
        return {is_test(e, known, depth), {}};
      case expr_kind::set_literal:
        return {set_literal(e, known, depth), {}};
      case expr_kind::record_literal:
        return {record_literal(e, known, depth), {}};
      case expr_kind::method_call:
        return method_call(e, known, depth);
      case expr_kind::function_call:
        return {function_call(e, known, depth), {}};
      case expr_kind::temporal:
        return {types_.boolean(), {}};
    }
    return {types_.unknown(), {}};
  }

  void expect_long(expr_id id, type_id t, const char* op) {
    if (types_.kind(t) == type_kind::long_integer || is_unknown(t)) return;
    report(ast_.at(id).span,
           std::string("`") + op + "` expects Long operands, but `" + text_of(id) + "` is " + described(t));
  }

  type_id literal(const expr& e) {
    const value& v = ast_.literals[e.name];
    switch (v.kind) {
      case value_kind::boolean:
        return bool_of(v.boolean);
      case value_kind::integer:
        return types_.long_integer();
      case value_kind::string:
        return types_.string();
      case value_kind::entity:
        return entity_exists(v.entity, e.span) ? types_.entity(v.entity.type) : types_.unknown();
      case value_kind::decimal:
        return decimal_type_id;
      case value_kind::ip:
        return ipaddr_type_id;
      case value_kind::datetime:
        return datetime_type_id;
      case value_kind::duration:
        return duration_type_id;
      case value_kind::set:
      case value_kind::record:
        return types_.unknown();
    }
    return types_.unknown();
  }

  typed logical_and(const expr& e, const facts& known, std::uint32_t depth) {
    const typed left = check(e.a, known, depth + 1);
    expect_bool(e.a, left.type, "&&");
    if (left.type == types_.bool_false()) return {types_.bool_false(), {}};  // the right side never runs
    const typed right = check(e.b, unite(known, left.when_true), depth + 1);
    expect_bool(e.b, right.type, "&&");
    if (right.type == types_.bool_false()) return {types_.bool_false(), {}};
    const bool always = left.type == types_.bool_true() && right.type == types_.bool_true();
    return {always ? types_.bool_true() : types_.boolean(), unite(left.when_true, right.when_true)};
  }

  typed logical_or(const expr& e, const facts& known, std::uint32_t depth) {
    const typed left = check(e.a, known, depth + 1);
    expect_bool(e.a, left.type, "||");
    if (left.type == types_.bool_true()) return left;  // the right side never runs
    const typed right = check(e.b, known, depth + 1);
    expect_bool(e.b, right.type, "||");
    if (left.type == types_.bool_false())
      return {types_.is_boolean(right.type) ? right.type : types_.boolean(), right.when_true};
    if (right.type == types_.bool_false()) return {types_.boolean(), left.when_true};
    const type_id t = right.type == types_.bool_true() ? types_.bool_true() : types_.boolean();
    return {t, intersect(left.when_true, right.when_true)};
  }

  typed if_then_else(const expr& e, const facts& known, std::uint32_t depth) {
    const typed test = check(e.a, known, depth + 1);
    expect_bool(e.a, test.type, "if");
    if (test.type == types_.bool_true()) {
      typed then_branch = check(e.b, unite(known, test.when_true), depth + 1);
      return {then_branch.type, unite(test.when_true, then_branch.when_true)};
    }
    if (test.type == types_.bool_false()) return check(e.c, known, depth + 1);
    const typed then_branch = check(e.b, unite(known, test.when_true), depth + 1);
    const typed else_branch = check(e.c, known, depth + 1);
    const facts both = intersect(unite(test.when_true, then_branch.when_true), else_branch.when_true);
    if (then_branch.type == else_branch.type) return {then_branch.type, both};
    const type_id joined = types_.join(then_branch.type, else_branch.type);
    if (joined == no_type) {
      report(e.span, "the branches of this `if` have different types, " + described(then_branch.type) +
                         " and " + described(else_branch.type));
      return {types_.unknown(), {}};
    }
    return {joined, both};
  }

  type_id equality(const expr& e, const facts& known, std::uint32_t depth) {
    const typed left = check(e.a, known, depth + 1);
    const typed right = check(e.b, known, depth + 1);
    type_id result = types_.boolean();
    const type_kind lk = types_.kind(left.type);
    const type_kind rk = types_.kind(right.type);
    if (lk == type_kind::unknown || rk == type_kind::unknown) return result;
    const auto left_entity = exact_entity(e.a);
    const auto right_entity = exact_entity(e.b);
    const expr& le = ast_.at(e.a);
    const expr& re = ast_.at(e.b);
    if (le.kind == expr_kind::literal && re.kind == expr_kind::literal &&
        is_primitive(ast_.literals[le.name]) && is_primitive(ast_.literals[re.name])) {
      // Two literals compare to a constant, as in Cedar, even when their types differ.
      result = bool_of(value_equal(ast_.literals[le.name], ast_.literals[re.name]));
    } else if (left_entity && right_entity) {
      result = bool_of(*left_entity == *right_entity);
    } else if (lk == type_kind::entity && rk == type_kind::entity) {
      const auto ln = types_.entity_names(left.type);
      const auto rn = types_.entity_names(right.type);
      const bool overlap = std::any_of(
          ln.begin(), ln.end(), [&](symbol s) { return std::find(rn.begin(), rn.end(), s) != rn.end(); });
      if (!overlap) result = types_.bool_false();  // entities of different types are never equal
    } else if (types_.join(left.type, right.type) == no_type) {
      report(e.span, std::string("`") + operator_text(e.kind) + "` compares " + described(left.type) +
                         " with " + described(right.type) + "; values of different types are never equal");
    }
    return e.kind == expr_kind::not_equal ? negate(result) : result;
  }

  type_id comparison(const expr& e, const facts& known, std::uint32_t depth) {
    const typed left = check(e.a, known, depth + 1);
    const typed right = check(e.b, known, depth + 1);
    // Levels of an ordered enumeration (`ordered enum T [...]` beside the policies) compare
    // by rank, as Mandate's evaluator does.
    auto ordered_level = [&](type_id t) {
      if (types_.kind(t) != type_kind::entity) return false;
      const auto names = types_.entity_names(t);
      return names.size() == 1 && set_.code.levels.is_ordered(names[0]);
    };
    auto comparable = [&](type_id t) {
      return t == long_type_id || t == datetime_type_id || t == duration_type_id || is_unknown(t) ||
             ordered_level(t);
    };
    bool ok = true;
    for (const auto& [operand, t] : {std::pair{e.a, left.type}, std::pair{e.b, right.type}}) {
      if (comparable(t)) continue;
      ok = false;
      report(ast_.at(operand).span,
             std::string("`") + operator_text(e.kind) +
                 "` compares Longs (or two datetimes, two durations, two levels), but `" + text_of(operand) +
                 "` is " + described(t));
    }
    if (ok && left.type != right.type && !is_unknown(left.type) && !is_unknown(right.type))
      report(e.span, std::string("`") + operator_text(e.kind) + "` compares " + described(left.type) +
                         " with " + described(right.type) + "; both sides must have the same type");
    return types_.boolean();
  }

  // `left in right`: an entity in an entity or a set of entities. False when the hierarchy the
  // schema declares can never put one in the other.
  type_id in_type(expr_id left_expr, type_id left, expr_id right_expr, type_id right) {
    if (is_unknown(left) || is_unknown(right)) return types_.boolean();
    if (types_.kind(left) != type_kind::entity) {
      report(ast_.at(left_expr).span,
             "`in` expects an entity on its left, but `" + text_of(left_expr) + "` is " + described(left));
      return types_.boolean();
    }
    std::vector<symbol> groups;
    const type_kind rk = types_.kind(right);
    if (rk == type_kind::entity) {
      const auto names = types_.entity_names(right);
      groups.assign(names.begin(), names.end());
    } else if (rk == type_kind::set && types_.at(right).element == no_type) {
      return types_.bool_false();  // nothing is in the empty set
    } else if (rk == type_kind::set && is_unknown(types_.at(right).element)) {
      return types_.boolean();
    } else if (rk == type_kind::set && types_.kind(types_.at(right).element) == type_kind::entity) {
      const auto names = types_.entity_names(types_.at(right).element);
      groups.assign(names.begin(), names.end());
    } else {
      report(ast_.at(right_expr).span, "`in` expects an entity or a set of entities on its right, but `" +
                                           text_of(right_expr) + "` is " + described(right));
      return types_.boolean();
    }
    // Actions are all in the schema, hierarchy included: `action in Action::"write"` is
    // decided for each request type, as Cedar does.
    if (const auto action = exact_entity(left_expr); action && schema_.find_action(*action) != nullptr) {
      if (const auto targets = exact_entities(right_expr)) {
        const bool member = std::any_of(targets->begin(), targets->end(),
                                        [&](entity_uid g) { return schema_.action_in(*action, g); });
        return bool_of(member);
      }
    }
    const auto members = types_.entity_names(left);
    for (symbol m : members)
      for (symbol g : groups)
        if (schema_.may_be_in(m, g)) return types_.boolean();
    return types_.bool_false();
  }

  type_id is_test(const expr& e, const facts& known, std::uint32_t depth) {
    const typed operand = check(e.a, known, depth + 1);
    const bool type_known = entity_type_exists(e.name, e.span);
    std::optional<typed> group;
    if (e.kind == expr_kind::is_in) group = check(e.b, known, depth + 1);
    if (is_unknown(operand.type)) return types_.boolean();
    if (types_.kind(operand.type) != type_kind::entity) {
      report(ast_.at(e.a).span,
             "`is` tests the type of an entity, but `" + text_of(e.a) + "` is " + described(operand.type));
      return types_.boolean();
    }
    const auto names = types_.entity_names(operand.type);
    const bool all = std::all_of(names.begin(), names.end(), [&](symbol s) { return s == e.name; });
    const bool none = std::none_of(names.begin(), names.end(), [&](symbol s) { return s == e.name; });
    type_id result = !type_known ? types_.boolean()
                     : all       ? types_.bool_true()
                     : none      ? types_.bool_false()
                                 : types_.boolean();
    if (!group) return result;
    if (result == types_.bool_false()) return result;
    const type_id membership = in_type(e.a, types_.entity(e.name), e.b, group->type);
    if (membership == types_.bool_false()) return membership;
    return result == types_.bool_true() && membership == types_.bool_true() ? result : types_.boolean();
  }

  typed has_test(const expr& e, const facts& known, std::uint32_t depth) {
    const typed receiver = check(e.a, known, depth + 1);
    std::optional<std::string> path = path_of(e.a);
    std::string receiver_text = text_of(e.a);
    type_id current = receiver.type;
    bool always = true;
    facts established;
    for (std::uint32_t name : ast_.list(e)) {
      const std::string_view attribute_name = symbol_text(name);
      const bool guarded = path && has_fact(known, attribute_fact(*path, attribute_name));
      const type_node node = types_.at(current);
      type_id next = types_.unknown();
      if (node.kind == type_kind::unknown) {
        always = false;
      } else if (node.kind == type_kind::entity) {
        type_id joined = no_type;
        const std::vector<symbol> names(types_.entity_names(current).begin(),
                                        types_.entity_names(current).end());
        for (symbol t : names) {
          const entity_type_info* info = schema_.find_entity_type(t);
          const schema_attribute* a = info != nullptr ? schema_.find_attribute(info->shape, name) : nullptr;
          if (a == nullptr) continue;
          joined = joined == no_type ? a->type : types_.join(joined, a->type);
          if (joined == no_type) joined = types_.unknown();
        }
        if (joined == no_type) return {types_.bool_false(), {}};  // no such attribute: never true
        next = joined;
        if (!guarded) always = false;  // an entity may be missing from the store
      } else if (node.kind == type_kind::record) {
        const type_attribute* a = types_.find_attribute(current, name);
        if (a == nullptr) {
          if (!node.open) return {types_.bool_false(), {}};
          always = false;
        } else {
          next = a->type;
          if (!a->required && !guarded) always = false;
        }
      } else {
        report(e.span, "`has` tests an attribute of an entity or a record, but `" + receiver_text + "` is " +
                           described(current));
        return {types_.boolean(), {}};
      }
      if (path) {
        add_fact(established, attribute_fact(*path, attribute_name));
        path = attribute_fact(*path, attribute_name);
      }
      receiver_text += '.';
      receiver_text += attribute_name;
      current = next;
    }
    return {always ? types_.bool_true() : types_.boolean(), std::move(established)};
  }

  type_id attribute(const expr& e, type_id receiver, const facts& known) {
    const std::string_view name = symbol_text(e.name);
    const type_node node = types_.at(receiver);
    const std::optional<std::string> path = path_of(e.a);
    const bool guarded = path && has_fact(known, attribute_fact(*path, name));
    switch (node.kind) {
      case type_kind::unknown:
        return types_.unknown();
      case type_kind::entity: {
        type_id result = no_type;
        bool failed = false;
        const std::vector<symbol> names(types_.entity_names(receiver).begin(),
                                        types_.entity_names(receiver).end());
        for (symbol t : names) {
          const entity_type_info* info = schema_.find_entity_type(t);
          if (info == nullptr) {
            report(e.span, "actions have no attributes, and `" + text_of(e.a) + "` is an action");
            failed = true;
            continue;
          }
          const schema_attribute* a = schema_.find_attribute(info->shape, e.name);
          if (a == nullptr) {
            std::vector<std::string> known_names;
            for (const auto& x : schema_.record_attributes(info->shape))
              known_names.emplace_back(symbol_text(x.name));
            report(e.span, "entity type `" + std::string(symbol_text(t)) + "` has no attribute `" +
                               std::string(name) + "`" + did_you_mean(name, known_names));
            failed = true;
            continue;
          }
          if (!a->required && !guarded)
            report(e.span, "attribute `" + std::string(name) + "` is optional on `" +
                               std::string(symbol_text(t)) + "`; guard it with `" +
                               has_guard(text_of(e.a), name) + "`");
          result = result == no_type ? a->type : types_.join(result, a->type);
          if (result == no_type) result = types_.unknown();
        }
        return failed || result == no_type ? types_.unknown() : result;
      }
      case type_kind::record: {
        const type_attribute* a = types_.find_attribute(receiver, e.name);
        if (a == nullptr) {
          const bool is_context = ast_.at(e.a).kind == expr_kind::var_context && request_ != nullptr;
          report(e.span, "`" + text_of(e.a) + "` has no attribute `" + std::string(name) + "`",
                 severity::error, is_context ? to_cedar(request_->action->uid) : std::string(),
                 did_you_mean(name, attribute_names(types_.attributes(receiver))));
          return types_.unknown();
        }
        const type_id t = a->type;
        if (!a->required && !guarded)
          report(e.span, "attribute `" + std::string(name) + "` is optional in `" + text_of(e.a) +
                             "`; guard it with `" + has_guard(text_of(e.a), name) + "`");
        return t;
      }
      default:
        report(e.span, "only entities and records have attributes, but `" + text_of(e.a) + "` is " +
                           described(receiver));
        return types_.unknown();
    }
  }

  type_id set_literal(const expr& e, const facts& known, std::uint32_t depth) {
    if (e.list_size == 0) {
      // Cedar's strict validation gives `[]` no type: it cannot tell what the set holds.
      report(e.span,
             "an empty set literal `[]` has no element type, so it cannot be type-checked; "
             "Cedar's validator rejects it");
      return types_.unknown();
    }
    type_id element = no_type;
    for (std::uint32_t item : ast_.list(e)) {
      const type_id t = types_.widen(check(item, known, depth + 1).type);
      if (element == no_type) {
        element = t;
        continue;
      }
      const type_id joined = types_.join(element, t);
      if (joined == no_type) {
        report(ast_.at(item).span, "the elements of a set must have one type, but this is " + described(t) +
                                       " and the ones before it are " + described(element));
        element = types_.unknown();
        continue;
      }
      element = joined;
    }
    return types_.set_of(element);
  }

  type_id record_literal(const expr& e, const facts& known, std::uint32_t depth) {
    const auto pairs = ast_.list(e);
    std::vector<type_attribute> attributes;
    for (std::size_t i = 0; i + 1 < pairs.size(); i += 2)
      attributes.push_back({pairs[i], types_.widen(check(pairs[i + 1], known, depth + 1).type), true});
    return types_.record(std::move(attributes));
  }

  bool expect_arity(const expr& e, std::string_view method, std::size_t expected) {
    if (e.list_size == expected) return true;
    report(e.span, "`" + std::string(method) + "` takes " + std::to_string(expected) +
                       (expected == 1 ? " argument" : " arguments") + ", but this call passes " +
                       std::to_string(e.list_size));
    return false;
  }

  // The key a `hasTag` / `getTag` argument is remembered by: a string literal, or a path.
  std::optional<std::string> tag_key(expr_id argument) const {
    const expr& a = ast_.at(argument);
    if (a.kind == expr_kind::literal && ast_.literals[a.name].kind == value_kind::string)
      return quote(symbol_text(ast_.literals[a.name].string));
    return path_of(argument);
  }

  typed method_call(const expr& e, const facts& known, std::uint32_t depth) {
    const typed receiver = check(e.a, known, depth + 1);
    std::vector<type_id> args;
    for (std::uint32_t arg : ast_.list(e)) args.push_back(check(arg, known, depth + 1).type);
    const std::string_view method = symbol_text(e.name);
    const auto arg_expr = [&](std::size_t i) { return ast_.list(e)[i]; };
    const type_kind rk = types_.kind(receiver.type);
    const bool receiver_unknown = rk == type_kind::unknown;

    if (method == "contains" || method == "containsAll" || method == "containsAny" || method == "isEmpty") {
      const bool single = method == "contains";
      if (!expect_arity(e, method, method == "isEmpty" ? 0 : 1)) return {types_.boolean(), {}};
      if (receiver_unknown) return {types_.boolean(), {}};
      if (rk != type_kind::set) {
        report(ast_.at(e.a).span, "`" + std::string(method) + "` is a method of sets, but `" + text_of(e.a) +
                                      "` is " + described(receiver.type));
        return {types_.boolean(), {}};
      }
      if (method == "isEmpty") return {types_.boolean(), {}};
      const type_id element = types_.at(receiver.type).element;
      type_id wanted = types_.widen(args[0]);
      if (!single) {
        if (is_unknown(wanted)) return {types_.boolean(), {}};
        if (types_.kind(wanted) != type_kind::set) {
          report(ast_.at(arg_expr(0)).span, "`" + std::string(method) + "` expects a set argument, but `" +
                                                text_of(arg_expr(0)) + "` is " + described(wanted));
          return {types_.boolean(), {}};
        }
        wanted = types_.at(wanted).element;
      }
      if (element != no_type && wanted != no_type && !is_unknown(element) && !is_unknown(wanted) &&
          types_.join(element, wanted) == no_type)
        report(e.span, "`" + std::string(method) + "` looks for " + described(wanted) + " in a set of " +
                           described(element) + "; values of different types are never equal");
      return {types_.boolean(), {}};
    }

    if (method == "hasTag" || method == "getTag") {
      if (!expect_arity(e, method, 1)) return {method == "hasTag" ? types_.boolean() : types_.unknown(), {}};
      if (!is_unknown(args[0]) && types_.kind(args[0]) != type_kind::string)
        report(ast_.at(arg_expr(0)).span,
               "a tag name is a String, but `" + text_of(arg_expr(0)) + "` is " + described(args[0]));
      if (receiver_unknown) return {method == "hasTag" ? types_.boolean() : types_.unknown(), {}};
      if (rk != type_kind::entity) {
        report(ast_.at(e.a).span, "`" + std::string(method) + "` is a method of entities, but `" +
                                      text_of(e.a) + "` is " + described(receiver.type));
        return {method == "hasTag" ? types_.boolean() : types_.unknown(), {}};
      }
      const std::optional<std::string> path = path_of(e.a);
      const std::optional<std::string> key = tag_key(arg_expr(0));
      const std::vector<symbol> names(types_.entity_names(receiver.type).begin(),
                                      types_.entity_names(receiver.type).end());
      if (method == "hasTag") {
        const bool any_tags = std::any_of(names.begin(), names.end(), [&](symbol t) {
          const entity_type_info* info = schema_.find_entity_type(t);
          return info != nullptr && info->tags != no_schema_type;
        });
        if (!any_tags) return {types_.bool_false(), {}};  // these entities carry no tags
        facts established;
        if (path && key) add_fact(established, tag_fact(*path, *key));
        return {types_.boolean(), std::move(established)};
      }
      type_id result = no_type;
      for (symbol t : names) {
        const entity_type_info* info = schema_.find_entity_type(t);
        if (info == nullptr || info->tags == no_schema_type) {
          report(e.span, "entity type `" + std::string(symbol_text(t)) +
                             "` has no tags (a schema declares them "
                             "with `tags <Type>`)");
          return {types_.unknown(), {}};
        }
        result = result == no_type ? info->tags : types_.join(result, info->tags);
        if (result == no_type) result = types_.unknown();
      }
      if (!(path && key && has_fact(known, tag_fact(*path, *key))))
        report(e.span, "tag " + text_of(arg_expr(0)) + " may be absent; guard it with `" + text_of(e.a) +
                           ".hasTag(" + text_of(arg_expr(0)) + ")`");
      return {result == no_type ? types_.unknown() : result, {}};
    }

    const extension_method* m = find_extension_method(method);
    if (m == nullptr) {
      report(e.span, "unknown method `" + std::string(method) + "`");
      return {types_.unknown(), {}};
    }
    if (!expect_arity(e, method, m->arity)) return {m->result, {}};
    if (!receiver_unknown && receiver.type != m->receiver)
      report(ast_.at(e.a).span, "`" + std::string(method) + "` is a method of " + described(m->receiver) +
                                    ", but `" + text_of(e.a) + "` is " + described(receiver.type));
    if (m->arity == 1 && !is_unknown(args[0]) && args[0] != m->argument)
      report(ast_.at(arg_expr(0)).span, "`" + std::string(method) + "` expects " + described(m->argument) +
                                            ", but `" + text_of(arg_expr(0)) + "` is " + described(args[0]));
    return {m->result, {}};
  }

  type_id function_call(const expr& e, const facts& known, std::uint32_t depth) {
    std::vector<type_id> args;
    for (std::uint32_t arg : ast_.list(e)) args.push_back(check(arg, known, depth + 1).type);
    const std::string_view name = symbol_text(e.name);
    type_id result = types_.unknown();
    if (name == "ip") result = ipaddr_type_id;
    if (name == "decimal") result = decimal_type_id;
    if (name == "datetime") result = datetime_type_id;
    if (name == "duration") result = duration_type_id;
    if (result == types_.unknown()) {
      report(e.span, "unknown function `" + std::string(name) + "`");
      return result;
    }
    if (!expect_arity(e, name, 1)) return result;
    const expr_id arg = ast_.list(e)[0];
    if (!is_unknown(args[0]) && types_.kind(args[0]) != type_kind::string) {
      report(ast_.at(arg).span, "`" + std::string(name) + "` expects a String, but `" + text_of(arg) +
                                    "` is " + described(args[0]));
      return result;
    }
    // A literal argument can be checked now rather than failing at every evaluation. (Cedar's
    // strict validation also rejects a computed argument, `ip(context.source_ip)`; Mandate
    // accepts it, since validate() has no Cedar-only mode and Mandate's own policies use it.)
    const expr& a = ast_.at(arg);
    if (a.kind == expr_kind::literal && ast_.literals[a.name].kind == value_kind::string) {
      const std::string_view text = symbol_text(ast_.literals[a.name].string);
      std::int64_t scratch = 0;
      ip_data address{};
      const bool valid = name == "ip"         ? parse_ip(text, address)
                         : name == "decimal"  ? parse_decimal(text, scratch)
                         : name == "datetime" ? parse_datetime(text, scratch)
                                              : parse_duration(text, scratch);
      if (!valid) report(a.span, quote(text) + " is not a valid `" + std::string(name) + "` literal");
    }
    return result;
  }

  const compiled_policy_set& set_;
  const policy_set_ast& ast_;
  const schema_data& schema_;
  type_table types_;
  std::vector<diagnostic>& out_;
  const request_type* request_ = nullptr;
  std::vector<pending_diagnostic> pending_;
  bool policy_has_errors_ = false;
};

}  // namespace

void check_policies(const compiled_policy_set& policies, const schema_data& schema,
                    std::vector<diagnostic>& diagnostics) {
  policy_checker checker(policies, schema, diagnostics);
  for (std::size_t i = 0; i < policies.ast.policies.size(); ++i) checker.check(i);
}

bool scope_admits(const schema_data& schema, const scope_constraint& c, symbol type) noexcept {
  switch (c.op) {
    case scope_op::any:
    case scope_op::in_list:
      return true;
    case scope_op::equal:
      return c.slot || c.entity.type == type;
    case scope_op::in:
      return c.slot || schema.may_be_in(type, c.entity.type);
    case scope_op::is:
      return type == c.type;
    case scope_op::is_in:
      return type == c.type && (c.slot || schema.may_be_in(type, c.entity.type));
  }
  return false;
}

}  // namespace mandate::detail::typecheck
