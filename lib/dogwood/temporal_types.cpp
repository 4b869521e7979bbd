// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Context paths and operand types of temporal leaves, per action a leaf's policy applies to.
// Every walk is explicit (a stack over the program's flat arrays) or bounded (array terms nest
// at most max_depth levels), so a hostile program cannot exhaust the C++ stack.
#include "dogwood/temporal_types.hpp"

#include <algorithm>
#include <exception>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "check/checker.hpp"
#include "parse/parser.hpp"

namespace mandate::detail::dogwood {
namespace {

constexpr std::uint32_t max_depth = 64;

/// What an operand is known to be. `known` false: not checked.
struct operand {
  bool known = false;
  bool timepoint = false;  // a `Timepoint` binder: a position in the history, not a value
  field_type type;
};

/// Extension types other than decimal are not modelled here (Dogwood reads them as strings):
/// an operand of one is left unchecked, as is a set of them.
bool checkable(const field_type& t) {
  switch (t.kind) {
    case field_type_kind::unknown:
    case field_type_kind::ipaddr:
    case field_type_kind::datetime:
    case field_type_kind::duration:
      return false;
    case field_type_kind::set:
      return t.element.empty() || checkable(t.element.front());
    default:
      return true;
  }
}

bool numeric(const operand& o) { return !o.timepoint && o.type.kind == field_type_kind::long_integer; }

/// Whether `==` may hold between the two: Dogwood's compatibility, symmetric. Two entities
/// always compare (differently typed ones are merely unequal); a set whose element type is not
/// known compares with any set.
bool compatible(const field_type& a, const field_type& b) {
  if (a.kind != b.kind) return false;
  if (a.kind != field_type_kind::set) return true;
  if (a.element.empty() || b.element.empty()) return true;
  const field_type& x = a.element.front();
  const field_type& y = b.element.front();
  if (!checkable(x) || !checkable(y)) return true;
  return compatible(x, y);
}

bool compatible(const operand& a, const operand& b) {
  if (a.timepoint || b.timepoint) return a.timepoint && b.timepoint;
  return compatible(a.type, b.type);
}

std::string text_of(const operand& o, bool qualified) {
  return o.timepoint ? "timepoint" : dogwood_type_text(o.type, qualified);
}

/// The two operands' spellings, qualified when the short names would read the same.
std::pair<std::string, std::string> texts(const operand& a, const operand& b) {
  std::string x = text_of(a, false);
  std::string y = text_of(b, false);
  if (x == y) {
    x = text_of(a, true);
    y = text_of(b, true);
  }
  return {std::move(x), std::move(y)};
}

std::string dotted(std::span<const symbol> path) {
  std::string out;
  for (const symbol s : path) {
    if (!out.empty()) out += '.';
    out += symbol_text(s);
  }
  return out;
}

/// An action as Dogwood names it in messages: `Ns::id`, the id Cedar-escaped without quotes.
std::string action_ref(entity_uid action) {
  const std::string quoted = quote(symbol_text(action.id));
  const std::string id = quoted.substr(1, quoted.size() - 2);
  const std::string_view type = symbol_text(action.type);
  if (type.ends_with("::Action")) return std::string(type.substr(0, type.size() - 8)) + "::" + id;
  return id;
}

/// An action id as Dogwood prints it in argument messages.
std::string action_id_text(entity_uid action) {
  const std::string quoted = quote(symbol_text(action.id));
  return quoted.substr(1, quoted.size() - 2);
}

enum class path_outcome : std::uint8_t {
  resolved,
  head_missing,    // the context record declares no such field
  nested_missing,  // a record further down declares no such field
  non_record,      // a segment reads a field of something that is not a record
  unknown,         // below an open record, or a malformed schema: not checked
};

struct path_resolution {
  path_outcome outcome = path_outcome::unknown;
  symbol segment = 0;  // the offending segment
  field_type type;     // resolved
};

/// Resolves `context.<path>` against `action`'s declared context record.
path_resolution resolve_context(const schema_data& cedar, const action_info& action,
                                std::span<const symbol> path) {
  path_resolution out;
  schema_type_id at = action.context;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (at >= cedar.types.size()) return out;
    const schema_type& t = cedar.types[at];
    if (t.kind != schema_type_kind::record) {
      out.outcome = i == 0 ? path_outcome::head_missing : path_outcome::non_record;
      out.segment = path[i];
      return out;
    }
    const schema_attribute* attribute = cedar.find_attribute(at, path[i]);
    if (attribute == nullptr) {
      if (t.open) return out;
      out.outcome = i == 0 ? path_outcome::head_missing : path_outcome::nested_missing;
      out.segment = path[i];
      return out;
    }
    at = attribute->type;
  }
  if (at >= cedar.types.size()) return out;
  out.outcome = path_outcome::resolved;
  out.type = field_type_of(cedar, at);
  return out;
}

bool action_admitted(const schema_data& cedar, const scope_constraint& c, const action_info& a) {
  switch (c.op) {
    case scope_op::equal:
      return a.uid == c.entity;
    case scope_op::in:
      return cedar.action_in(a.uid, c.entity);
    case scope_op::in_list:
      return std::any_of(c.list.begin(), c.list.end(),
                         [&](entity_uid g) { return cedar.action_in(a.uid, g); });
    default:
      return false;
  }
}

/// The entity types of the scope's principal (or resource) under `action`.
std::vector<symbol> scope_types(const schema_data& cedar, const scope_constraint& c,
                                const std::vector<symbol>& declared) {
  std::vector<symbol> out;
  for (const symbol t : declared)
    if (typecheck::scope_admits(cedar, c, t)) out.push_back(t);
  return out;
}

/// The actions a policy's leaves are checked against (see validate_temporal_types).
std::vector<const action_info*> target_actions(const schema_data& cedar, const policy& p) {
  std::vector<const action_info*> out;
  if (p.action.op == scope_op::any) return out;  // Dogwood defers an unconstrained scope to Cedar
  for (const action_info& a : cedar.actions) {
    if (!a.has_applies_to || !action_admitted(cedar, p.action, a)) continue;
    if (scope_types(cedar, p.principal, a.principal_types).empty()) continue;
    if (scope_types(cedar, p.resource, a.resource_types).empty()) continue;
    out.push_back(&a);
  }
  return out;
}

/// What one leaf reads, in source order.
struct leaf_items {
  std::vector<temporal::term_id> context_paths;
  std::vector<temporal::node_id> comparisons;
  std::vector<temporal::node_id> predicates;
};

class leaf_checker {
 public:
  leaf_checker(const temporal::temporal_program& program, const schema_data& cedar,
               const derived_event_schema& events, const policy_set_ast& ast,
               std::vector<diagnostic>& diagnostics)
      : program_(program),
        cedar_(cedar),
        events_(events),
        ast_(ast),
        diagnostics_(diagnostics),
        node_mark_(program.nodes.size(), 0),
        term_mark_(program.terms.size(), 0) {}

  void run() {
    std::unordered_map<std::uint32_t, const policy*> by_position;
    for (const policy& p : ast_.policies) by_position.emplace(p.position, &p);
    for (std::uint32_t i = 0; i < program_.leaves.size(); ++i) {
      const temporal::leaf& l = program_.leaves[i];
      const auto it = by_position.find(l.policy);
      if (it == by_position.end()) continue;
      const policy& p = *it->second;
      const std::vector<const action_info*> actions = target_actions(cedar_, p);
      if (actions.empty()) continue;
      const leaf_items items = collect(l, i + 1);
      leaf_ = &l;
      policy_ = &p;
      action_count_ = actions.size();
      reported_.clear();
      for (const action_info* a : actions) {
        action_ = a;
        for (const temporal::term_id t : items.context_paths) context_path(t);
      }
      for (const action_info* a : actions) {
        action_ = a;
        for (const temporal::node_id n : items.predicates) predicate_arguments(program_.nodes[n]);
        for (const temporal::node_id n : items.comparisons) comparison(program_.nodes[n]);
      }
    }
  }

 private:
  /// The nodes and terms reachable from the leaf's root, pre-order, left to right. `mark`
  /// (the leaf's index + 1) keeps a node shared by two paths from being visited twice.
  leaf_items collect(const temporal::leaf& l, std::uint32_t mark) {
    leaf_items out;
    struct item {
      bool is_term;
      std::uint32_t id;
    };
    std::vector<item> stack{{false, l.root}};
    while (!stack.empty()) {
      const item it = stack.back();
      stack.pop_back();
      if (it.is_term) {
        if (it.id >= program_.terms.size() || term_mark_[it.id] == mark) continue;
        term_mark_[it.id] = mark;
        const temporal::term& t = program_.terms[it.id];
        switch (t.kind) {
          case temporal::term_kind::context_path:
            out.context_paths.push_back(it.id);
            break;
          case temporal::term_kind::array:
            for (auto e = t.elements.rbegin(); e != t.elements.rend(); ++e) stack.push_back({true, *e});
            break;
          case temporal::term_kind::count:
          case temporal::term_kind::sum:
            if (t.aggregate < program_.aggregates.size())
              stack.push_back({false, program_.aggregates[t.aggregate].body});
            break;
          default:
            break;
        }
        continue;
      }
      if (it.id >= program_.nodes.size() || node_mark_[it.id] == mark) continue;
      node_mark_[it.id] = mark;
      const temporal::node& n = program_.nodes[it.id];
      switch (n.kind) {
        case temporal::node_kind::conjunction:
        case temporal::node_kind::since:
          stack.push_back({false, n.b});
          stack.push_back({false, n.a});
          break;
        case temporal::node_kind::negation:
        case temporal::node_kind::formerly:
        case temporal::node_kind::previous:
        case temporal::node_kind::exists:
          stack.push_back({false, n.a});
          break;
        case temporal::node_kind::predicate:
          out.predicates.push_back(it.id);
          if (n.index < program_.predicates.size()) {
            const auto& fields = program_.predicates[n.index].fields;
            for (auto f = fields.rbegin(); f != fields.rend(); ++f) stack.push_back({true, f->pattern});
          }
          break;
        case temporal::node_kind::comparison:
          out.comparisons.push_back(it.id);
          stack.push_back({true, n.right});
          stack.push_back({true, n.left});
          break;
        case temporal::node_kind::timepoint:
          break;
      }
    }
    return out;
  }

  void report(source_span span, const char* code, std::string message) {
    if (!reported_.emplace(message, span.file, span.begin, span.end).second) return;
    diagnostics_.push_back(make_diagnostic(ast_, span, code, std::move(message)));
    if (action_count_ > 1)
      diagnostics_.push_back(make_diagnostic(ast_, span, code,
                                             "found for action `" + to_cedar(action_->uid) +
                                                 "`, one of the " + std::to_string(action_count_) +
                                                 " actions this policy applies to",
                                             severity::note));
  }

  void context_path(temporal::term_id id) {
    const temporal::term& t = program_.terms[id];
    if (t.path.empty()) return;
    const path_resolution r = resolve_context(cedar_, *action_, t.path);
    const std::string path = "context." + dotted(t.path);
    const std::string segment(r.segment != 0 ? symbol_text(r.segment) : std::string_view());
    switch (r.outcome) {
      case path_outcome::resolved:
      case path_outcome::unknown:
        return;
      case path_outcome::head_missing:
        report(t.span, "temporal",
               "action `" + action_ref(action_->uid) + "` has no context field `" + segment +
                   "` for `context." + segment + "`");
        return;
      case path_outcome::nested_missing:
        report(t.span, "temporal", "record has no field `" + segment + "` in `" + path + "` path");
        return;
      case path_outcome::non_record:
        report(t.span, "temporal", "`" + segment + "` accesses a field of a non-record type");
        return;
    }
  }

  operand type_of(temporal::term_id id, std::uint32_t depth = 0) const {
    operand out;
    if (id >= program_.terms.size() || depth > max_depth) return out;
    const temporal::term& t = program_.terms[id];
    switch (t.kind) {
      case temporal::term_kind::constant:
        out.type = field_type_of_value(t.constant);
        break;
      case temporal::term_kind::count:
      case temporal::term_kind::sum:
        out.type.kind = field_type_kind::long_integer;
        break;
      case temporal::term_kind::variable: {
        if (t.var >= leaf_->variables.size()) return out;
        const temporal::variable_info& v = leaf_->variables[t.var];
        if (v.is_timepoint) {
          out.known = true;
          out.timepoint = true;
          return out;
        }
        if (v.type_name.empty()) return out;
        out.type = field_type_of_name(v.type_name);
        break;
      }
      case temporal::term_kind::context_path: {
        if (t.path.empty()) return out;
        path_resolution r = resolve_context(cedar_, *action_, t.path);
        if (r.outcome != path_outcome::resolved) return out;
        out.type = std::move(r.type);
        break;
      }
      case temporal::term_kind::principal:
      case temporal::term_kind::resource: {
        if (!t.path.empty()) return out;  // an attribute: read at evaluation, not typed here
        const bool is_principal = t.kind == temporal::term_kind::principal;
        out.type.kind = field_type_kind::entity;
        out.type.entity_types =
            scope_types(cedar_, is_principal ? policy_->principal : policy_->resource,
                        is_principal ? action_->principal_types : action_->resource_types);
        if (out.type.entity_types.empty()) return operand{};
        break;
      }
      case temporal::term_kind::array: {
        // A set of the elements' common type when they have one.
        out.type.kind = field_type_kind::set;
        std::optional<field_type> common;
        bool uniform = true;
        for (const temporal::term_id e : t.elements) {
          operand element = type_of(e, depth + 1);
          if (!element.known || element.timepoint || !checkable(element.type)) {
            uniform = false;
            break;
          }
          if (!common) {
            common = std::move(element.type);
          } else if (!compatible(*common, element.type)) {
            uniform = false;
            break;
          }
        }
        if (uniform && common) out.type.element.push_back(std::move(*common));
        break;
      }
      case temporal::term_kind::wildcard:
        return out;
    }
    out.known = checkable(out.type);
    return out;
  }

  void comparison(const temporal::node& n) {
    const operand left = type_of(n.left);
    const operand right = type_of(n.right);
    if (!left.known || !right.known) return;
    if (n.op != temporal::compare_op::equal) {
      if (numeric(left) && numeric(right)) return;
      const auto [l, r] = texts(left, right);
      report(n.span, "type",
             "comparison requires numeric operands on both sides, got `" + l + "` and `" + r + "`");
      return;
    }
    if (compatible(left, right)) return;
    const auto [l, r] = texts(left, right);
    report(n.span, "type",
           "equality requires both sides to have the same type, got `" + l + "` and `" + r + "`");
  }

  /// A field given the current request's context or scope entity: the terms whose type depends
  /// on the action (validate_predicates checks the others once).
  void predicate_arguments(const temporal::node& n) {
    if (n.index >= program_.predicates.size()) return;
    const temporal::predicate& p = program_.predicates[n.index];
    const derived_event* ev = events_.find(p.action, p.kind);
    if (ev == nullptr) return;  // reported by validate_predicates
    for (const temporal::field_pattern& f : p.fields) {
      if (f.pattern >= program_.terms.size()) continue;
      const temporal::term_kind kind = program_.terms[f.pattern].kind;
      if (kind != temporal::term_kind::context_path && kind != temporal::term_kind::principal &&
          kind != temporal::term_kind::resource)
        continue;
      const event_field* field = nullptr;
      if (ev->lookup(f.path, &field) != path_lookup::leaf || field == nullptr || !checkable(field->type))
        continue;
      const operand actual = type_of(f.pattern);
      if (!actual.known || field_type_accepts(field->type, actual.type)) continue;
      std::string want = dogwood_type_text(field->type, false);
      std::string got = dogwood_type_text(actual.type, false);
      if (want == got) {
        want = dogwood_type_text(field->type, true);
        got = dogwood_type_text(actual.type, true);
      }
      const source_span at = f.span.end > f.span.begin ? f.span : p.span;
      report(at, "type",
             "argument `" + dotted(f.path) + "` of `" + action_id_text(p.action) + "` expects `" + want +
                 "` but got `" + got + "`");
    }
  }

  const temporal::temporal_program& program_;
  const schema_data& cedar_;
  const derived_event_schema& events_;
  const policy_set_ast& ast_;
  std::vector<diagnostic>& diagnostics_;
  std::vector<std::uint32_t> node_mark_;
  std::vector<std::uint32_t> term_mark_;
  // The leaf being checked, its policy, and the action its types are read for.
  const temporal::leaf* leaf_ = nullptr;
  const policy* policy_ = nullptr;
  const action_info* action_ = nullptr;
  std::size_t action_count_ = 0;
  std::set<std::tuple<std::string, std::uint32_t, std::uint32_t, std::uint32_t>> reported_;
};

}  // namespace

void validate_temporal_types(const temporal::temporal_program& program, const schema_data& cedar,
                             const derived_event_schema& events, const policy_set_ast& ast,
                             std::vector<diagnostic>& diagnostics) {
  try {
    leaf_checker(program, cedar, events, ast, diagnostics).run();
  } catch (const std::exception& e) {
    diagnostic d;
    d.code = "temporal";
    d.message = std::string("cannot check the types of the temporal conditions: ") + e.what();
    diagnostics.push_back(std::move(d));
  }
}

}  // namespace mandate::detail::dogwood
