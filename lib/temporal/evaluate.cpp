// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The reference semantics of temporal conditions (Dogwood's guide, chapter 4 "Evaluation
// semantics", and the formal specification §5.4). A condition evaluated at timepoint i under
// an environment of bindings yields the environments, extended with what it binds, under
// which it holds: predicates and `tp` bind, `&&` threads the rows of its left operand into its
// right, `!` is an anti-join, the past operators union over the timepoints of their window,
// and aggregates project the rows of their body onto the `for` binders, deduplicated.
#include "temporal/evaluate.hpp"

#include <algorithm>
#include <vector>

namespace mandate::detail::temporal {
namespace {

// Variables of one leaf, bound or not. Leaves have few variables; 64 is far above any policy
// seen (the parser's nesting limit keeps binders bounded too).
constexpr std::size_t max_variables = 64;

struct row {
  std::uint64_t bound = 0;
  std::vector<value> values;

  [[nodiscard]] bool is_bound(var_id v) const noexcept { return (bound >> v) & 1U; }
  void bind(var_id v, const value& x) {
    values[v] = x;
    bound |= std::uint64_t{1} << v;
  }
  void unbind(var_id v) {
    values[v] = value{};
    bound &= ~(std::uint64_t{1} << v);
  }
};

bool row_less(const row& a, const row& b) {
  if (a.bound != b.bound) return a.bound < b.bound;
  for (std::size_t i = 0; i < a.values.size(); ++i) {
    if (!a.is_bound(static_cast<var_id>(i))) continue;
    auto c = value_order(a.values[i], b.values[i]);
    if (c != 0) return c < 0;
  }
  return false;
}

bool row_equal(const row& a, const row& b) { return !row_less(a, b) && !row_less(b, a); }

void deduplicate(std::vector<row>& rows, std::size_t from) {
  if (rows.size() - from < 2) return;
  auto first = rows.begin() + static_cast<std::ptrdiff_t>(from);
  std::sort(first, rows.end(), row_less);
  rows.erase(std::unique(first, rows.end(), row_equal), rows.end());
}

class reference_evaluator {
 public:
  reference_evaluator(const temporal_program& program, const timeline& events, const decision_inputs& inputs,
                      std::uint64_t budget)
      : program_(program), events_(events), inputs_(inputs), budget_(budget) {}

  leaf_result run(std::uint32_t leaf_index) {
    leaf_result result;
    const leaf& l = program_.leaves[leaf_index];
    if (l.variables.size() > max_variables) {
      result.ok = false;
      result.error = "temporal condition has more than 64 variables";
      return result;
    }
    if (events_.size() == 0) return result;
    row start;
    start.values.resize(l.variables.size());
    std::vector<row> rows;
    eval(l.root, events_.size() - 1, start, rows);
    if (exhausted_) {
      result.ok = false;
      result.error = "temporal condition exceeded its evaluation budget";
      return result;
    }
    result.holds = !rows.empty();
    return result;
  }

 private:
  bool spend(std::uint64_t units = 1) {
    if (budget_ < units) {
      exhausted_ = true;
      budget_ = 0;
      return false;
    }
    budget_ -= units;
    return true;
  }

  [[nodiscard]] bool within(std::size_t now, std::size_t then, std::int64_t window_ms) const noexcept {
    return events_.at(now).time_ms - events_.at(then).time_ms <= window_ms;
  }

  // A term's value when it needs no binding from the event being matched: constants, the
  // current request, bound variables and aggregates. False when it has no value (an absent
  // context field, an unbound variable, a wildcard).
  bool resolve(term_id id, std::size_t at, const row& env, value& out) {
    const term& t = program_.terms[id];
    switch (t.kind) {
      case term_kind::constant:
      case term_kind::context_path:
      case term_kind::principal:
      case term_kind::resource:
        return resolve_request_term(t, inputs_, out);
      case term_kind::variable:
        if (!env.is_bound(t.var)) return false;
        out = env.values[t.var];
        return true;
      case term_kind::wildcard:
        return false;
      case term_kind::array: {
        std::vector<value> items;
        items.reserve(t.elements.size());
        for (term_id e : t.elements) {
          value v;
          if (!resolve(e, at, env, v)) return false;
          items.push_back(v);
        }
        out = make_set(scratch_, items);
        return true;
      }
      case term_kind::count:
      case term_kind::sum:
        return aggregate_value(program_.aggregates[t.aggregate], at, env, out);
    }
    return false;
  }

  bool aggregate_value(const aggregate& agg, std::size_t at, const row& env, value& out) {
    row inner = env;
    for (var_id v : agg.domain) inner.unbind(v);
    std::vector<row> rows;
    eval(agg.body, at, inner, rows);
    // Project onto the `for` columns and deduplicate: the aggregate ranges over a set.
    std::vector<std::vector<value>> tuples;
    tuples.reserve(rows.size());
    for (const row& r : rows) {
      std::vector<value> tuple;
      tuple.reserve(agg.domain.size());
      bool complete = true;
      for (var_id v : agg.domain) {
        if (!r.is_bound(v)) {
          complete = false;
          break;
        }
        tuple.push_back(r.values[v]);
      }
      if (complete) tuples.push_back(std::move(tuple));
    }
    auto tuple_less = [](const std::vector<value>& a, const std::vector<value>& b) {
      return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), value_less);
    };
    auto tuple_equal = [&](const std::vector<value>& a, const std::vector<value>& b) {
      return !tuple_less(a, b) && !tuple_less(b, a);
    };
    std::sort(tuples.begin(), tuples.end(), tuple_less);
    tuples.erase(std::unique(tuples.begin(), tuples.end(), tuple_equal), tuples.end());
    if (!agg.is_sum) {
      out = value::of_int(static_cast<std::int64_t>(tuples.size()));
      return true;
    }
    std::size_t column = 0;
    for (std::size_t i = 0; i < agg.domain.size(); ++i)
      if (agg.domain[i] == agg.summand) column = i;
    // Modular addition is exact for every total a Long can hold, whatever the partial sums
    // (Dogwood's guide asks exactly that); a total outside the Long range is
    // implementation-defined, and here wraps.
    std::uint64_t total = 0;
    for (const auto& tuple : tuples)
      if (tuple[column].kind == value_kind::integer)
        total += static_cast<std::uint64_t>(tuple[column].integer);
    out = value::of_int(static_cast<std::int64_t>(total));
    return true;
  }

  // Matches one field pattern against the event's value, binding a variable on first sight.
  bool match_field(term_id id, const value& actual, std::size_t at, row& env) {
    const term& t = program_.terms[id];
    if (t.kind == term_kind::wildcard) return true;
    if (t.kind == term_kind::variable && !env.is_bound(t.var)) {
      env.bind(t.var, actual);
      return true;
    }
    value expected;
    if (!resolve(id, at, env, expected)) return false;
    return value_equal(expected, actual);
  }

  void predicate_rows(const predicate& p, std::size_t at, const row& env, std::vector<row>& out) {
    const event& e = events_.at(at);
    if (!(e.action == p.action) || e.kind != p.kind) return;
    row r = env;
    for (const field_pattern& f : p.fields) {
      const value* actual = walk_path(e.fields, f.path);
      if (actual == nullptr || !match_field(f.pattern, *actual, at, r)) return;
    }
    out.push_back(std::move(r));
  }

  void comparison_rows(const node& n, std::size_t at, const row& env, std::vector<row>& out) {
    const term& lt = program_.terms[n.left];
    const term& rt = program_.terms[n.right];
    if (n.op == compare_op::equal) {
      // A binding equality: `agg == n` or `n == ground` binds the unbound side.
      bool left_free = lt.kind == term_kind::variable && !env.is_bound(lt.var);
      bool right_free = rt.kind == term_kind::variable && !env.is_bound(rt.var);
      if (left_free != right_free) {
        value known;
        if (!resolve(left_free ? n.right : n.left, at, env, known)) return;
        row r = env;
        r.bind(left_free ? lt.var : rt.var, known);
        out.push_back(std::move(r));
        return;
      }
    }
    value a;
    value b;
    if (!resolve(n.left, at, env, a) || !resolve(n.right, at, env, b)) return;
    bool holds = false;
    if (n.op == compare_op::equal) {
      holds = value_equal(a, b);
    } else if (a.kind == value_kind::integer && b.kind == value_kind::integer) {
      switch (n.op) {
        case compare_op::less:
          holds = a.integer < b.integer;
          break;
        case compare_op::less_equal:
          holds = a.integer <= b.integer;
          break;
        case compare_op::greater:
          holds = a.integer > b.integer;
          break;
        case compare_op::greater_equal:
          holds = a.integer >= b.integer;
          break;
        case compare_op::equal:
          break;
      }
    }
    if (holds) out.push_back(env);
  }

  void eval(node_id id, std::size_t at, const row& env, std::vector<row>& out) {
    if (!spend()) return;
    const node& n = program_.nodes[id];
    switch (n.kind) {
      case node_kind::predicate:
        predicate_rows(program_.predicates[n.index], at, env, out);
        return;
      case node_kind::timepoint: {
        value now = value::of_int(static_cast<std::int64_t>(events_.at(at).position));
        if (env.is_bound(n.var)) {
          if (value_equal(env.values[n.var], now)) out.push_back(env);
          return;
        }
        row r = env;
        r.bind(n.var, now);
        out.push_back(std::move(r));
        return;
      }
      case node_kind::comparison:
        comparison_rows(n, at, env, out);
        return;
      case node_kind::conjunction: {
        std::vector<row> left;
        eval(n.a, at, env, left);
        for (const row& r : left) {
          if (exhausted_) return;
          eval(n.b, at, r, out);
        }
        return;
      }
      case node_kind::negation: {
        std::vector<row> inner;
        eval(n.a, at, env, inner);
        if (inner.empty() && !exhausted_) out.push_back(env);
        return;
      }
      case node_kind::exists: {
        row inner_env = env;
        inner_env.unbind(n.var);
        std::size_t from = out.size();
        eval(n.a, at, inner_env, out);
        for (std::size_t i = from; i < out.size(); ++i) {
          if (env.is_bound(n.var)) {
            out[i].bind(n.var, env.values[n.var]);
          } else {
            out[i].unbind(n.var);
          }
        }
        deduplicate(out, from);
        return;
      }
      case node_kind::formerly: {
        std::size_t from = out.size();
        for (std::size_t j = at + 1; j-- > 0;) {
          if (!within(at, j, n.window_ms) || !spend()) break;
          eval(n.a, j, env, out);
        }
        deduplicate(out, from);
        return;
      }
      case node_kind::previous:
        if (at == 0 || !within(at, at - 1, n.window_ms)) return;
        eval(n.a, at - 1, env, out);
        return;
      case node_kind::since: {
        std::size_t from = out.size();
        for (std::size_t j = at + 1; j-- > 0;) {
          if (!within(at, j, n.window_ms) || !spend()) break;
          std::vector<row> anchors;
          eval(n.b, j, env, anchors);
          for (row& r : anchors) {
            bool held = true;
            for (std::size_t k = j + 1; k <= at && held; ++k) {
              std::vector<row> step;
              eval(n.a, k, r, step);
              held = !step.empty();
            }
            if (exhausted_) return;
            if (held) out.push_back(std::move(r));
          }
        }
        deduplicate(out, from);
        return;
      }
    }
  }

  const temporal_program& program_;
  const timeline& events_;
  decision_inputs inputs_;
  std::uint64_t budget_;
  bool exhausted_ = false;
  arena scratch_{1024};
};

}  // namespace

const value* walk_path(const value& start, const std::vector<symbol>& path) noexcept {
  const value* at = &start;
  for (symbol segment : path) {
    if (at->kind != value_kind::record) return nullptr;
    at = record_find(*at->record, segment);
    if (at == nullptr) return nullptr;
  }
  return at;
}

bool resolve_request_term(const term& t, const decision_inputs& inputs, value& out) {
  switch (t.kind) {
    case term_kind::constant:
      out = t.constant;
      return true;
    case term_kind::context_path: {
      if (inputs.request == nullptr) return false;
      const value* v = walk_path(inputs.request->context, t.path);
      if (v == nullptr) return false;
      out = *v;
      return true;
    }
    case term_kind::principal:
    case term_kind::resource: {
      if (inputs.request == nullptr) return false;
      const entity_uid uid =
          t.kind == term_kind::principal ? inputs.request->principal : inputs.request->resource;
      if (t.path.empty()) {
        out = value::of_entity(uid);
        return true;
      }
      if (inputs.entities == nullptr) return false;
      const entity_record* rec = inputs.entities->find(uid);
      if (rec == nullptr) return false;
      const value* v = walk_path(rec->attributes, t.path);
      if (v == nullptr) return false;
      out = *v;
      return true;
    }
    default:
      return false;
  }
}

leaf_result evaluate_leaf(const temporal_program& program, std::uint32_t leaf, const timeline& events,
                          const decision_inputs& inputs, std::uint64_t work_budget) {
  reference_evaluator evaluator(program, events, inputs, work_budget);
  return evaluator.run(leaf);
}

}  // namespace mandate::detail::temporal
