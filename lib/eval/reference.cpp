// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The reference interpreter: the plainest reading of the language, a recursive walk of the
// AST over every policy. It is slow on purpose and kept for differential tests against the
// plan evaluator. Recursion depth is bounded by the compiler's expression-depth check.
#include <vector>

#include "eval/evaluate.hpp"
#include "eval/ops.hpp"
#include "eval/trace.hpp"

namespace mandate::detail {
namespace {

class tree_walker {
 public:
  tree_walker(const policy_set_ast& ast, eval_context& ctx) : ast_(ast), ctx_(ctx) {}

  bool eval(expr_id id, value& out) {
    const expr& e = ast_.at(id);
    value a;
    value b;
    switch (e.kind) {
      case expr_kind::literal:
        out = ast_.literals[e.name];
        return true;
      case expr_kind::var_principal:
        out = value::of_entity(ctx_.request.principal);
        return true;
      case expr_kind::var_action:
        out = value::of_entity(ctx_.request.action);
        return true;
      case expr_kind::var_resource:
        out = value::of_entity(ctx_.request.resource);
        return true;
      case expr_kind::var_context:
        out = ctx_.request.context;
        return true;
      case expr_kind::slot_principal:
      case expr_kind::slot_resource:
        ctx_.error = "unlinked template slot";
        return false;
      case expr_kind::logical_not:
        return eval(e.a, a) && op_not(ctx_, a, out);
      case expr_kind::negate:
        return eval(e.a, a) && op_negate(ctx_, a, out);
      case expr_kind::logical_and:
      case expr_kind::logical_or: {
        const bool is_and = e.kind == expr_kind::logical_and;
        if (!eval(e.a, a) || !expect_bool(ctx_, a, is_and ? "the left of `&&`" : "the left of `||`"))
          return false;
        if (a.boolean != is_and) {  // false && _, true || _
          out = a;
          return true;
        }
        if (!eval(e.b, b) || !expect_bool(ctx_, b, is_and ? "the right of `&&`" : "the right of `||`"))
          return false;
        out = b;
        return true;
      }
      case expr_kind::if_then_else:
        if (!eval(e.a, a) || !expect_bool(ctx_, a, "the condition of `if`")) return false;
        return eval(a.boolean ? e.b : e.c, out);
      case expr_kind::equal:
      case expr_kind::not_equal:
      case expr_kind::less:
      case expr_kind::less_equal:
      case expr_kind::greater:
      case expr_kind::greater_equal:
        return eval(e.a, a) && eval(e.b, b) && op_compare(ctx_, e.kind, a, b, out);
      case expr_kind::in:
        return eval(e.a, a) && eval(e.b, b) && op_in(ctx_, a, b, out);
      case expr_kind::add:
      case expr_kind::subtract:
      case expr_kind::multiply:
        return eval(e.a, a) && eval(e.b, b) && op_arithmetic(ctx_, e.kind, a, b, out);
      case expr_kind::has:
        return eval(e.a, a) && op_has(ctx_, a, ast_.list(e), out);
      case expr_kind::get_attr:
        return eval(e.a, a) && op_get_attr(ctx_, a, e.name, out);
      case expr_kind::like:
        return eval(e.a, a) && op_like(ctx_, a, ast_.patterns[e.name], out);
      case expr_kind::is:
        return eval(e.a, a) && op_is(ctx_, a, e.name, out);
      case expr_kind::is_in:
        if (!eval(e.a, a) || !op_is(ctx_, a, e.name, out)) return false;
        if (!out.boolean) return true;  // Cedar: `is T in E` short-circuits on the type
        return eval(e.b, b) && op_in(ctx_, a, b, out);
      case expr_kind::set_literal: {
        std::vector<value> items;
        for (std::uint32_t item : ast_.list(e)) {
          if (!eval(item, a)) return false;
          items.push_back(a);
        }
        return op_make_set(ctx_, items, out);
      }
      case expr_kind::record_literal: {
        std::vector<symbol> keys;
        std::vector<value> values;
        const auto pairs = ast_.list(e);
        for (std::size_t i = 0; i + 1 < pairs.size(); i += 2) {
          if (!eval(pairs[i + 1], a)) return false;
          keys.push_back(pairs[i]);
          values.push_back(a);
        }
        return op_make_record(ctx_, keys, values, out);
      }
      case expr_kind::method_call:
      case expr_kind::function_call: {
        value receiver;
        if (e.kind == expr_kind::method_call && !eval(e.a, receiver)) return false;
        std::vector<value> args;
        for (std::uint32_t arg : ast_.list(e)) {
          if (!eval(arg, a)) return false;
          args.push_back(a);
        }
        return e.kind == expr_kind::method_call ? op_method(ctx_, e.name, receiver, args, out)
                                                : op_function(ctx_, e.name, args, out);
      }
      case expr_kind::temporal:
        return op_temporal(ctx_, e.name, out);
    }
    ctx_.error = "internal error: unknown expression kind";
    return false;
  }

 private:
  const policy_set_ast& ast_;
  eval_context& ctx_;
};

}  // namespace

bool evaluate_expression(const policy_set_ast& ast, eval_context& ctx, expr_id id, value& out) {
  tree_walker walker(ast, ctx);
  return walker.eval(id, out);
}

void evaluate_reference(const compiled_policy_set& set, const entity_data& entities, const request_view& req,
                        eval_scratch& scratch) {
  eval_context ctx{entities, req, scratch.values, scratch.error, set.code.levels};
  tree_walker walker(set.ast, ctx);
  for (std::uint32_t i = 0; i < set.ast.policies.size(); ++i) {
    const policy& p = set.ast.policies[i];
    if (p.is_template() || !scope_applies(entities, p, req)) continue;  // a template decides nothing
    settle_policy(i, static_cast<std::uint32_t>(p.conditions.size()), ctx, scratch,
                  [&](std::uint32_t k, bool& is_when, value& out) {
                    is_when = p.conditions[k].is_when;
                    return walker.eval(p.conditions[k].body, out);
                  });
  }
}

}  // namespace mandate::detail
