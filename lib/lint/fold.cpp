// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Constant folding for the linter. It reuses the evaluator's operators (lib/eval/ops) so a
// folded value or error is exactly what evaluation would give, and it stops at anything that
// depends on the request or the entity store: variables, attributes of entities, `in` between
// distinct entities, tags. Recursion is bounded by the compiler's expression-depth limit.
#include <vector>

#include "eval/ops.hpp"
#include "lint/lint_internal.hpp"
#include "value/store.hpp"

namespace mandate::detail::lint {
namespace {

folded unknown() { return {}; }
folded constant(value v) {
  folded f;
  f.state = fold_state::constant;
  f.v = v;
  return f;
}

// The operators need an entity store and a request even when they do not read them.
struct empty_world {
  entity_data entities;
  request_view request;
};

}  // namespace

class fold_walker {
 public:
  fold_walker(const policy_set_ast& ast, const level_table& levels, arena& storage)
      : ast_(ast), ctx_{world_.entities, world_.request, storage, error_, levels} {}

  folded fold(expr_id id) {
    const expr& e = ast_.at(id);
    switch (e.kind) {
      case expr_kind::literal:
        return constant(ast_.literals[e.name]);
      case expr_kind::var_principal:
      case expr_kind::var_action:
      case expr_kind::var_resource:
      case expr_kind::var_context:
      case expr_kind::slot_principal:
      case expr_kind::slot_resource:
      case expr_kind::temporal:
        return unknown();
      case expr_kind::logical_not:
      case expr_kind::negate: {
        folded a = fold(e.a);
        if (a.state == fold_state::unknown) {
          if (const char* what = variable_kind(e.a))
            return wrong_variable(id, e.a, what,
                                  e.kind == expr_kind::logical_not ? "`!` needs a Bool" : "`-` needs a Long");
        }
        if (a.state != fold_state::constant) return a;
        value out;
        const bool ok = e.kind == expr_kind::logical_not ? op_not(ctx_, a.v, out) : op_negate(ctx_, a.v, out);
        return result(ok, out, id);
      }
      case expr_kind::logical_and:
      case expr_kind::logical_or: {
        const bool is_and = e.kind == expr_kind::logical_and;
        folded a = fold(e.a);
        if (a.state == fold_state::error) return a;
        if (a.state == fold_state::constant) {
          if (!expect_bool(ctx_, a.v, is_and ? "the left of `&&`" : "the left of `||`"))
            return result(false, {}, e.a);
          if (a.v.boolean != is_and) return a;
        }
        folded b = fold(e.b);
        if (b.state == fold_state::error) return a.state == fold_state::constant ? b : unknown();
        if (b.state == fold_state::constant &&
            !expect_bool(ctx_, b.v, is_and ? "the right of `&&`" : "the right of `||`"))
          return a.state == fold_state::constant ? result(false, {}, e.b) : unknown();
        if (a.state == fold_state::constant) return b;
        return unknown();
      }
      case expr_kind::if_then_else: {
        folded c = fold(e.a);
        if (c.state == fold_state::error) return c;
        if (c.state == fold_state::constant) {
          if (!expect_bool(ctx_, c.v, "the condition of `if`")) return result(false, {}, e.a);
          return fold(c.v.boolean ? e.b : e.c);
        }
        (void)fold(e.b);  // for the errors they record
        (void)fold(e.c);
        return unknown();
      }
      case expr_kind::equal:
      case expr_kind::not_equal:
      case expr_kind::less:
      case expr_kind::less_equal:
      case expr_kind::greater:
      case expr_kind::greater_equal:
      case expr_kind::add:
      case expr_kind::subtract:
      case expr_kind::multiply:
      case expr_kind::in: {
        folded a = fold(e.a);
        if (a.state == fold_state::error) return a;
        folded b = fold(e.b);
        if (b.state == fold_state::error) return b;
        if (e.kind == expr_kind::add || e.kind == expr_kind::subtract || e.kind == expr_kind::multiply) {
          // The variables' kinds are known without a request: principal, action and resource are
          // entities, context a record, and none of them is a Long.
          for (expr_id operand : {e.a, e.b})
            if (const char* what = variable_kind(operand))
              return wrong_variable(id, operand, what, "arithmetic needs Longs");
        }
        if (a.state != fold_state::constant || b.state != fold_state::constant) return unknown();
        value out;
        if (e.kind == expr_kind::in) return fold_in(a.v, b.v, id);
        const bool arithmetic =
            e.kind == expr_kind::add || e.kind == expr_kind::subtract || e.kind == expr_kind::multiply;
        const bool ok =
            arithmetic ? op_arithmetic(ctx_, e.kind, a.v, b.v, out) : op_compare(ctx_, e.kind, a.v, b.v, out);
        return result(ok, out, id);
      }
      case expr_kind::has:
      case expr_kind::get_attr: {
        folded a = fold(e.a);
        if (a.state != fold_state::constant) return a;
        if (a.v.kind == value_kind::entity) return unknown();  // the store decides
        value out;
        const bool ok = e.kind == expr_kind::has ? op_has(ctx_, a.v, ast_.list(e), out)
                                                 : op_get_attr(ctx_, a.v, e.name, out);
        return result(ok, out, id);
      }
      case expr_kind::like:
      case expr_kind::is: {
        folded a = fold(e.a);
        if (a.state != fold_state::constant) return a;
        value out;
        const bool ok = e.kind == expr_kind::like ? op_like(ctx_, a.v, ast_.patterns[e.name], out)
                                                  : op_is(ctx_, a.v, e.name, out);
        return result(ok, out, id);
      }
      case expr_kind::is_in: {
        folded a = fold(e.a);
        folded b = fold(e.b);
        if (a.state == fold_state::error) return a;
        if (a.state != fold_state::constant) return b.state == fold_state::error ? unknown() : a;
        value out;
        if (!op_is(ctx_, a.v, e.name, out)) return result(false, out, id);
        if (!out.boolean) return constant(out);
        if (b.state != fold_state::constant) return b;
        return fold_in(a.v, b.v, id);
      }
      case expr_kind::set_literal:
      case expr_kind::record_literal: {
        const bool is_set = e.kind == expr_kind::set_literal;
        std::vector<value> items;
        std::vector<symbol> keys;
        bool all = true;
        const auto list = ast_.list(e);
        for (std::size_t i = is_set ? 0 : 1; i < list.size(); i += is_set ? 1 : 2) {
          folded item = fold(list[i]);
          if (item.state == fold_state::error) return item;
          if (item.state != fold_state::constant) all = false;
          items.push_back(item.v);
          if (!is_set) keys.push_back(list[i - 1]);
        }
        if (!all) return unknown();
        value out;
        const bool ok = is_set ? op_make_set(ctx_, items, out) : op_make_record(ctx_, keys, items, out);
        return result(ok, out, id);
      }
      case expr_kind::method_call:
      case expr_kind::function_call: {
        value receiver;
        bool all = true;
        if (e.kind == expr_kind::method_call) {
          folded r = fold(e.a);
          if (r.state == fold_state::error) return r;
          if (r.state != fold_state::constant || r.v.kind == value_kind::entity)
            all = false;  // tags: the store
          receiver = r.v;
        }
        std::vector<value> args;
        for (std::uint32_t arg : ast_.list(e)) {
          folded f = fold(arg);
          if (f.state == fold_state::error) return f;
          if (f.state != fold_state::constant) all = false;
          args.push_back(f.v);
        }
        if (!all) return unknown();
        value out;
        const bool ok = e.kind == expr_kind::method_call ? op_method(ctx_, e.name, receiver, args, out)
                                                         : op_function(ctx_, e.name, args, out);
        return result(ok, out, id);
      }
    }
    return unknown();
  }

  std::vector<std::pair<expr_id, std::string>> errors;  // every error raised at its origin, in order

 private:
  folded fold_in(const value& a, const value& b, expr_id id) {
    value out;
    if (a.kind != value_kind::entity) return result(op_in(ctx_, a, b, out), out, id);
    if (b.kind == value_kind::entity)
      return a.entity == b.entity ? constant(value::of_bool(true)) : unknown();
    if (b.kind != value_kind::set) return result(op_in(ctx_, a, b, out), out, id);
    for (std::uint32_t i = 0; i < b.set->size; ++i) {
      const value& item = b.set->items[i];
      if (item.kind != value_kind::entity) return result(op_in(ctx_, a, b, out), out, id);
    }
    if (set_contains(*b.set, a)) return constant(value::of_bool(true));
    return b.set->size == 0 ? constant(value::of_bool(false)) : unknown();
  }

  // What a bare variable is, when `id` is one.
  const char* variable_kind(expr_id id) const {
    switch (ast_.at(id).kind) {
      case expr_kind::var_principal:
      case expr_kind::var_action:
      case expr_kind::var_resource:
        return "an entity";
      case expr_kind::var_context:
        return "a record";
      default:
        return nullptr;
    }
  }

  folded wrong_variable(expr_id at, expr_id variable, const char* what, const char* needs) {
    static constexpr const char* names[] = {"principal", "action", "resource", "context"};
    const auto k = static_cast<int>(ast_.at(variable).kind) - static_cast<int>(expr_kind::var_principal);
    error_ = std::string("type error: ") + needs + ", but `" + names[k] + "` is always " + what;
    return result(false, {}, at);
  }

  folded result(bool ok, const value& out, expr_id at) {
    if (ok) return constant(out);
    folded f;
    f.state = fold_state::error;
    f.error = error_;
    f.error_at = at;
    errors.emplace_back(at, error_);
    error_.clear();
    return f;
  }

  const policy_set_ast& ast_;
  empty_world world_;
  std::string error_;
  eval_context ctx_;
};

folder::folder(const policy_set_ast& ast, const level_table& levels)
    : storage_(std::make_unique<arena>(1 << 12)),
      walker_(std::make_unique<fold_walker>(ast, levels, *storage_)) {}
folder::~folder() = default;

folded folder::fold(expr_id id) { return walker_->fold(id); }

std::vector<std::pair<expr_id, std::string>>& folder::errors() noexcept { return walker_->errors; }

}  // namespace mandate::detail::lint
