// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// sensitive-write-without-approval, the agent rule that needs the most guessing. The heuristic,
// exactly:
//
// 1. Sensitivity is in play when an ordered enum (in the policies, or an enumerated entity type
//    of the schema) has a type name containing "sensitiv" (any case), or some condition reads
//    `resource.sensitivity`. Otherwise the rule says nothing.
// 2. A permit is write-like when its action scope is unconstrained, or names an action whose id,
//    split into words at `_`, `-`, `.`, `:`, `/`, blanks and camelCase humps, has a word that is
//    one of the verbs below (or the verb plus "s", "es", "ed", "d", "ing" or "ment").
// 3. The permit bounds sensitivity when a `when` conjunct compares `resource.sensitivity` with a
//    level so that the top level of the scale is excluded (`< L`, `<= L` or `== L` with L not the
//    top level, `!= top`, or the mirrored forms), or an `unless` conjunct excludes the top level
//    (`>= top`, `== top`, `> L`). Without a known scale any such comparison counts.
// 4. The write-like action is guarded when a require_approval's action scope covers it, or a
//    forbid's action scope covers it and the forbid either has no condition or has one that
//    reads `resource.sensitivity` (a forbid that bounds sensitivity for everyone). Any blanket forbid does
//    not count: a `forbid (principal, action, resource) when { principal.suspended }` guards nothing here.
// A permit that is write-like, unbounded and unguarded is reported once, on its action scope.
#include <array>
#include <cctype>

#include "lint/lint_internal.hpp"

namespace mandate::detail::lint {
namespace {

constexpr std::array<std::string_view, 30> verbs{
    "write",  "update",  "delete", "remove", "create",   "modify", "pay",     "transfer", "send", "execute",
    "deploy", "grant",   "revoke", "purge",  "drop",     "refund", "publish", "share",    "edit", "patch",
    "insert", "destroy", "erase",  "upload", "withdraw", "charge", "exec",    "invite",   "wire", "approve"};

std::vector<std::string> words_of(std::string_view id) {
  std::vector<std::string> out;
  std::string word;
  char previous = 0;
  for (char c : id) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u)) {
      if (!word.empty()) out.push_back(std::move(word));
      word.clear();
    } else {
      if (std::isupper(u) && previous != 0 && std::islower(static_cast<unsigned char>(previous)) &&
          !word.empty()) {
        out.push_back(std::move(word));
        word.clear();
      }
      word += static_cast<char>(std::tolower(u));
    }
    previous = c;
  }
  if (!word.empty()) out.push_back(std::move(word));
  return out;
}

bool write_like(std::string_view id) {
  static constexpr std::array<std::string_view, 7> suffixes{"", "s", "es", "ed", "d", "ing", "ment"};
  for (const std::string& w : words_of(id))
    for (std::string_view verb : verbs)
      for (std::string_view suffix : suffixes)
        if (w.size() == verb.size() + suffix.size() && w.starts_with(verb) && w.ends_with(suffix))
          return true;
  return false;
}

bool is_resource_sensitivity(const policy_set_ast& ast, expr_id id) {
  const expr& e = ast.at(id);
  return e.kind == expr_kind::get_attr && symbol_text(e.name) == "sensitivity" &&
         ast.at(e.a).kind == expr_kind::var_resource;
}

bool reads_sensitivity(const policy_set_ast& ast, expr_id id) {
  std::vector<expr_id> stack{id};
  while (!stack.empty()) {
    const expr& e = ast.at(stack.back());
    if (is_resource_sensitivity(ast, stack.back())) return true;
    stack.pop_back();
    if (e.kind <= expr_kind::slot_resource || e.kind == expr_kind::temporal) continue;
    if (e.kind == expr_kind::set_literal || e.kind == expr_kind::function_call ||
        e.kind == expr_kind::method_call) {
      for (std::uint32_t item : ast.list(e)) stack.push_back(item);
      if (e.kind == expr_kind::method_call) stack.push_back(e.a);
      continue;
    }
    if (e.kind == expr_kind::record_literal) {
      const auto pairs = ast.list(e);
      for (std::size_t i = 1; i < pairs.size(); i += 2) stack.push_back(pairs[i]);
      continue;
    }
    stack.push_back(e.a);
    switch (e.kind) {
      case expr_kind::logical_not:
      case expr_kind::negate:
      case expr_kind::has:
      case expr_kind::get_attr:
      case expr_kind::like:
      case expr_kind::is:
        break;
      case expr_kind::if_then_else:
        stack.push_back(e.b);
        stack.push_back(e.c);
        break;
      default:
        stack.push_back(e.b);
    }
  }
  return false;
}

class sensitivity_rule {
 public:
  explicit sensitivity_rule(const context& cx) : cx_(cx), ast_(cx.ast) {}

  void run() {
    if (cx_.sensitivity.empty() && !cx_.reads_sensitivity) return;
    for (const policy& q : ast_.policies) {
      if (q.kind == effect::permit || q.is_template()) continue;
      // An unconditional forbid already denies the action outright.
      bool guard = q.kind == effect::require_approval || q.conditions.empty();
      for (const condition& c : q.conditions) guard = guard || reads_sensitivity(ast_, c.body);
      if (guard) guards_.push_back(&q.action);
    }
    for (std::uint32_t i = 0; i < ast_.policies.size(); ++i) {
      const policy& p = ast_.policies[i];
      if (p.kind != effect::permit) continue;
      std::vector<std::string> unguarded;
      if (p.action.op == scope_op::any) {
        if (!guarded(p.action)) unguarded.emplace_back("every action");
      } else {
        std::vector<entity_uid> actions =
            p.action.op == scope_op::in_list ? p.action.list : std::vector<entity_uid>{p.action.entity};
        for (entity_uid a : actions) {
          if (!write_like(symbol_text(a.id))) continue;
          scope_constraint one;
          // The named action itself: `in [A]` also admits A's descendants, but a guard on A is what a
          // reviewer would write, and actions with descendants are groups, rarely write-like.
          one.op = scope_op::equal;
          one.entity = a;
          if (!guarded(one)) unguarded.push_back("`" + to_cedar(a) + "`");
        }
      }
      if (unguarded.empty() || bounded(p)) continue;
      std::string list;
      for (std::size_t k = 0; k < unguarded.size() && k < 3; ++k) list += (k ? ", " : "") + unguarded[k];
      if (unguarded.size() > 3) list += ", ...";
      std::string top = "the top sensitivity level";
      std::string fix = "`when { resource.sensitivity < ... }`";
      if (!cx_.sensitivity.empty() && !cx_.sensitivity.front().levels.empty()) {
        const auto& s = cx_.sensitivity.front();
        const std::string top_level = to_cedar(entity_uid{s.type, s.levels.back()});
        top = "`" + top_level + "`";
        fix = "`when { resource.sensitivity < " + top_level + " }`";
      }
      cx_.report("sensitive-write-without-approval", p.action.span,
                 "permit " + cx_.name(i) + " lets " + list + " reach resources up to " + top +
                     " with no require_approval (or sensitivity forbid) covering it; add " + fix +
                     " or a require_approval for the action");
    }
  }

 private:
  bool guarded(const scope_constraint& action) {
    for (const scope_constraint* g : guards_)
      if (scope_covers(*g, action)) return true;
    return false;
  }

  // The rank of a level literal in a known sensitivity scale, and that scale's top rank.
  std::optional<std::pair<std::size_t, std::size_t>> rank(expr_id id) const {
    const expr& e = ast_.at(id);
    if (e.kind != expr_kind::literal) return std::nullopt;
    const value& v = ast_.literals[e.name];
    if (v.kind != value_kind::entity) return std::nullopt;
    for (const auto& s : cx_.sensitivity) {
      if (s.type != v.entity.type) continue;
      for (std::size_t r = 0; r < s.levels.size(); ++r)
        if (s.levels[r] == v.entity.id) return std::pair{r, s.levels.size() - 1};
    }
    return std::nullopt;
  }

  // Does `resource.sensitivity OP L` (in a when clause when `when` is true) exclude the top?
  bool excludes_top(expr_id id, bool when) const {
    const expr& e = ast_.at(id);
    expr_kind op = e.kind;
    expr_id lit = e.b;
    if (is_resource_sensitivity(ast_, e.b)) {
      lit = e.a;
      switch (op) {  // mirror `L < x` into `x > L`
        case expr_kind::less:
          op = expr_kind::greater;
          break;
        case expr_kind::less_equal:
          op = expr_kind::greater_equal;
          break;
        case expr_kind::greater:
          op = expr_kind::less;
          break;
        case expr_kind::greater_equal:
          op = expr_kind::less_equal;
          break;
        default:
          break;
      }
    } else if (!is_resource_sensitivity(ast_, e.a)) {
      return false;
    }
    const auto r = rank(lit);
    if (!r) {
      // Without a known scale, any comparison is taken as a bound.
      return op == expr_kind::less || op == expr_kind::less_equal || op == expr_kind::equal ||
             op == expr_kind::not_equal || op == expr_kind::greater || op == expr_kind::greater_equal;
    }
    const auto [level, top] = *r;
    if (when) {
      switch (op) {
        case expr_kind::less:
          return true;
        case expr_kind::less_equal:
        case expr_kind::equal:
          return level < top;
        case expr_kind::not_equal:
          return level == top;
        default:
          return false;
      }
    }
    switch (op) {
      case expr_kind::greater_equal:
      case expr_kind::equal:
        return level == top || op == expr_kind::greater_equal;
      case expr_kind::greater:
        return level < top;
      default:
        return false;
    }
  }

  bool bounded(const policy& p) const {
    for (const condition& c : p.conditions) {
      std::vector<expr_id> parts;
      if (c.is_when)
        conjuncts(ast_, c.body, parts);
      else
        parts.push_back(c.body);  // `unless { a || b }` would need disjuncts; keep it simple
      if (!c.is_when && ast_.at(c.body).kind == expr_kind::logical_or) {
        parts.clear();
        std::vector<expr_id> stack{c.body};
        while (!stack.empty()) {
          const expr_id top = stack.back();
          stack.pop_back();
          if (ast_.at(top).kind == expr_kind::logical_or) {
            stack.push_back(ast_.at(top).a);
            stack.push_back(ast_.at(top).b);
          } else {
            parts.push_back(top);
          }
        }
      }
      for (expr_id part : parts)
        if (excludes_top(part, c.is_when)) return true;
    }
    return false;
  }

  const context& cx_;
  const policy_set_ast& ast_;
  std::vector<const scope_constraint*> guards_;  // action scopes of approvals and sensitivity forbids
};

}  // namespace

void check_sensitivity(const context& cx) { sensitivity_rule(cx).run(); }

}  // namespace mandate::detail::lint
