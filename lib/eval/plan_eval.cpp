// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The production evaluator: the action index picks the candidate policies, and each
// condition runs as flat code on a reused per-thread stack. No recursion, no allocation in
// steady state (set and record literals go to the per-thread arena).
#include <algorithm>
#include <type_traits>

#include "eval/evaluate.hpp"
#include "eval/ops.hpp"
#include "eval/trace.hpp"

namespace mandate::detail {
namespace {

class machine {
 public:
  machine(const compiled_policy_set& set, eval_context& ctx, std::vector<value>& stack)
      : plan_(set.code), ast_(set.ast), ctx_(ctx), stack_(stack) {}

  // Runs code[begin, end) and leaves its one result in `out`.
  bool run(std::uint32_t begin, std::uint32_t end, value& out) {
    value* s = stack_.data();
    std::size_t sp = 0;
    std::uint32_t pc = begin;
    while (pc < end) {
      const instruction& in = plan_.code[pc++];
      switch (in.op) {
        case opcode::push_constant:
          s[sp++] = plan_.constants[in.arg];
          break;
        case opcode::push_principal:
          s[sp++] = value::of_entity(ctx_.request.principal);
          break;
        case opcode::push_action:
          s[sp++] = value::of_entity(ctx_.request.action);
          break;
        case opcode::push_resource:
          s[sp++] = value::of_entity(ctx_.request.resource);
          break;
        case opcode::push_context:
          s[sp++] = ctx_.request.context;
          break;
        case opcode::logical_not:
          if (!op_not(ctx_, s[sp - 1], s[sp - 1])) return false;
          break;
        case opcode::negate:
          if (!op_negate(ctx_, s[sp - 1], s[sp - 1])) return false;
          break;
        case opcode::and_check:
        case opcode::or_check: {
          const bool is_and = in.op == opcode::and_check;
          if (!expect_bool(ctx_, s[sp - 1], is_and ? "the left of `&&`" : "the left of `||`")) return false;
          if (s[sp - 1].boolean != is_and) {
            pc = in.arg;
          } else {
            --sp;
          }
          break;
        }
        case opcode::check_bool: {
          const expr_kind parent = ast_.at(in.source).kind;
          if (!expect_bool(ctx_, s[sp - 1],
                           parent == expr_kind::logical_and ? "the right of `&&`" : "the right of `||`"))
            return false;
          break;
        }
        case opcode::jump_if_false:
          if (!expect_bool(ctx_, s[sp - 1], "the condition of `if`")) return false;
          --sp;
          if (!s[sp].boolean) pc = in.arg;
          break;
        case opcode::jump:
          pc = in.arg;
          break;
        case opcode::equal:
        case opcode::not_equal:
        case opcode::less:
        case opcode::less_equal:
        case opcode::greater:
        case opcode::greater_equal:
          --sp;
          if (!op_compare(ctx_, ast_.at(in.source).kind, s[sp - 1], s[sp], s[sp - 1])) return false;
          break;
        case opcode::in:
          --sp;
          if (!op_in(ctx_, s[sp - 1], s[sp], s[sp - 1])) return false;
          break;
        case opcode::add:
        case opcode::subtract:
        case opcode::multiply:
          --sp;
          if (!op_arithmetic(ctx_, ast_.at(in.source).kind, s[sp - 1], s[sp], s[sp - 1])) return false;
          break;
        case opcode::has:
          if (!op_has(ctx_, s[sp - 1], {plan_.operands.data() + in.arg, in.arg2}, s[sp - 1])) return false;
          break;
        case opcode::get_attr:
          if (!op_get_attr(ctx_, s[sp - 1], in.arg, s[sp - 1])) return false;
          break;
        case opcode::like:
          if (!op_like(ctx_, s[sp - 1], ast_.patterns[in.arg], s[sp - 1])) return false;
          break;
        case opcode::is:
          if (!op_is(ctx_, s[sp - 1], in.arg, s[sp - 1])) return false;
          break;
        case opcode::is_type_or_jump: {
          value matches;
          if (!op_is(ctx_, s[sp - 1], in.arg, matches)) return false;
          if (!matches.boolean) {
            s[sp - 1] = matches;
            pc = in.arg2;
          }
          break;
        }
        case opcode::make_set: {
          sp -= in.arg2;
          value result;
          if (!op_make_set(ctx_, {s + sp, in.arg2}, result)) return false;
          s[sp++] = result;
          break;
        }
        case opcode::make_record: {
          sp -= in.arg2;
          value result;
          if (!op_make_record(ctx_, {plan_.operands.data() + in.arg, in.arg2}, {s + sp, in.arg2}, result))
            return false;
          s[sp++] = result;
          break;
        }
        case opcode::call_method: {
          sp -= in.arg2;
          value result;
          if (!op_method(ctx_, in.arg, s[sp - 1], {s + sp, in.arg2}, result)) return false;
          s[sp - 1] = result;
          break;
        }
        case opcode::call_function: {
          sp -= in.arg2;
          value result;
          if (!op_function(ctx_, in.arg, {s + sp, in.arg2}, result)) return false;
          s[sp++] = result;
          break;
        }
        case opcode::temporal_leaf: {
          value result;
          if (!op_temporal(ctx_, in.arg, result)) return false;
          s[sp++] = result;
          break;
        }
      }
    }
    out = s[sp - 1];
    return true;
  }

 private:
  const plan& plan_;
  const policy_set_ast& ast_;
  eval_context& ctx_;
  std::vector<value>& stack_;
};

// The index keys an entity matches: itself, its ancestors, and `extra` (its type key for a
// principal or resource; `any_key` for an action).
void index_keys(const entity_data& entities, entity_uid uid, std::uint64_t extra,
                std::vector<std::uint64_t>& out) {
  out.clear();
  out.push_back(uid.key());
  out.push_back(extra);
  if (const entity_record* rec = entities.find(uid))
    out.insert(out.end(), rec->ancestors.begin(), rec->ancestors.end());
}

void append(std::span<const std::uint32_t> found, std::vector<std::uint32_t>& out) {
  out.insert(out.end(), found.begin(), found.end());
}

}  // namespace

namespace {

// No recorder: every `if constexpr` below compiles away, and the plain path is what it was.
struct no_recorder {};

template <typename Recorder>
void run_plan(const compiled_policy_set& set, const entity_data& entities, const request_view& req,
              eval_scratch& scratch, Recorder& recorder) {
  constexpr bool traced = !std::is_same_v<Recorder, no_recorder>;
  const plan& p = set.code;
  auto& candidates = scratch.candidates;
  auto& actions = scratch.keys[0];
  auto& principals = scratch.keys[1];
  auto& resources = scratch.keys[2];
  index_keys(entities, req.action, any_key, actions);
  index_keys(entities, req.principal, type_key(req.principal.type), principals);
  index_keys(entities, req.resource, type_key(req.resource.type), resources);
  for (std::uint64_t action : actions) {
    if (!p.by_principal.empty())
      for (std::uint64_t target : principals) append(p.by_principal.find({action, target}), candidates);
    if (!p.by_resource.empty())
      for (std::uint64_t target : resources) append(p.by_resource.find({action, target}), candidates);
    append(p.by_action.find({action, 0}), candidates);
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  if (scratch.stack.size() < p.max_stack) scratch.stack.resize(p.max_stack);
  if constexpr (traced) recorder.candidates(candidates);

  eval_context ctx{entities, req, scratch.values, scratch.error, set.code.levels};
  machine vm(set, ctx, scratch.stack);
  for (std::uint32_t index : candidates) {
    const policy& source = set.ast.policies[index];
    if (!scope_applies(entities, source, req)) {
      if constexpr (traced) recorder.scope_failed(index);
      continue;
    }
    if constexpr (traced) recorder.scope_matched(index);
    const compiled_policy& compiled = p.policies[index];
    settle_policy(index, compiled.condition_count, ctx, scratch,
                  [&](std::uint32_t i, bool& is_when, value& out) {
                    const compiled_condition& cond = p.conditions[compiled.condition_begin + i];
                    is_when = cond.is_when;
                    const bool ok = vm.run(cond.code_begin, cond.code_end, out);
                    if constexpr (traced) recorder.clause(index, i, ok, out, scratch.error);
                    return ok;
                  });
  }
}

}  // namespace

void evaluate_plan(const compiled_policy_set& set, const entity_data& entities, const request_view& req,
                   eval_scratch& scratch) {
  no_recorder none;
  run_plan(set, entities, req, scratch, none);
}

void evaluate_plan_traced(const compiled_policy_set& set, const entity_data& entities,
                          const request_view& req, eval_scratch& scratch, trace_recorder& recorder) {
  run_plan(set, entities, req, scratch, recorder);
}

}  // namespace mandate::detail
