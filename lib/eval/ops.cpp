// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
#include "eval/ops.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <utility>

#include "compile/plan.hpp"
#include "temporal/evaluate.hpp"
#include "value/extensions.hpp"

namespace mandate::detail {
namespace {

// Formats into the thread's existing error buffer: a decision that errs the same way on every
// request then reuses the buffer instead of allocating a fresh message each time.
template <typename... Args>
void set_error(eval_context& ctx, fmt::format_string<Args...> format, Args&&... args) {
  ctx.error.clear();
  fmt::format_to(std::back_inserter(ctx.error), format, std::forward<Args>(args)...);
}

bool type_error(eval_context& ctx, const char* op, const char* expected, const value& got) {
  set_error(ctx, "type error: {} expects {}, got {} ({})", op, expected, kind_name(got.kind), to_cedar(got));
  return false;
}

// Long, datetime and duration are ordered by their 64-bit payload.
bool is_ordered_kind(value_kind k) noexcept {
  return k == value_kind::integer || k == value_kind::datetime || k == value_kind::duration;
}

}  // namespace

bool expect_bool(eval_context& ctx, const value& v, const char* what) {
  if (v.kind == value_kind::boolean) return true;
  set_error(ctx, "type error: {} must be a Bool, got {} ({})", what, kind_name(v.kind), to_cedar(v));
  return false;
}

bool op_compare(eval_context& ctx, expr_kind kind, const value& a, const value& b, value& out) {
  switch (kind) {
    case expr_kind::equal:
      out = value::of_bool(value_equal(a, b));
      return true;
    case expr_kind::not_equal:
      out = value::of_bool(!value_equal(a, b));
      return true;
    default:
      break;
  }
  if (a.kind == value_kind::entity && b.kind == value_kind::entity && a.entity.type == b.entity.type &&
      ctx.levels.is_ordered(a.entity.type)) {
    const std::uint32_t* left = ctx.levels.find(a.entity);
    const std::uint32_t* right = ctx.levels.find(b.entity);
    if (left == nullptr || right == nullptr) {
      set_error(ctx, "{} is not a declared level of `{}`", to_cedar(left == nullptr ? a.entity : b.entity),
                symbol_text(a.entity.type));
      return false;
    }
    const value ranks[2] = {value::of_int(*left), value::of_int(*right)};
    return op_compare(ctx, kind, ranks[0], ranks[1], out);
  }
  if (!is_ordered_kind(a.kind) || a.kind != b.kind) {
    const value& bad = is_ordered_kind(a.kind) ? b : a;
    set_error(ctx, "type error: `{}` compares two Longs (or two datetimes, or two durations), got {} and {}",
              operator_text(kind), kind_name(a.kind), kind_name(b.kind));
    (void)bad;
    return false;
  }
  bool result = false;
  switch (kind) {
    case expr_kind::less:
      result = a.integer < b.integer;
      break;
    case expr_kind::less_equal:
      result = a.integer <= b.integer;
      break;
    case expr_kind::greater:
      result = a.integer > b.integer;
      break;
    case expr_kind::greater_equal:
      result = a.integer >= b.integer;
      break;
    default:
      break;
  }
  out = value::of_bool(result);
  return true;
}

bool op_arithmetic(eval_context& ctx, expr_kind kind, const value& a, const value& b, value& out) {
  if (a.kind != value_kind::integer) return type_error(ctx, operator_text(kind), "a Long", a);
  if (b.kind != value_kind::integer) return type_error(ctx, operator_text(kind), "a Long", b);
  std::int64_t result = 0;
  bool overflow = false;
  switch (kind) {
    case expr_kind::add:
      overflow = __builtin_add_overflow(a.integer, b.integer, &result);
      break;
    case expr_kind::subtract:
      overflow = __builtin_sub_overflow(a.integer, b.integer, &result);
      break;
    case expr_kind::multiply:
      overflow = __builtin_mul_overflow(a.integer, b.integer, &result);
      break;
    default:
      break;
  }
  if (overflow) {
    set_error(ctx, "integer overflow: {} {} {} does not fit in a 64-bit Long", a.integer, operator_text(kind),
              b.integer);
    return false;
  }
  out = value::of_int(result);
  return true;
}

bool op_negate(eval_context& ctx, const value& a, value& out) {
  if (a.kind != value_kind::integer) return type_error(ctx, "unary `-`", "a Long", a);
  std::int64_t result = 0;
  if (__builtin_sub_overflow(std::int64_t{0}, a.integer, &result)) {
    set_error(ctx, "integer overflow: -({}) does not fit in a 64-bit Long", a.integer);
    return false;
  }
  out = value::of_int(result);
  return true;
}

bool op_not(eval_context& ctx, const value& a, value& out) {
  if (!expect_bool(ctx, a, "the operand of `!`")) return false;
  out = value::of_bool(!a.boolean);
  return true;
}

bool op_in(eval_context& ctx, const value& a, const value& b, value& out) {
  if (a.kind != value_kind::entity) return type_error(ctx, "`in`", "an entity on its left", a);
  if (b.kind == value_kind::entity) {
    out = value::of_bool(ctx.entities.descends_from(a.entity, b.entity));
    return true;
  }
  if (b.kind != value_kind::set)
    return type_error(ctx, "`in`", "an entity or a set of entities on its right", b);
  bool found = false;
  for (std::uint32_t i = 0; i < b.set->size; ++i) {
    const value& item = b.set->items[i];
    if (item.kind != value_kind::entity)
      return type_error(ctx, "`in`", "a set of entities on its right", item);
    if (!found && ctx.entities.descends_from(a.entity, item.entity)) found = true;
  }
  out = value::of_bool(found);
  return true;
}

bool op_has(eval_context& ctx, const value& a, std::span<const std::uint32_t> path, value& out) {
  value current = a;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const value* field = nullptr;
    if (current.kind == value_kind::entity) {
      const entity_record* rec = ctx.entities.find(current.entity);
      if (rec == nullptr) {  // Cedar: `has` on an entity that does not exist is false
        out = value::of_bool(false);
        return true;
      }
      field = record_find(*rec->attributes.record, path[i]);
    } else if (current.kind == value_kind::record) {
      field = record_find(*current.record, path[i]);
    } else {
      return type_error(ctx, "`has`", "an entity or a record", current);
    }
    if (field == nullptr) {
      out = value::of_bool(false);
      return true;
    }
    current = *field;
  }
  out = value::of_bool(true);
  return true;
}

bool op_get_attr(eval_context& ctx, const value& a, symbol name, value& out) {
  if (a.kind == value_kind::entity) {
    const entity_record* rec = ctx.entities.find(a.entity);
    if (rec == nullptr) {
      set_error(ctx, "entity {} does not exist", to_cedar(a.entity));
      return false;
    }
    if (const value* field = record_find(*rec->attributes.record, name)) {
      out = *field;
      return true;
    }
    set_error(ctx, "entity {} does not have the attribute `{}`", to_cedar(a.entity), symbol_text(name));
    return false;
  }
  if (a.kind == value_kind::record) {
    if (const value* field = record_find(*a.record, name)) {
      out = *field;
      return true;
    }
    set_error(ctx, "record does not have the attribute `{}`", symbol_text(name));
    return false;
  }
  set_error(ctx, "type error: cannot read attribute `{}` of {} ({}): expected an entity or a record",
            symbol_text(name), kind_name(a.kind), to_cedar(a));
  return false;
}

bool like_matches(std::string_view text, const pattern& p) noexcept {
  // Greedy wildcard matching with one backtrack point: linear-ish and never recursive.
  std::size_t ti = 0;
  std::size_t pi = 0;
  std::size_t star_part = SIZE_MAX;
  std::size_t star_text = 0;
  while (true) {
    if (pi < p.size() && p[pi].wildcard) {
      star_part = pi++;
      star_text = ti;
      continue;
    }
    if (pi < p.size()) {
      const std::string& lit = p[pi].text;
      if (text.substr(ti, lit.size()) == lit) {
        ti += lit.size();
        ++pi;
        continue;
      }
    } else if (ti == text.size()) {
      return true;
    }
    if (star_part == SIZE_MAX || star_text >= text.size()) return false;
    pi = star_part + 1;
    ti = ++star_text;
  }
}

bool op_like(eval_context& ctx, const value& a, const pattern& p, value& out) {
  if (a.kind != value_kind::string) return type_error(ctx, "`like`", "a String", a);
  out = value::of_bool(like_matches(symbol_text(a.string), p));
  return true;
}

bool op_is(eval_context& ctx, const value& a, symbol type, value& out) {
  if (a.kind != value_kind::entity) return type_error(ctx, "`is`", "an entity", a);
  out = value::of_bool(a.entity.type == type);
  return true;
}

namespace {

bool check_arity(eval_context& ctx, std::string_view name, std::span<const value> args, std::size_t n) {
  if (args.size() == n) return true;
  set_error(ctx, "wrong number of arguments to `{}`: expected {}, got {}", name, n, args.size());
  return false;
}

}  // namespace

bool op_method(eval_context& ctx, symbol name, const value& receiver, std::span<const value> args,
               value& out) {
  const std::string_view method = symbol_text(name);
  if (method == "contains") {
    if (!check_arity(ctx, method, args, 1)) return false;
    if (receiver.kind != value_kind::set) return type_error(ctx, "`contains`", "a Set", receiver);
    out = value::of_bool(set_contains(*receiver.set, args[0]));
    return true;
  }
  if (method == "containsAll" || method == "containsAny") {
    if (!check_arity(ctx, method, args, 1)) return false;
    if (receiver.kind != value_kind::set)
      return type_error(ctx, "`containsAll`/`containsAny`", "a Set", receiver);
    if (args[0].kind != value_kind::set)
      return type_error(ctx, "the argument of `containsAll`/`containsAny`", "a Set", args[0]);
    const set_data& other = *args[0].set;
    const bool all = method == "containsAll";
    bool result = all;
    for (std::uint32_t i = 0; i < other.size; ++i) {
      const bool present = set_contains(*receiver.set, other.items[i]);
      if (all && !present) {
        result = false;
        break;
      }
      if (!all && present) {
        result = true;
        break;
      }
    }
    out = value::of_bool(result);
    return true;
  }
  if (method == "isEmpty") {
    if (!check_arity(ctx, method, args, 0)) return false;
    if (receiver.kind != value_kind::set) return type_error(ctx, "`isEmpty`", "a Set", receiver);
    out = value::of_bool(receiver.set->size == 0);
    return true;
  }
  if (method == "hasTag" || method == "getTag") {
    if (!check_arity(ctx, method, args, 1)) return false;
    if (receiver.kind != value_kind::entity)
      return type_error(ctx, "`hasTag`/`getTag`", "an entity", receiver);
    if (args[0].kind != value_kind::string) return type_error(ctx, "a tag name", "a String", args[0]);
    const entity_record* rec = ctx.entities.find(receiver.entity);
    const value* tag = rec == nullptr ? nullptr : record_find(*rec->tags.record, args[0].string);
    if (method == "hasTag") {
      out = value::of_bool(tag != nullptr);
      return true;
    }
    if (rec == nullptr) {
      set_error(ctx, "entity {} does not exist", to_cedar(receiver.entity));
      return false;
    }
    if (tag == nullptr) {
      set_error(ctx, "entity {} does not have the tag `{}`", to_cedar(receiver.entity),
                symbol_text(args[0].string));
      return false;
    }
    out = *tag;
    return true;
  }
  return call_extension_method(method, receiver, args, ctx.scratch, out, ctx.error);
}

bool op_temporal(eval_context& ctx, std::uint32_t leaf, value& out) {
  if (ctx.request.temporal == nullptr) {
    ctx.error = "temporal condition evaluated without a history";
    return false;
  }
  bool holds = false;
  if (!ctx.request.temporal->leaf_value(leaf, holds, ctx.error)) return false;
  out = value::of_bool(holds);
  return true;
}

bool op_function(eval_context& ctx, symbol name, std::span<const value> args, value& out) {
  return call_extension_function(symbol_text(name), args, ctx.scratch, out, ctx.error);
}

bool op_make_set(eval_context& ctx, std::span<value> items, value& out) {
  out = make_set(ctx.scratch, items);
  return true;
}

bool op_make_record(eval_context& ctx, std::span<const symbol> keys, std::span<const value> values,
                    value& out) {
  if (make_record(ctx.scratch, keys, values, out)) return true;
  ctx.error = "duplicate key in record literal";
  return false;
}

bool scope_matches(const entity_data& entities, const scope_constraint& constraint, entity_uid uid) noexcept {
  switch (constraint.op) {
    case scope_op::any:
      return true;
    case scope_op::equal:
      return uid == constraint.entity;
    case scope_op::in:
      return entities.descends_from(uid, constraint.entity);
    case scope_op::is:
      return uid.type == constraint.type;
    case scope_op::is_in:
      return uid.type == constraint.type && entities.descends_from(uid, constraint.entity);
    case scope_op::in_list:
      return std::any_of(constraint.list.begin(), constraint.list.end(),
                         [&](entity_uid e) { return entities.descends_from(uid, e); });
  }
  return false;
}

bool scope_applies(const entity_data& entities, const policy& p, const request_view& req) noexcept {
  return scope_matches(entities, p.principal, req.principal) &&
         scope_matches(entities, p.action, req.action) && scope_matches(entities, p.resource, req.resource);
}

}  // namespace mandate::detail
