// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The trace recorder: what each candidate policy did, in the author's terms. Runs only on the
// traced path; the sub-expression values of a failing clause are computed again with the
// reference interpreter, for that clause alone.
#include "eval/trace.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>

#include "parse/parser.hpp"

namespace mandate::detail {

namespace {

// Permits ruled out by the index named when explaining a default deny.
constexpr std::size_t max_ruled_out_named = 5;

// Nesting of `&&`, `||` and `!` followed to find the failing part; deeper is reported whole.
constexpr int max_failure_depth = 64;

void locate(const policy_set_ast& ast, source_span span, source_location& where, std::string& line) {
  diagnostic d = make_diagnostic(ast, span, "", "", severity::note);
  where = std::move(d.where);
  line = std::move(d.source_line);
}

// Nesting followed when deciding whether an expression is a constant.
constexpr int max_constant_depth = 16;

}  // namespace

trace_recorder::trace_recorder(const compiled_policy_set& set, const entity_data& entities,
                               const request_view& request, eval_scratch& scratch, identity_trace& out,
                               const trace_options& options)
    : set_(set),
      entities_(entities),
      request_(request),
      scratch_(scratch),
      out_(out),
      options_(options),
      catalog_(catalog_of(set)),
      slots_(slot_table(set.ast.policies.size())) {}

// True for an expression with no variable in it (a literal, `ip("10.0.0.0/8")`, `[1, 2]`):
// its value is what it says, so listing it adds nothing.
bool trace_recorder::is_constant(expr_id id, int depth) const {
  const expr& e = set_.ast.at(id);
  if (e.kind == expr_kind::literal) return true;
  if (depth >= max_constant_depth) return false;
  if (e.kind != expr_kind::function_call && e.kind != expr_kind::set_literal &&
      e.kind != expr_kind::method_call)
    return false;
  if (e.kind == expr_kind::method_call && !is_constant(e.a, depth + 1)) return false;
  for (std::uint32_t item : set_.ast.list(e))
    if (!is_constant(item, depth + 1)) return false;
  return true;
}

std::string trace_recorder::text_of(source_span span) const { return text_of_span(set_, span); }

std::string trace_recorder::text_of_span(const compiled_policy_set& set, source_span span) {
  if (span.file >= set.ast.files.size()) return {};
  const std::string& text = set.ast.files[span.file].text;
  auto begin = std::min<std::size_t>(span.begin, text.size());
  auto end = std::clamp<std::size_t>(span.end, begin, text.size());
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  // A parenthesized operand's span stops inside its parentheses: widen to balance them.
  int open = 0;
  int unopened = 0;
  for (std::size_t i = begin; i < end; ++i) {
    if (text[i] == '"') {
      for (++i; i < end && text[i] != '"'; ++i)
        if (text[i] == '\\') ++i;
      continue;
    }
    if (text[i] == '(') ++open;
    if (text[i] == ')') (open > 0 ? --open : ++unopened);
  }
  for (std::size_t at = end; open > 0 && at < text.size() && (blank(text[at]) || text[at] == ')'); ++at)
    if (text[at] == ')') {
      --open;
      end = at + 1;
    }
  for (std::size_t at = begin; unopened > 0 && at > 0 && (blank(text[at - 1]) || text[at - 1] == '('); --at)
    if (text[at - 1] == '(') {
      --unopened;
      begin = at - 1;
    }
  // One line for people: runs of whitespace become one space, except inside string literals.
  std::string collapsed;
  bool space = false;
  bool quoted = false;
  for (std::size_t i = begin; i < end; ++i) {
    const char c = text[i];
    if (!quoted && blank(c)) {
      space = true;
      continue;
    }
    if (space && !collapsed.empty()) collapsed.push_back(' ');
    space = false;
    collapsed.push_back(c);
    if (c == '\\' && quoted && i + 1 < end) {
      collapsed.push_back(text[++i]);
      continue;
    }
    if (c == '"') quoted = !quoted;
  }
  return collapsed;
}

const trace_catalog& trace_recorder::catalog_of(const compiled_policy_set& set) {
  std::call_once(set.trace_catalog_once, [&] {
    auto built = std::make_shared<trace_catalog>();
    built->policies.reserve(set.ast.policies.size());
    for (std::uint32_t i = 0; i < set.ast.policies.size(); ++i) {
      const detail::policy& p = set.ast.policies[i];
      trace_catalog::policy_info info;
      info.kind = std::string(effect_name(p.kind));
      locate(set.ast, p.effect_span, info.where, info.source_line);
      if (const annotation* reason = p.find_annotation("reason")) info.reason = reason->value;
      info.first_clause = static_cast<std::uint32_t>(built->clauses.size());
      for (const condition& c : p.conditions) {
        trace_catalog::clause_info clause;
        const source_span body = set.ast.at(c.body).span;
        clause.text = text_of_span(set, body);
        locate(set.ast, body, clause.where, clause.source_line);
        built->clauses.push_back(std::move(clause));
      }
      built->decidable += p.is_template() ? 0 : 1;
      if (p.kind != effect::forbid && !p.is_template()) {
        // Permits (and require_approval policies) by the actions their scope names, to find
        // the ones a default deny may cite without scanning the whole set.
        switch (p.action.op) {
          case scope_op::equal:
          case scope_op::in:
            built->citable_by_action[p.action.entity.key()].push_back(i);
            break;
          case scope_op::in_list:
            for (const entity_uid& e : p.action.list) built->citable_by_action[e.key()].push_back(i);
            break;
          default:
            built->citable_any_action.push_back(i);
            break;
        }
      }
      built->policies.push_back(std::move(info));
    }
    set.explanation_text = std::move(built);
  });
  return *set.explanation_text;
}

namespace {

void clear_location(source_location& where) {
  where.file.clear();
  where.line = 0;
  where.column = 0;
  where.offset = 0;
  where.length = 0;
}

}  // namespace

// The entry for `policy` in this identity's trace, made on first use. Entries, their clauses
// and their strings are reused from the previous decision traced into the same object, so a
// steady stream of traced decisions copies text into storage it already has.
policy_trace& trace_recorder::start(std::uint32_t policy) {
  std::int32_t& slot = slots_[policy];
  if (slot >= 0) return out_.policies[static_cast<std::size_t>(slot)];
  slot = static_cast<std::int32_t>(used_);
  touched_.push_back(policy);
  if (used_ == out_.policies.size()) out_.policies.emplace_back();
  policy_trace& t = out_.policies[used_++];
  clause_counts_.push_back(0);
  const trace_catalog::policy_info& info = catalog_.policies[policy];
  t.id.assign(set_.ids[policy]);
  t.kind.assign(info.kind);
  t.where = info.where;
  t.source_line.clear();  // copied in finish for the policies a verdict cites
  t.reason.assign(info.reason);
  t.ruled_out_by_index = false;
  t.scope = scope_result::matched;
  t.scope_detail.clear();
  clear_location(t.scope_where);
  t.scope_source_line.clear();
  t.applied = false;
  t.errored = false;
  t.error.clear();
  t.effect = policy_effect::none;
  return t;
}

std::vector<std::int32_t>& trace_recorder::slot_table(std::size_t policies) {
  // One table per thread, sized to the largest set seen; entries are reset after each use.
  thread_local std::vector<std::int32_t> table;
  if (table.size() < policies) table.resize(policies, -1);
  return table;
}

void trace_recorder::candidates(const std::vector<std::uint32_t>& candidates) {
  const std::size_t decidable = catalog_.decidable;
  out_.ruled_out = decidable >= candidates.size() ? decidable - candidates.size() : 0;
  if (!options_.include_ruled_out) return;
  for (std::uint32_t i = 0; i < set_.ast.policies.size(); ++i) {
    if (set_.ast.policies[i].is_template() || std::binary_search(candidates.begin(), candidates.end(), i))
      continue;
    policy_trace& t = start(i);
    t.ruled_out_by_index = true;
    describe_scope(i, t);
  }
}

void trace_recorder::describe_scope(std::uint32_t policy, policy_trace& t) {
  const detail::policy& p = set_.ast.policies[policy];
  struct part {
    const scope_constraint& constraint;
    entity_uid actual;
    scope_result result;
    std::string_view name;
  };
  const part parts[] = {{p.principal, request_.principal, scope_result::principal, "principal"},
                        {p.action, request_.action, scope_result::action, "action"},
                        {p.resource, request_.resource, scope_result::resource, "resource"}};
  for (const part& x : parts) {
    if (scope_matches(entities_, x.constraint, x.actual)) continue;
    t.scope = x.result;
    const std::string actual = to_cedar(x.actual);
    const scope_constraint& c = x.constraint;
    switch (c.op) {
      case scope_op::any:
        break;
      case scope_op::equal:
        t.scope_detail = fmt::format("{} is {}, not {}", x.name, actual, to_cedar(c.entity));
        break;
      case scope_op::in:
        t.scope_detail = fmt::format("{} {} is not in {}", x.name, actual, to_cedar(c.entity));
        break;
      case scope_op::is:
        t.scope_detail = fmt::format("{} {} is not a {}", x.name, actual, symbol_text(c.type));
        break;
      case scope_op::is_in:
        t.scope_detail = x.actual.type != c.type
                             ? fmt::format("{} {} is not a {}", x.name, actual, symbol_text(c.type))
                             : fmt::format("{} {} is not in {}", x.name, actual, to_cedar(c.entity));
        break;
      case scope_op::in_list: {
        std::string list;
        for (const entity_uid& e : c.list) list += (list.empty() ? "" : ", ") + to_cedar(e);
        t.scope_detail = fmt::format("{} {} is not in [{}]", x.name, actual, list);
        break;
      }
    }
    locate(set_.ast, c.span, t.scope_where, t.scope_source_line);
    return;
  }
}

// Which part of the scope failed is recorded for every candidate; the words for it (and where
// it is written) only for the decisions that cite the policy, in finish_entries.
void trace_recorder::scope_failed(std::uint32_t policy) {
  policy_trace& t = start(policy);
  const detail::policy& p = set_.ast.policies[policy];
  t.scope = !scope_matches(entities_, p.principal, request_.principal) ? scope_result::principal
            : !scope_matches(entities_, p.action, request_.action)     ? scope_result::action
                                                                       : scope_result::resource;
}

void trace_recorder::scope_matched(std::uint32_t policy) {
  policy_trace& t = start(policy);
  t.scope = scope_result::matched;
  t.applied = set_.ast.policies[policy].conditions.empty();
}

void trace_recorder::clause(std::uint32_t policy, std::uint32_t index, bool ok, const value& result,
                            const std::string& error) {
  policy_trace& t = start(policy);
  const condition& c = set_.ast.policies[policy].conditions[index];
  std::uint32_t& count = clause_counts_[static_cast<std::size_t>(slots_[policy])];
  if (count == t.clauses.size()) t.clauses.emplace_back();
  clause_trace& ct = t.clauses[count++];
  const trace_catalog::clause_info& info = catalog_.clauses[catalog_.policies[policy].first_clause + index];
  ct.is_when = c.is_when;
  ct.text.assign(info.text);
  ct.where = info.where;
  ct.source_line.clear();  // copied in finish for the clauses a verdict cites
  ct.errored = false;
  ct.error.clear();
  ct.failed_part.clear();
  clear_location(ct.failed_where);
  ct.values.clear();
  const bool is_bool = ok && result.kind == value_kind::boolean;
  if (!ok || !is_bool) {
    ct.errored = true;
    ct.value.clear();
    if (ok) {
      // The message settle_policy reports for the same value.
      std::string message;
      eval_context ctx{entities_, request_, scratch_.values, message, set_.code.levels};
      (void)expect_bool(ctx, result, c.is_when ? "a `when` condition" : "an `unless` condition");
      ct.error = std::move(message);
    } else {
      ct.error.assign(error);
    }
    t.errored = true;
    t.error.assign(ct.error);
  } else {
    ct.value.assign(result.boolean ? "true" : "false");
    if (result.boolean == c.is_when && index + 1 == set_.ast.policies[policy].conditions.size())
      t.applied = true;
  }
}

// Follows `&&`, `||` and `!` down to the sub-expression whose value decided against `wanted`.
void trace_recorder::find_failure(expr_id id, bool wanted, clause_trace& out, int depth) {
  const expr& e = set_.ast.at(id);
  eval_context ctx{entities_, request_, scratch_.values, scratch_.error, set_.code.levels};
  if (depth < max_failure_depth) {
    // `!` is reported whole (with the values under it): a part of `!(a == b)` read alone
    // would say the opposite of what failed.
    const bool descend =
        (e.kind == expr_kind::logical_and && wanted) || (e.kind == expr_kind::logical_or && !wanted);
    if (descend) {
      value left;
      if (evaluate_expression(set_.ast, ctx, e.a, left) && left.kind == value_kind::boolean &&
          left.boolean != wanted)
        return find_failure(e.a, wanted, out, depth + 1);
      return find_failure(e.b, wanted, out, depth + 1);
    }
  }
  out.failed_part = text_of(e.span);
  locate(set_.ast, e.span, out.failed_where, out.source_line);
  describe_operands(id, out);
}

// The values the failing part saw: each operand that is not a literal, as `text` is value.
void trace_recorder::describe_operands(expr_id id, clause_trace& out) {
  const expr& e = set_.ast.at(id);
  std::vector<expr_id> operands;
  switch (e.kind) {
    case expr_kind::equal:
    case expr_kind::not_equal:
    case expr_kind::less:
    case expr_kind::less_equal:
    case expr_kind::greater:
    case expr_kind::greater_equal:
    case expr_kind::in:
    case expr_kind::logical_and:
    case expr_kind::logical_or:
    case expr_kind::add:
    case expr_kind::subtract:
    case expr_kind::multiply:
      operands = {e.a, e.b};
      break;
    case expr_kind::is_in:
      operands = {e.a, e.b};
      break;
    case expr_kind::logical_not:
      return describe_operands(e.a, out);
    case expr_kind::get_attr:
      operands = {id};  // the attribute's own value says more than the entity it is read from
      break;
    case expr_kind::has:
      break;  // `context has agent` says it all; the whole record would only be noise
    case expr_kind::like:
    case expr_kind::is:
    case expr_kind::negate:
      operands = {e.a};
      break;
    case expr_kind::method_call:
      operands.push_back(e.a);
      [[fallthrough]];
    case expr_kind::function_call:
      for (std::uint32_t arg : set_.ast.list(e)) operands.push_back(arg);
      break;
    default:
      break;
  }
  eval_context ctx{entities_, request_, scratch_.values, scratch_.error, set_.code.levels};
  for (expr_id operand : operands) {
    if (is_constant(operand, 0)) continue;
    value v;
    const std::string text = text_of(set_.ast.at(operand).span);
    if (evaluate_expression(set_.ast, ctx, operand, v)) {
      out.values.push_back(fmt::format("`{}` is {}", text, to_cedar(v)));
    } else {
      out.values.push_back(fmt::format("`{}` raised an error: {}", text, scratch_.error));
    }
  }
  if (operands.empty() && e.kind == expr_kind::temporal)
    out.values.push_back("the temporal condition did not hold");
}

void trace_recorder::finish(const decision& d, const std::vector<std::uint32_t>& candidates) {
  finish_entries(d, candidates);
  // Trim what the previous decision left, and reset the slot table for the next one.
  for (std::size_t i = 0; i < used_; ++i) out_.policies[i].clauses.resize(clause_counts_[i]);
  out_.policies.resize(used_);
  for (std::uint32_t policy : touched_) slots_[policy] = -1;
  touched_.clear();
}

void trace_recorder::finish_entries(const decision& d, const std::vector<std::uint32_t>& candidates) {
  if (d.outcome != verdict::deny || !d.reasons.empty()) return mark_effects(d);
  // A default deny is explained by the permits that came nearest; a permit the index ruled out
  // for this action is one of them (its scope names the principal or resource it wants).
  if (!options_.include_ruled_out) {
    // The permits whose scope names this action (or an action group it is in), in set order.
    thread_local std::vector<std::uint32_t> citable;  // reused: a traced stream allocates once
    citable.assign(catalog_.citable_any_action.begin(), catalog_.citable_any_action.end());
    for (std::uint64_t key : scratch_.keys[0])
      if (auto it = catalog_.citable_by_action.find(key); it != catalog_.citable_by_action.end())
        citable.insert(citable.end(), it->second.begin(), it->second.end());
    std::sort(citable.begin(), citable.end());
    citable.erase(std::unique(citable.begin(), citable.end()), citable.end());
    std::size_t named = 0;
    for (std::uint32_t i : citable) {
      if (named == max_ruled_out_named) break;
      const detail::policy& p = set_.ast.policies[i];
      if (slots_[i] >= 0 || std::binary_search(candidates.begin(), candidates.end(), i) ||
          !scope_matches(entities_, p.action, request_.action))
        continue;
      policy_trace& t = start(i);
      t.ruled_out_by_index = true;
      describe_scope(i, t);
      ++named;
    }
  }
  // The permits that did not apply are cited with the part of the scope or clause that stopped
  // them and the values it saw; worked out here, for the decisions that cite them, not for all.
  for (std::uint32_t policy : touched_) {
    const detail::policy& p = set_.ast.policies[policy];
    if (p.kind == effect::forbid) continue;
    const auto slot = static_cast<std::size_t>(slots_[policy]);
    policy_trace& t = out_.policies[slot];
    if (t.scope != scope_result::matched && t.scope_detail.empty()) describe_scope(policy, t);
    const std::uint32_t count = clause_counts_[slot];
    if (t.applied || t.errored || count == 0) continue;
    clause_trace& last = t.clauses[count - 1];
    const condition& c = p.conditions[count - 1];
    if (!last.errored && (last.value == "true") != c.is_when) find_failure(c.body, c.is_when, last, 0);
  }
  mark_effects(d);
}

void trace_recorder::mark_effects(const decision& d) {
  for (std::size_t i = 0; i < used_; ++i) {
    policy_trace& t = out_.policies[i];
    if (t.ruled_out_by_index || t.scope != scope_result::matched) continue;
    const bool reason = std::find(d.reasons.begin(), d.reasons.end(), t.id) != d.reasons.end();
    const std::uint32_t policy = touched_[i];
    const std::uint32_t count = clause_counts_[i];
    // A verdict quotes the source of what it cites: the determining policies, the clause an
    // erroring one stopped at, and (for a default deny) the permits that did not apply.
    const bool cited = reason || (d.reasons.empty() && d.outcome == verdict::deny &&
                                  set_.ast.policies[policy].kind != effect::forbid);
    if (cited) {
      const trace_catalog::policy_info& info = catalog_.policies[policy];
      t.source_line.assign(info.source_line);
      if (count > 0 && t.clauses[count - 1].source_line.empty())
        t.clauses[count - 1].source_line.assign(catalog_.clauses[info.first_clause + count - 1].source_line);
    }
    if (reason) {
      t.effect = policy_effect::determining;
    } else if (t.errored) {
      t.effect = policy_effect::skipped;
    } else if (t.applied) {
      t.effect = policy_effect::overridden;
    }
  }
  out_.outcome = d.outcome;
}

}  // namespace mandate::detail
