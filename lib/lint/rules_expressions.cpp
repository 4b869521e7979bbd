// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Rules that read the conditions of one policy: constants, errors that must happen,
// contradictions, and shapes that have a simpler spelling.
#include <unordered_map>

#include "lint/lint_internal.hpp"

namespace mandate::detail::lint {
namespace {

bool is_var(expr_kind k) {
  return k == expr_kind::var_principal || k == expr_kind::var_action || k == expr_kind::var_resource;
}

const scope_constraint* scope_of(const policy& p, expr_kind var) {
  switch (var) {
    case expr_kind::var_principal:
      return &p.principal;
    case expr_kind::var_action:
      return &p.action;
    case expr_kind::var_resource:
      return &p.resource;
    default:
      return nullptr;
  }
}

const char* var_name(expr_kind k) {
  switch (k) {
    case expr_kind::var_principal:
      return "principal";
    case expr_kind::var_action:
      return "action";
    case expr_kind::var_resource:
      return "resource";
    default:
      return "context";
  }
}

std::string what_errors_do(effect e) {
  switch (e) {
    case effect::permit:
      return "an erroring permit is skipped, so this permit never allows anything";
    case effect::forbid:
      return "in Mandate mode an erroring forbid counts as satisfied, so this forbid denies every request "
             "its "
             "scope matches (Cedar mode skips it)";
    case effect::require_approval:
      return "in Mandate mode an erroring require_approval counts as satisfied, so every request its scope "
             "matches needs approval (Cedar mode skips it)";
  }
  return {};
}

class policy_checker {
 public:
  policy_checker(const context& cx, folder& f, std::uint32_t index)
      : cx_(cx), ast_(cx.ast), fold_(f), index_(index), p_(cx.ast.policies[index]) {}

  void run() {
    if (p_.action.op == scope_op::in_list && p_.action.list.empty() && !p_.action.slot)
      cx_.report("never-applies", p_.action.span,
                 "`action in []` matches no action, so policy " + cx_.name(index_) +
                     " never applies; list the actions it is for");
    for (const condition& c : p_.conditions) check_condition(c);
    check_conjuncts();
  }

 private:
  void check_condition(const condition& c) {
    fold_.errors().clear();
    const folded f = fold_.fold(c.body);
    const char* clause = c.is_when ? "when" : "unless";
    if (f.state == fold_state::constant && f.v.kind == value_kind::boolean) {
      if (f.v.boolean == c.is_when)
        cx_.report("constant-condition", c.span,
                   std::string("this `") + clause + "` clause is always " + (c.is_when ? "true" : "false") +
                       ", so it changes nothing; remove it");
      else
        cx_.report("never-applies", c.span,
                   std::string("this `") + clause + "` clause is always " + (c.is_when ? "false" : "true") +
                       ", so policy " + cx_.name(index_) + " never applies; fix or remove the condition");
      return;
    }
    if (!fold_.errors().empty()) {
      const auto& [at, message] = fold_.errors().front();
      const bool always = f.state == fold_state::error;
      cx_.report("always-errors", ast_.at(at).span,
                 "`" + excerpt(ast_, ast_.at(at).span) + "` " +
                     (always ? "always raises" : "raises, whenever it is evaluated,") +
                     " an evaluation error (" + message + "); " + what_errors_do(p_.kind));
      fold_.errors().clear();
      if (always) return;
    }
    if (!c.is_when && ast_.at(c.body).kind == expr_kind::logical_not)
      cx_.report("double-negation", c.span, "`unless { !e }` is `when { e }`; write it that way");
    walk(c.body);
  }

  // Reports an operand of a logical operator that is a constant Bool; returns true when it did.
  bool constant_operand(expr_id id, const char* role) {
    fold_.errors().clear();
    const folded f = fold_.fold(id);
    fold_.errors().clear();
    if (f.state != fold_state::constant || f.v.kind != value_kind::boolean) return false;
    cx_.report("constant-condition", ast_.at(id).span,
               "`" + excerpt(ast_, ast_.at(id).span) + "` is always " + (f.v.boolean ? "true" : "false") +
                   " " + role + "; simplify the expression");
    return true;
  }

  void walk(expr_id id) {
    const expr& e = ast_.at(id);
    switch (e.kind) {
      case expr_kind::logical_and:
      case expr_kind::logical_or: {
        const char* role =
            e.kind == expr_kind::logical_and ? "as an operand of `&&`" : "as an operand of `||`";
        if (!constant_operand(e.a, role)) walk(e.a);
        if (!constant_operand(e.b, role)) walk(e.b);
        return;
      }
      case expr_kind::if_then_else: {
        if (!constant_operand(e.a, "as the condition of `if`")) walk(e.a);
        const expr& b = ast_.at(e.b);
        const expr& c = ast_.at(e.c);
        if (b.kind == expr_kind::literal && c.kind == expr_kind::literal &&
            ast_.literals[b.name].kind == value_kind::boolean &&
            ast_.literals[c.name].kind == value_kind::boolean &&
            ast_.literals[b.name].boolean != ast_.literals[c.name].boolean) {
          const bool same = ast_.literals[b.name].boolean;
          cx_.report("if-returns-bool", e.span,
                     "`" + excerpt(ast_, e.span) + "` is " + (same ? "" : "!") + "(" +
                         excerpt(ast_, ast_.at(e.a).span) + "); write that instead");
        }
        walk(e.b);
        walk(e.c);
        return;
      }
      case expr_kind::logical_not:
        if (ast_.at(e.a).kind == expr_kind::logical_not)
          cx_.report("double-negation", e.span,
                     "`!!e` is `e` (both error when `e` is not a Bool); drop the two `!`");
        walk(e.a);
        return;
      case expr_kind::equal:
      case expr_kind::not_equal:
        check_equality(id, e);
        walk(e.a);
        walk(e.b);
        return;
      case expr_kind::like: {
        bool wildcard = false;
        std::string text;
        for (const auto& part : ast_.patterns[e.name]) {
          wildcard = wildcard || part.wildcard;
          text += part.text;
        }
        if (!wildcard)
          cx_.report("like-without-wildcard", e.span,
                     "this pattern has no `*`, so `like` is plain equality; write `" +
                         excerpt(ast_, ast_.at(e.a).span) + " == " + quote(text) + "`");
        walk(e.a);
        return;
      }
      case expr_kind::literal:
      case expr_kind::var_principal:
      case expr_kind::var_action:
      case expr_kind::var_resource:
      case expr_kind::var_context:
      case expr_kind::slot_principal:
      case expr_kind::slot_resource:
      case expr_kind::temporal:
        return;
      case expr_kind::set_literal:
      case expr_kind::function_call:
        for (std::uint32_t item : ast_.list(e)) walk(item);
        return;
      case expr_kind::record_literal: {
        const auto pairs = ast_.list(e);
        for (std::size_t i = 1; i < pairs.size(); i += 2) walk(pairs[i]);
        return;
      }
      case expr_kind::method_call:
        walk(e.a);
        for (std::uint32_t item : ast_.list(e)) walk(item);
        return;
      case expr_kind::has:
      case expr_kind::get_attr:
      case expr_kind::is:
      case expr_kind::negate:
        walk(e.a);
        return;
      default:  // binary operators, is_in
        walk(e.a);
        walk(e.b);
        return;
    }
  }

  void check_equality(expr_id id, const expr& e) {
    const bool is_equal = e.kind == expr_kind::equal;
    if (is_pure(ast_, e.a) && expr_equal(ast_, e.a, e.b) && ast_.at(e.a).kind != expr_kind::literal) {
      cx_.report("constant-condition", e.span,
                 "`" + excerpt(ast_, e.span) + "` compares a value with itself, so it is always " +
                     (is_equal ? "true" : "false") + "; did you mean to compare with something else?");
      return;
    }
    const auto entity_like = [&](const expr& x) {
      return is_var(x.kind) ||
             (x.kind == expr_kind::literal && ast_.literals[x.name].kind == value_kind::entity);
    };
    const auto string_literal = [&](const expr& x) {
      return x.kind == expr_kind::literal && ast_.literals[x.name].kind == value_kind::string;
    };
    const expr& a = ast_.at(e.a);
    const expr& b = ast_.at(e.b);
    const expr* entity_side = entity_like(a) && string_literal(b)   ? &a
                              : entity_like(b) && string_literal(a) ? &b
                                                                    : nullptr;
    if (entity_side == nullptr) return;
    const expr& text = entity_side == &a ? b : a;
    std::string hint =
        "an entity such as `Type::" + quote(symbol_text(ast_.literals[text.name].string)) + "`";
    if (const scope_constraint* s = scope_of(p_, entity_side->kind); s != nullptr) {
      if (s->op == scope_op::is || s->op == scope_op::is_in)
        hint = "`" + std::string(symbol_text(s->type)) +
               "::" + quote(symbol_text(ast_.literals[text.name].string)) + "`";
    }
    cx_.report("entity-string-comparison", e.span,
               "`" + excerpt(ast_, e.span) + "` compares an entity with a string, which is always " +
                   (is_equal ? "false" : "true") + "; compare with " + hint);
    (void)id;
  }

  // Contradictions between the `when` conjuncts, and between them and the scope.
  void check_conjuncts() {
    std::vector<expr_id> all;
    for (const condition& c : p_.conditions)
      if (c.is_when) conjuncts(ast_, c.body, all);
    struct seen {
      expr_id path;
      expr_id literal;
    };
    std::unordered_map<std::uint64_t, std::vector<seen>> equalities;
    for (expr_id id : all) {
      const expr& e = ast_.at(id);
      check_index(id, e);
      if (e.kind == expr_kind::is && is_var(ast_.at(e.a).kind)) {
        const scope_constraint* s = scope_of(p_, ast_.at(e.a).kind);
        const bool clash = (s->op == scope_op::equal && !s->slot && s->entity.type != e.name) ||
                           ((s->op == scope_op::is || s->op == scope_op::is_in) && s->type != e.name);
        if (clash)
          cx_.report("never-applies", e.span,
                     "the scope already fixes the type of `" + std::string(var_name(ast_.at(e.a).kind)) +
                         "`, so `" + excerpt(ast_, e.span) + "` is always false and policy " +
                         cx_.name(index_) + " never applies");
        continue;
      }
      if (e.kind != expr_kind::equal) continue;
      expr_id path = e.a;
      expr_id lit = e.b;
      if (ast_.at(lit).kind != expr_kind::literal) std::swap(path, lit);
      if (ast_.at(lit).kind != expr_kind::literal || !is_path(ast_, path)) continue;
      const value& v = ast_.literals[ast_.at(lit).name];
      const expr& pe = ast_.at(path);
      if (is_var(pe.kind) && v.kind == value_kind::entity) {
        const scope_constraint* s = scope_of(p_, pe.kind);
        if (s->op == scope_op::equal && !s->slot && !(s->entity == v.entity)) {
          cx_.report("never-applies", e.span,
                     "the scope says `" + std::string(var_name(pe.kind)) + " == " + to_cedar(s->entity) +
                         "`, so `" + excerpt(ast_, e.span) + "` is always false and policy " +
                         cx_.name(index_) + " never applies");
          continue;
        }
      }
      auto& bucket = equalities[expr_hash(ast_, path)];
      bool reported = false;
      for (const seen& earlier : bucket) {
        if (!expr_equal(ast_, earlier.path, path)) continue;
        const value& w = ast_.literals[ast_.at(earlier.literal).name];
        if (!value_equal(v, w)) {
          cx_.report("never-applies", e.span,
                     "`" + excerpt(ast_, pe.span) + "` cannot equal both " + to_cedar(w) + " and " +
                         to_cedar(v) + ", so policy " + cx_.name(index_) + " never applies");
          reported = true;
        }
        break;
      }
      if (!reported) bucket.push_back({path, lit});
    }
  }

  void check_index(expr_id id, const expr& e) {
    (void)id;
    const auto entity_literal = [&](expr_id x) {
      const expr& l = ast_.at(x);
      return l.kind == expr_kind::literal && ast_.literals[l.name].kind == value_kind::entity;
    };
    const auto entity_list = [&](expr_id x) {
      const expr& l = ast_.at(x);
      if (l.kind != expr_kind::set_literal || l.list_size == 0) return false;
      for (std::uint32_t item : ast_.list(l))
        if (!entity_literal(item)) return false;
      return true;
    };
    expr_kind var = expr_kind::literal;
    switch (e.kind) {
      case expr_kind::equal:
        if (is_var(ast_.at(e.a).kind) && entity_literal(e.b))
          var = ast_.at(e.a).kind;
        else if (is_var(ast_.at(e.b).kind) && entity_literal(e.a))
          var = ast_.at(e.b).kind;
        break;
      case expr_kind::in:
        if (is_var(ast_.at(e.a).kind) &&
            (entity_literal(e.b) || (ast_.at(e.a).kind == expr_kind::var_action && entity_list(e.b))))
          var = ast_.at(e.a).kind;
        break;
      case expr_kind::is:
        if (ast_.at(e.a).kind == expr_kind::var_principal || ast_.at(e.a).kind == expr_kind::var_resource)
          var = ast_.at(e.a).kind;
        break;
      case expr_kind::is_in:
        if ((ast_.at(e.a).kind == expr_kind::var_principal || ast_.at(e.a).kind == expr_kind::var_resource) &&
            entity_literal(e.b))
          var = ast_.at(e.a).kind;
        break;
      default:
        break;
    }
    if (var == expr_kind::literal) return;
    const scope_constraint* s = scope_of(p_, var);
    if (s->op != scope_op::any) return;
    cx_.report(
        "condition-defeats-index", e.span,
        "`" + excerpt(ast_, e.span) + "` constrains `" + var_name(var) +
            "` in a condition while the scope leaves it open, so this policy is a candidate for every " +
            var_name(var) + "; move it into the scope to let the index skip it");
  }

  const context& cx_;
  const policy_set_ast& ast_;
  folder& fold_;
  std::uint32_t index_;
  const policy& p_;
};

}  // namespace

void check_expressions(const context& cx) {
  folder f(cx.ast, cx.levels);
  for (std::uint32_t i = 0; i < cx.ast.policies.size(); ++i) policy_checker(cx, f, i).run();
}

}  // namespace mandate::detail::lint
