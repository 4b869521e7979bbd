// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// AST -> plan: each condition becomes a run of flat code (postfix, with jumps for the
// short-circuit operators), and each policy is filed in the action index.
#include <algorithm>
#include <optional>

#include "compile/plan.hpp"
#include "parse/parser.hpp"

namespace mandate::detail {
namespace {

class code_generator {
 public:
  code_generator(const policy_set_ast& ast, plan& out) : ast_(ast), plan_(out) {}

  void emit_expression(expr_id id) {
    const expr& e = ast_.at(id);
    switch (e.kind) {
      case expr_kind::literal:
        plan_.constants.push_back(ast_.literals[e.name]);
        emit(opcode::push_constant, id, static_cast<std::uint32_t>(plan_.constants.size() - 1));
        return;
      case expr_kind::var_principal:
        emit(opcode::push_principal, id);
        return;
      case expr_kind::var_action:
        emit(opcode::push_action, id);
        return;
      case expr_kind::var_resource:
        emit(opcode::push_resource, id);
        return;
      case expr_kind::var_context:
        emit(opcode::push_context, id);
        return;
      case expr_kind::slot_principal:
      case expr_kind::slot_resource:
        emit(opcode::push_principal, id);
        return;  // rejected before compiling
      case expr_kind::logical_not:
        unary(e, opcode::logical_not, id);
        return;
      case expr_kind::negate:
        unary(e, opcode::negate, id);
        return;
      case expr_kind::logical_and:
      case expr_kind::logical_or: {
        emit_expression(e.a);
        const std::uint32_t check =
            emit(e.kind == expr_kind::logical_and ? opcode::and_check : opcode::or_check, id);
        emit_expression(e.b);
        emit(opcode::check_bool, id);
        patch(check);
        return;
      }
      case expr_kind::if_then_else: {
        emit_expression(e.a);
        const std::uint32_t to_else = emit(opcode::jump_if_false, id);
        emit_expression(e.b);
        const std::uint32_t to_end = emit(opcode::jump, id);
        patch(to_else);
        emit_expression(e.c);
        patch(to_end);
        return;
      }
      case expr_kind::equal:
        binary(e, opcode::equal, id);
        return;
      case expr_kind::not_equal:
        binary(e, opcode::not_equal, id);
        return;
      case expr_kind::less:
        binary(e, opcode::less, id);
        return;
      case expr_kind::less_equal:
        binary(e, opcode::less_equal, id);
        return;
      case expr_kind::greater:
        binary(e, opcode::greater, id);
        return;
      case expr_kind::greater_equal:
        binary(e, opcode::greater_equal, id);
        return;
      case expr_kind::in:
        binary(e, opcode::in, id);
        return;
      case expr_kind::add:
        binary(e, opcode::add, id);
        return;
      case expr_kind::subtract:
        binary(e, opcode::subtract, id);
        return;
      case expr_kind::multiply:
        binary(e, opcode::multiply, id);
        return;
      case expr_kind::has: {
        emit_expression(e.a);
        const auto path = ast_.list(e);
        const auto begin = static_cast<std::uint32_t>(plan_.operands.size());
        plan_.operands.insert(plan_.operands.end(), path.begin(), path.end());
        emit(opcode::has, id, begin, static_cast<std::uint32_t>(path.size()));
        return;
      }
      case expr_kind::get_attr:
        unary(e, opcode::get_attr, id, e.name);
        return;
      case expr_kind::like:
        unary(e, opcode::like, id, e.name);
        return;
      case expr_kind::is:
        unary(e, opcode::is, id, e.name);
        return;
      case expr_kind::is_in: {
        emit_expression(e.a);
        const std::uint32_t check = emit(opcode::is_type_or_jump, id, e.name);
        emit_expression(e.b);
        emit(opcode::in, id);
        plan_.code[check].arg2 = here();
        return;
      }
      case expr_kind::set_literal: {
        for (std::uint32_t item : ast_.list(e)) emit_expression(item);
        emit(opcode::make_set, id, 0, e.list_size);
        return;
      }
      case expr_kind::record_literal: {
        const auto pairs = ast_.list(e);
        const auto begin = static_cast<std::uint32_t>(plan_.operands.size());
        for (std::size_t i = 0; i + 1 < pairs.size(); i += 2) plan_.operands.push_back(pairs[i]);
        for (std::size_t i = 0; i + 1 < pairs.size(); i += 2) emit_expression(pairs[i + 1]);
        emit(opcode::make_record, id, begin, static_cast<std::uint32_t>(pairs.size() / 2));
        return;
      }
      case expr_kind::method_call:
        emit_expression(e.a);
        for (std::uint32_t arg : ast_.list(e)) emit_expression(arg);
        emit(opcode::call_method, id, e.name, e.list_size);
        return;
      case expr_kind::function_call:
        for (std::uint32_t arg : ast_.list(e)) emit_expression(arg);
        emit(opcode::call_function, id, e.name, e.list_size);
        return;
      case expr_kind::temporal:
        emit(opcode::temporal_leaf, id, e.name);
        return;
    }
  }

  std::uint32_t here() const noexcept { return static_cast<std::uint32_t>(plan_.code.size()); }

 private:
  std::uint32_t emit(opcode op, expr_id source, std::uint32_t arg = 0, std::uint32_t arg2 = 0) {
    plan_.code.push_back({op, arg, arg2, source});
    return here() - 1;
  }
  void patch(std::uint32_t at) { plan_.code[at].arg = here(); }
  void unary(const expr& e, opcode op, expr_id id, std::uint32_t arg = 0) {
    emit_expression(e.a);
    emit(op, id, arg);
  }
  void binary(const expr& e, opcode op, expr_id id) {
    emit_expression(e.a);
    emit_expression(e.b);
    emit(op, id);
  }

  const policy_set_ast& ast_;
  plan& plan_;
};

// Children always precede their parent in ast.exprs, so one forward pass finds every depth
// without recursion: this check runs before anything recursive touches the tree.
std::vector<std::uint32_t> expression_depths(const policy_set_ast& ast) {
  std::vector<std::uint32_t> depth(ast.exprs.size(), 1);
  for (std::size_t id = 0; id < ast.exprs.size(); ++id) {
    const expr& e = ast.exprs[id];
    std::uint32_t deepest = 0;
    auto see = [&](std::uint32_t child) { deepest = std::max(deepest, depth[child]); };
    switch (e.kind) {
      case expr_kind::logical_not:
      case expr_kind::negate:
      case expr_kind::has:
      case expr_kind::get_attr:
      case expr_kind::like:
      case expr_kind::is:
        see(e.a);
        break;
      case expr_kind::if_then_else:
        see(e.a);
        see(e.b);
        see(e.c);
        break;
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
        see(e.a);
        see(e.b);
        break;
      case expr_kind::set_literal:
      case expr_kind::function_call:
        for (std::uint32_t item : ast.list(e)) see(item);
        break;
      case expr_kind::method_call:
        see(e.a);
        for (std::uint32_t item : ast.list(e)) see(item);
        break;
      case expr_kind::record_literal: {
        const auto pairs = ast.list(e);
        for (std::size_t i = 1; i < pairs.size(); i += 2) see(pairs[i]);
        break;
      }
      default:
        break;
    }
    depth[id] = deepest + 1;
  }
  return depth;
}

struct index_entries {
  std::vector<std::pair<flat_index::key, std::uint32_t>> by_principal;
  std::vector<std::pair<flat_index::key, std::uint32_t>> by_resource;
  std::vector<std::pair<flat_index::key, std::uint32_t>> by_action;
};

// The key a scope constraint is filed under, or nothing for an unconstrained one.
std::optional<std::uint64_t> anchor_of(const scope_constraint& c) {
  switch (c.op) {
    case scope_op::equal:
    case scope_op::in:
    case scope_op::is_in:
      return c.entity.key();  // is_in: the entity is more selective than the type
    case scope_op::is:
      return type_key(c.type);
    default:
      return std::nullopt;
  }
}

void index_policy(index_entries& out, const policy& pol, std::uint32_t index) {
  std::vector<std::uint64_t> action_keys;
  switch (pol.action.op) {
    case scope_op::equal:
    case scope_op::in:
      action_keys.push_back(pol.action.entity.key());
      break;
    case scope_op::in_list:
      for (entity_uid e : pol.action.list) action_keys.push_back(e.key());
      std::sort(action_keys.begin(), action_keys.end());
      action_keys.erase(std::unique(action_keys.begin(), action_keys.end()), action_keys.end());
      break;
    default:
      action_keys.push_back(any_key);
      break;
  }
  for (std::uint64_t action : action_keys) {
    if (auto principal = anchor_of(pol.principal)) {
      out.by_principal.push_back({{action, *principal}, index});
    } else if (auto resource = anchor_of(pol.resource)) {
      out.by_resource.push_back({{action, *resource}, index});
    } else {
      out.by_action.push_back({{action, 0}, index});
    }
  }
}

}  // namespace

// Builds the rank table and checks that every literal of an ordered type names one of its
// levels: a misspelled level is a compile error, not a comparison that is quietly false.
void compile_levels(const policy_set_ast& ast, level_table& levels, std::vector<diagnostic>& diagnostics) {
  for (const level_type& declared : ast.level_types) {
    levels.ordered_types.push_back(declared.type);
    for (std::uint32_t rank = 0; rank < declared.levels.size(); ++rank)
      levels.rank[entity_uid{declared.type, declared.levels[rank]}.key()] = rank;
  }
  if (levels.ordered_types.empty()) return;
  for (const expr& e : ast.exprs) {
    if (e.kind != expr_kind::literal) continue;
    const value& v = ast.literals[e.name];
    if (v.kind != value_kind::entity || !levels.is_ordered(v.entity.type) || levels.find(v.entity) != nullptr)
      continue;
    std::string known;
    for (const level_type& declared : ast.level_types) {
      if (declared.type != v.entity.type) continue;
      for (symbol level : declared.levels)
        known += (known.empty() ? "" : ", ") + std::string(symbol_text(level));
    }
    diagnostics.push_back(make_diagnostic(
        ast, e.span, "levels",
        "`" + std::string(symbol_text(v.entity.id)) + "` is not a level of `" +
            std::string(symbol_text(v.entity.type)) + "` (levels, lowest first: " + known + ")"));
  }
}

void compile_plan(compiled_policy_set& set, std::uint32_t max_depth, std::vector<diagnostic>& diagnostics) {
  const policy_set_ast& ast = set.ast;
  compile_levels(ast, set.code.levels, diagnostics);
  const std::vector<std::uint32_t> depth = expression_depths(ast);
  plan& p = set.code;
  code_generator generator(ast, p);
  index_entries entries;
  for (std::uint32_t i = 0; i < ast.policies.size(); ++i) {
    const policy& pol = ast.policies[i];
    compiled_policy compiled;
    compiled.kind = pol.kind;
    compiled.condition_begin = static_cast<std::uint32_t>(p.conditions.size());
    for (const condition& c : pol.conditions) {
      if (depth[c.body] > max_depth) {
        diagnostics.push_back(make_diagnostic(ast, ast.at(c.body).span, "nesting",
                                              "expression is " + std::to_string(depth[c.body]) +
                                                  " operators deep; the limit is " +
                                                  std::to_string(max_depth)));
        continue;
      }
      compiled_condition cc;
      cc.is_when = c.is_when;
      cc.code_begin = generator.here();
      generator.emit_expression(c.body);
      cc.code_end = generator.here();
      p.max_stack = std::max(p.max_stack, cc.code_end - cc.code_begin + 1);
      p.conditions.push_back(cc);
    }
    compiled.condition_count = static_cast<std::uint32_t>(p.conditions.size()) - compiled.condition_begin;
    p.policies.push_back(compiled);
    if (!pol.is_template()) index_policy(entries, pol, i);  // unlinked slots match nothing
  }
  p.by_principal.build(std::move(entries.by_principal));
  p.by_resource.build(std::move(entries.by_resource));
  p.by_action.build(std::move(entries.by_action));
}

}  // namespace mandate::detail
