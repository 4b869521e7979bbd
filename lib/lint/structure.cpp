// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Structural comparison of expressions, scopes and policies, ignoring where they were written,
// so the pairwise rules can bucket policies by hash instead of comparing every pair.
#include <functional>

#include "lint/lint_internal.hpp"

namespace mandate::detail::lint {
namespace {

std::uint64_t mix(std::uint64_t h, std::uint64_t v) noexcept {
  h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
  return h * 0xFF51AFD7ED558CCDULL;
}

std::uint64_t value_hash(const value& v) {
  switch (v.kind) {
    case value_kind::set:
    case value_kind::record:
    case value_kind::ip:
      return std::hash<std::string>{}(to_cedar(v));
    case value_kind::entity:
      return mix(static_cast<std::uint64_t>(v.kind), v.entity.key());
    case value_kind::string:
      return mix(static_cast<std::uint64_t>(v.kind), v.string);
    case value_kind::boolean:
      return mix(static_cast<std::uint64_t>(v.kind), v.boolean ? 1 : 0);
    default:
      return mix(static_cast<std::uint64_t>(v.kind), static_cast<std::uint64_t>(v.integer));
  }
}

std::string_view span_text(const policy_set_ast& ast, source_span s) {
  if (s.file >= ast.files.size()) return {};
  const std::string& text = ast.files[s.file].text;
  if (s.begin > s.end || s.end > text.size()) return {};
  return std::string_view(text).substr(s.begin, s.end - s.begin);
}

bool pattern_equal(const pattern& a, const pattern& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].wildcard != b[i].wildcard || a[i].text != b[i].text) return false;
  return true;
}

// Kinds whose `name` is a symbol (attribute, type, method, function) compared as is.
bool name_is_symbol(expr_kind k) {
  return k == expr_kind::get_attr || k == expr_kind::is || k == expr_kind::is_in ||
         k == expr_kind::method_call || k == expr_kind::function_call;
}

std::uint64_t scope_hash(const scope_constraint& c) {
  std::uint64_t h = mix(static_cast<std::uint64_t>(c.op), c.type);
  h = mix(h, c.entity.key());
  h = mix(h, c.slot ? 1 : 0);
  for (entity_uid e : c.list) h = mix(h, e.key());
  return h;
}

}  // namespace

std::uint64_t expr_hash(const policy_set_ast& ast, expr_id id) {
  const expr& e = ast.at(id);
  std::uint64_t h = mix(0, static_cast<std::uint64_t>(e.kind));
  switch (e.kind) {
    case expr_kind::literal:
      return mix(h, value_hash(ast.literals[e.name]));
    case expr_kind::temporal:  // leaves are numbered per block: compare the text instead
      return mix(h, std::hash<std::string_view>{}(span_text(ast, e.span)));
    case expr_kind::like:
      for (const auto& part : ast.patterns[e.name])
        h = mix(mix(h, part.wildcard), std::hash<std::string>{}(part.text));
      return mix(h, expr_hash(ast, e.a));
    default:
      break;
  }
  if (name_is_symbol(e.kind)) h = mix(h, e.name);
  const bool has_a = e.kind != expr_kind::function_call && e.kind != expr_kind::set_literal &&
                     e.kind != expr_kind::record_literal && e.kind > expr_kind::slot_resource;
  if (has_a) h = mix(h, expr_hash(ast, e.a));
  switch (e.kind) {
    case expr_kind::logical_and:
    case expr_kind::logical_or:
    case expr_kind::equal:
    case expr_kind::not_equal:
    case expr_kind::less:
    case expr_kind::less_equal:
    case expr_kind::greater:
    case expr_kind::greater_equal:
    case expr_kind::in:
    case expr_kind::add:
    case expr_kind::subtract:
    case expr_kind::multiply:
    case expr_kind::is_in:
      h = mix(h, expr_hash(ast, e.b));
      break;
    case expr_kind::if_then_else:
      h = mix(mix(h, expr_hash(ast, e.b)), expr_hash(ast, e.c));
      break;
    case expr_kind::has:
      for (std::uint32_t s : ast.list(e)) h = mix(h, s);
      break;
    case expr_kind::set_literal:
    case expr_kind::method_call:
    case expr_kind::function_call:
      for (std::uint32_t item : ast.list(e)) h = mix(h, expr_hash(ast, item));
      break;
    case expr_kind::record_literal: {
      const auto pairs = ast.list(e);
      for (std::size_t i = 0; i + 1 < pairs.size(); i += 2)
        h = mix(mix(h, pairs[i]), expr_hash(ast, pairs[i + 1]));
      break;
    }
    default:
      break;
  }
  return h;
}

bool expr_equal(const policy_set_ast& ast, expr_id x, expr_id y) {
  const expr& a = ast.at(x);
  const expr& b = ast.at(y);
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case expr_kind::literal:
      return value_equal(ast.literals[a.name], ast.literals[b.name]) &&
             ast.literals[a.name].kind == ast.literals[b.name].kind;
    case expr_kind::var_principal:
    case expr_kind::var_action:
    case expr_kind::var_resource:
    case expr_kind::var_context:
    case expr_kind::slot_principal:
    case expr_kind::slot_resource:
      return true;
    case expr_kind::temporal:
      return span_text(ast, a.span) == span_text(ast, b.span);
    case expr_kind::logical_not:
    case expr_kind::negate:
      return expr_equal(ast, a.a, b.a);
    case expr_kind::if_then_else:
      return expr_equal(ast, a.a, b.a) && expr_equal(ast, a.b, b.b) && expr_equal(ast, a.c, b.c);
    case expr_kind::like:
      return pattern_equal(ast.patterns[a.name], ast.patterns[b.name]) && expr_equal(ast, a.a, b.a);
    case expr_kind::get_attr:
    case expr_kind::is:
      return a.name == b.name && expr_equal(ast, a.a, b.a);
    case expr_kind::is_in:
      return a.name == b.name && expr_equal(ast, a.a, b.a) && expr_equal(ast, a.b, b.b);
    case expr_kind::has: {
      const auto la = ast.list(a);
      const auto lb = ast.list(b);
      return std::equal(la.begin(), la.end(), lb.begin(), lb.end()) && expr_equal(ast, a.a, b.a);
    }
    case expr_kind::set_literal:
    case expr_kind::method_call:
    case expr_kind::function_call: {
      if (a.kind != expr_kind::set_literal && a.name != b.name) return false;
      if (a.kind == expr_kind::method_call && !expr_equal(ast, a.a, b.a)) return false;
      const auto la = ast.list(a);
      const auto lb = ast.list(b);
      if (la.size() != lb.size()) return false;
      for (std::size_t i = 0; i < la.size(); ++i)
        if (!expr_equal(ast, la[i], lb[i])) return false;
      return true;
    }
    case expr_kind::record_literal: {
      const auto la = ast.list(a);
      const auto lb = ast.list(b);
      if (la.size() != lb.size()) return false;
      for (std::size_t i = 0; i + 1 < la.size(); i += 2)
        if (la[i] != lb[i] || !expr_equal(ast, la[i + 1], lb[i + 1])) return false;
      return true;
    }
    default:  // binary operators
      return expr_equal(ast, a.a, b.a) && expr_equal(ast, a.b, b.b);
  }
}

bool scope_equal(const scope_constraint& a, const scope_constraint& b) {
  if (a.op != b.op || a.slot != b.slot) return false;
  switch (a.op) {
    case scope_op::any:
      return true;
    case scope_op::equal:
    case scope_op::in:
      return a.entity == b.entity;
    case scope_op::is:
      return a.type == b.type;
    case scope_op::is_in:
      return a.type == b.type && a.entity == b.entity;
    case scope_op::in_list:
      return a.list == b.list;
  }
  return false;
}

std::uint64_t policy_hash(const policy_set_ast& ast, const policy& p, bool with_effect) {
  std::uint64_t h = mix(with_effect ? static_cast<std::uint64_t>(p.kind) : 7, scope_hash(p.principal));
  h = mix(mix(h, scope_hash(p.action)), scope_hash(p.resource));
  for (const condition& c : p.conditions) h = mix(mix(h, c.is_when), expr_hash(ast, c.body));
  return h;
}

bool conditions_equal(const policy_set_ast& ast, const policy& a, const policy& b) {
  if (a.conditions.size() != b.conditions.size()) return false;
  for (std::size_t i = 0; i < a.conditions.size(); ++i) {
    if (a.conditions[i].is_when != b.conditions[i].is_when) return false;
    if (!expr_equal(ast, a.conditions[i].body, b.conditions[i].body)) return false;
  }
  return true;
}

bool scope_covers(const scope_constraint& outer, const scope_constraint& inner) {
  if (outer.slot || inner.slot) return false;
  const auto contains = [](const std::vector<entity_uid>& list, entity_uid e) {
    for (entity_uid x : list)
      if (x == e) return true;
    return false;
  };
  switch (outer.op) {
    case scope_op::any:
      return true;
    case scope_op::equal:
      return (inner.op == scope_op::equal && inner.entity == outer.entity);
    case scope_op::in:
      switch (inner.op) {
        case scope_op::equal:
        case scope_op::in:
        case scope_op::is_in:
          return inner.entity == outer.entity;
        case scope_op::in_list:
          for (entity_uid e : inner.list)
            if (!(e == outer.entity)) return false;
          return !inner.list.empty();
        default:
          return false;
      }
    case scope_op::is:
      switch (inner.op) {
        case scope_op::equal:
          return inner.entity.type == outer.type;
        case scope_op::is:
        case scope_op::is_in:
          return inner.type == outer.type;
        default:
          return false;
      }
    case scope_op::is_in:
      if (inner.op == scope_op::equal) return inner.entity == outer.entity && inner.entity.type == outer.type;
      return inner.op == scope_op::is_in && inner.type == outer.type && inner.entity == outer.entity;
    case scope_op::in_list:
      switch (inner.op) {
        case scope_op::equal:
        case scope_op::in:
          return contains(outer.list, inner.entity);
        case scope_op::in_list:
          for (entity_uid e : inner.list)
            if (!contains(outer.list, e)) return false;
          return true;
        default:
          return false;
      }
  }
  return false;
}

bool is_pure(const policy_set_ast& ast, expr_id id) {
  const expr& e = ast.at(id);
  switch (e.kind) {
    case expr_kind::literal:
    case expr_kind::var_principal:
    case expr_kind::var_action:
    case expr_kind::var_resource:
    case expr_kind::var_context:
      return true;
    case expr_kind::equal:
    case expr_kind::not_equal:
      return is_pure(ast, e.a) && is_pure(ast, e.b);
    case expr_kind::set_literal:
      for (std::uint32_t item : ast.list(e))
        if (!is_pure(ast, item)) return false;
      return true;
    default:
      return false;
  }
}

void conjuncts(const policy_set_ast& ast, expr_id id, std::vector<expr_id>& out) {
  // An explicit stack: a chain of 1,000 `&&` is legal and should not cost 1,000 frames twice.
  std::vector<expr_id> stack{id};
  while (!stack.empty()) {
    const expr_id top = stack.back();
    stack.pop_back();
    const expr& e = ast.at(top);
    if (e.kind == expr_kind::logical_and) {
      stack.push_back(e.b);
      stack.push_back(e.a);
    } else {
      out.push_back(top);
    }
  }
}

bool is_path(const policy_set_ast& ast, expr_id id) {
  const expr* e = &ast.at(id);
  while (e->kind == expr_kind::get_attr) e = &ast.at(e->a);
  return e->kind >= expr_kind::var_principal && e->kind <= expr_kind::var_context;
}

std::string excerpt(const policy_set_ast& ast, source_span span, std::size_t max) {
  std::string out;
  bool blank = false;
  for (char ch : span_text(ast, span)) {
    const bool is_blank = ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r';
    if (is_blank) {
      blank = !out.empty();
      continue;
    }
    if (blank) out += ' ';
    blank = false;
    out += ch;
  }
  if (out.size() > max) out = out.substr(0, max - 3) + "...";
  return out;
}

}  // namespace mandate::detail::lint
