// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Incremental monitors: the planner that recognises monitorable leaves, and the per-session
// state that events update and decisions read. The answers must be exactly the reference
// evaluator's (tests/monitor_test.cpp compares them on generated streams), so the top-level
// evaluation below follows evaluate.cpp's row semantics for the one-row case it handles.
#include "temporal/monitor.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>
#include <iterator>
#include <string_view>

#include "temporal/evaluate.hpp"

namespace mandate::detail::temporal {

// ---------------------------------------------------------------------------------------------
// Canonical encoding of values (keys of the indexes).

namespace {

void put_bytes(std::string& out, const void* data, std::size_t size) {
  out.append(static_cast<const char*>(data), size);
}

template <typename T>
void put(std::string& out, T x) {
  put_bytes(out, &x, sizeof x);
}

}  // namespace

void encode_value(const value& v, std::string& out) {
  out.push_back(static_cast<char>(v.kind));
  switch (v.kind) {
    case value_kind::boolean:
      out.push_back(v.boolean ? '\1' : '\0');
      return;
    case value_kind::integer:
    case value_kind::decimal:
    case value_kind::datetime:
    case value_kind::duration:
      put(out, v.integer);
      return;
    case value_kind::string:
      put(out, v.string);
      return;
    case value_kind::entity:
      put(out, v.entity.key());
      return;
    case value_kind::set:
      // Elements are sorted and distinct, so equal sets list equal elements in the same order.
      put(out, v.set->size);
      for (std::uint32_t i = 0; i < v.set->size; ++i) encode_value(v.set->items[i], out);
      return;
    case value_kind::record:
      put(out, v.record->size);
      for (std::uint32_t i = 0; i < v.record->size; ++i) {
        put(out, v.record->keys[i]);
        encode_value(v.record->values[i], out);
      }
      return;
    case value_kind::ip:
      out.push_back(v.ip->v6 ? '\1' : '\0');
      out.push_back(static_cast<char>(v.ip->prefix));
      put_bytes(out, v.ip->bytes, v.ip->v6 ? 16 : 4);
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// The planner.

namespace {

using plan = monitor_plan;

std::uint64_t event_route(const entity_uid& action, symbol kind) {
  return action.key() ^ (static_cast<std::uint64_t>(kind) * 0x9E3779B97F4A7C15ULL);
}

// Where a variable is used in one leaf: at the top (comparisons) and in which watched
// predicates (fields, filters, `tp`).
struct variable_use {
  bool top = false;
  std::vector<std::uint32_t> predicates;
  void add(std::uint32_t predicate) {
    if (std::find(predicates.begin(), predicates.end(), predicate) == predicates.end())
      predicates.push_back(predicate);
  }
};

// A watched predicate while its leaf is planned: the variable fields and filters are resolved
// to roles and slots once every use of every variable is known.
struct pending_field {
  std::uint32_t field = 0;  // index into watched::fields
  var_id var = 0;
};
struct pending_filter {
  compare_op op = compare_op::equal;
  term_id left = 0;
  term_id right = 0;
};
struct pending_predicate {
  std::uint32_t index = 0;  // into plan::predicates
  std::vector<node_id> guards;
  std::vector<node_id> nested;                         // past operators inside this body
  std::vector<std::pair<term_id, term_id>> overrides;  // (term read by `nested`, key term of this predicate)
  std::vector<pending_field> variable_fields;
  std::vector<pending_filter> filters;
  std::uint32_t timepoint_var = plan::none;
  std::int32_t parent = -1;            // the pending predicate whose body holds this one (nested)
  std::vector<std::uint32_t> weights;  // counting atoms in the body (see monitor_plan::atom)
  bool closed = false;                 // a later conjunct is not a predicate: no more merging
  bool positive = true;                // its bindings reach the top (no negation, aggregate, A of since)
};

class planner {
 public:
  planner(const temporal_program& program, plan& out) : program_(program), out_(out) {}

  void plan_leaf(std::uint32_t leaf_index) {
    const leaf& l = program_.leaves[leaf_index];
    const std::size_t predicates_before = out_.predicates.size();
    const std::size_t atoms_before = out_.atoms.size();
    uses_.assign(l.variables.size(), variable_use{});
    shared_.clear();
    as_of_.clear();
    in_previous_ = false;
    variables_ = static_cast<std::uint32_t>(l.variables.size());
    atoms_before_ = atoms_before;
    domain_.clear();
    parent_ = -1;
    positive_ = true;
    pending_.clear();
    touched_nodes_.clear();
    touched_aggregates_.clear();
    aggregate_checks_.clear();
    bool ok = l.variables.size() <= 64 && top(l.root) && finish();
    if (ok) {
      out_.monitored[leaf_index] = true;
      return;
    }
    for (node_id n : touched_nodes_) out_.node_atom[n] = plan::none;
    for (std::uint32_t a : touched_aggregates_) out_.aggregate_atom[a] = plan::none;
    out_.predicates.resize(predicates_before);
    out_.atoms.resize(atoms_before);
  }

 private:
  struct aggregate_check {
    std::uint32_t atom = 0;
    std::uint32_t pending = 0;
    std::vector<var_id> domain;  // the `for` binders this atom projects on
    var_id summand = 0;          // when the atom sums
  };

  bool top(node_id id) {
    const node& n = program_.nodes[id];
    switch (n.kind) {
      case node_kind::conjunction:
        return top(n.a) && top(n.b);
      case node_kind::negation: {
        const bool positive = std::exchange(positive_, false);
        const bool ok = top(n.a);
        positive_ = positive;
        return ok;
      }
      case node_kind::exists:
        return top(n.a);
      case node_kind::comparison:
        if (positive_ && push_filter(id)) return true;
        return top_term(n.left) && top_term(n.right);
      case node_kind::predicate:
        return past_atom(id, plan::atom_kind::now, id);
      case node_kind::formerly:
        return past_atom(id, plan::atom_kind::once, n.a);
      case node_kind::previous:
        if (!has_predicate(n.a)) return previous_formula(id);
        return past_atom(id, plan::atom_kind::previous, n.a);
      case node_kind::since:
        return since_atom(id);
      case node_kind::timepoint:
        return false;
    }
    return false;
  }

  bool has_predicate(node_id id) const {
    std::vector<node_id> conjuncts;
    flatten(id, conjuncts);
    return std::any_of(conjuncts.begin(), conjuncts.end(),
                       [&](node_id c) { return program_.nodes[c].kind == node_kind::predicate; });
  }

  // `previous within W C` where C has no event predicate of its own, e.g. `previous (exists n.
  // count ... == n && n == 0)`: C read at the event before, with the current request. Only
  // aggregates over their own timepoints can be read as of then: they keep W more of their
  // window (checked in finish()).
  bool previous_formula(node_id id) {
    if (parent_ >= 0 || !domain_.empty() || in_previous_) return false;  // read at decisions, one level
    const std::size_t atoms_before = out_.atoms.size();
    in_previous_ = true;
    const bool ok = top(program_.nodes[id].a);
    in_previous_ = false;
    if (!ok) return false;
    for (std::size_t a = atoms_before; a < out_.atoms.size(); ++a) {
      if (out_.atoms[a].kind != plan::atom_kind::aggregate) return false;
      as_of_.emplace_back(static_cast<std::uint32_t>(a), program_.nodes[id].window_ms);
    }
    out_.node_atom[id] = plan::as_of_previous;
    touched_nodes_.push_back(id);
    return true;
  }

  bool top_term(term_id id) {
    const term& t = program_.terms[id];
    switch (t.kind) {
      case term_kind::constant:
      case term_kind::context_path:
      case term_kind::principal:
      case term_kind::resource:
        return true;
      case term_kind::variable:
        uses_[t.var].top = true;
        return true;
      case term_kind::array:
        for (term_id e : t.elements)
          if (!top_term(e)) return false;
        return true;
      case term_kind::count:
      case term_kind::sum:
        return aggregate_atom(t.aggregate);
      case term_kind::wildcard:
        return false;
    }
    return false;
  }

  // A comparison at the top of variables that one predicate binds, whose bindings reach the
  // top, e.g. `a > 100` in `exists a. formerly (P && formerly Q{ amount: a }) && a > 100`: the
  // leaf holds when some match of Q has a > 100, so the comparison filters Q's matches instead
  // (the top never sees a). The predicate is planned already: it binds before the comparison.
  bool push_filter(node_id id) {
    const node& n = program_.nodes[id];
    std::int32_t binder = -1;
    for (term_id side : {n.left, n.right}) {
      const term& t = program_.terms[side];
      if (t.kind == term_kind::constant) continue;
      if (t.kind != term_kind::variable || uses_[t.var].top || uses_[t.var].predicates.size() != 1)
        return false;
      std::int32_t found = -1;
      for (std::size_t p = 0; p < pending_.size(); ++p)
        for (const pending_field& f : pending_[p].variable_fields)
          if (f.var == t.var && pending_[p].index == uses_[t.var].predicates[0])
            found = static_cast<std::int32_t>(p);
      if (found < 0 || !pending_[static_cast<std::size_t>(found)].positive ||
          (binder >= 0 && binder != found))
        return false;
      binder = found;
    }
    if (binder < 0) return false;
    pending_[static_cast<std::size_t>(binder)].filters.push_back({n.op, n.left, n.right});
    out_.node_atom[id] = plan::pushed;
    touched_nodes_.push_back(id);
    return true;
  }

  std::uint32_t new_atom(plan::atom a) {
    a.variables = variables_;
    out_.atoms.push_back(std::move(a));
    return static_cast<std::uint32_t>(out_.atoms.size() - 1);
  }

  bool past_atom(node_id id, plan::atom_kind kind, node_id body_node) {
    std::uint32_t pending = 0;
    if (!body(body_node, pending)) return false;
    plan::atom a;
    a.kind = kind;
    a.window_ms = program_.nodes[id].window_ms;
    a.predicate = pending_[pending].index;
    a.guards = pending_[pending].guards;
    a.nested = pending_[pending].nested;
    a.overrides = pending_[pending].overrides;
    // `previous` and a bare predicate are read at decision time, when the inner operator's
    // state has moved on: only operators folded in as events arrive may hold another.
    if (!a.nested.empty() && kind != plan::atom_kind::once) return false;
    if (!pending_[pending].weights.empty()) return false;
    out_.node_atom[id] = new_atom(std::move(a));
    touched_nodes_.push_back(id);
    return true;
  }

  bool since_atom(node_id id) {
    const node& n = program_.nodes[id];
    std::uint32_t anchor = 0;
    if (!body(n.b, anchor)) return false;
    plan::atom a;
    a.kind = plan::atom_kind::since;
    a.window_ms = n.window_ms;
    a.predicate = pending_[anchor].index;
    a.guards = pending_[anchor].guards;
    a.nested = pending_[anchor].nested;
    a.overrides = pending_[anchor].overrides;
    if (!pending_[anchor].weights.empty() || !holding(n.a, a.holding)) return false;
    out_.node_atom[id] = new_atom(std::move(a));
    touched_nodes_.push_back(id);
    return true;
  }

  // The conjuncts of `A` in `A since B`: predicates and negated predicates.
  bool holding(node_id id, std::vector<plan::since_literal>& out) {
    const bool positive = std::exchange(positive_, false);  // A's bindings are dropped
    const bool ok = holding_literals(id, out);
    positive_ = positive;
    return ok;
  }
  bool holding_literals(node_id id, std::vector<plan::since_literal>& out) {
    std::vector<node_id> conjuncts;
    flatten(id, conjuncts);
    for (node_id c : conjuncts) {
      const node& literal = program_.nodes[c];
      plan::since_literal l;
      node_id predicate_node = c;
      if (literal.kind == node_kind::negation) {
        l.negated = true;
        predicate_node = literal.a;
      }
      if (program_.nodes[predicate_node].kind != node_kind::predicate) return false;
      std::uint32_t pending = 0;
      if (!watch(program_.nodes[predicate_node], pending)) return false;
      l.predicate = pending_[pending].index;
      out.push_back(l);
    }
    return true;
  }

  bool aggregate_atom(std::uint32_t index) {
    const aggregate& agg = program_.aggregates[index];
    std::uint32_t atom = 0;
    // Operators nested in this body see this aggregate's binders, not an enclosing one's.
    std::vector<var_id> domain = agg.domain;
    std::swap(domain_, domain);
    const std::int32_t parent = std::exchange(parent_, -1);
    const var_id summand = std::exchange(aggregate_summand_, agg.is_sum ? agg.summand : plan::none);
    const bool positive = std::exchange(positive_, false);  // bindings do not leave an aggregate
    const bool ok = counting(agg.body, agg.is_sum, agg.summand, atom);
    aggregate_summand_ = summand;
    positive_ = positive;
    parent_ = parent;
    std::swap(domain_, domain);
    if (!ok) return false;
    out_.aggregate_atom[index] = atom;
    touched_aggregates_.push_back(index);
    return true;
  }

  // `count` / `sum` over the binders in `domain_` of `body_id`: `formerly`, `since`, or a body
  // without a past operator (read at the decision event). The binders are checked in finish().
  bool counting(node_id body_id, bool is_sum, var_id summand, std::uint32_t& atom) {
    const node& n = program_.nodes[body_id];
    plan::atom a;
    a.kind = plan::atom_kind::aggregate;
    a.is_sum = is_sum;
    std::uint32_t pending = 0;
    if (n.kind == node_kind::formerly) {
      if (!body(n.a, pending)) return false;
      a.window_ms = n.window_ms;
    } else if (n.kind == node_kind::since) {
      if (!body(n.b, pending)) return false;
      a.anchored = true;
      a.window_ms = n.window_ms;
      if (!holding(n.a, a.holding)) return false;
    } else if (n.kind == node_kind::previous) {
      if (!body(n.a, pending)) return false;
      a.at_previous = true;
      a.window_ms = n.window_ms;
    } else {
      if (!body(body_id, pending)) return false;
      a.current_only = true;
      if (!pending_[pending].nested.empty() || !pending_[pending].weights.empty()) return false;
    }
    a.predicate = pending_[pending].index;
    a.guards = pending_[pending].guards;
    a.nested = pending_[pending].nested;
    a.overrides = pending_[pending].overrides;
    atom = new_atom(std::move(a));
    aggregate_checks_.push_back({atom, pending, domain_, summand});
    return true;
  }

  static void flatten_into(const temporal_program& program, node_id id, std::vector<node_id>& out) {
    const node& n = program.nodes[id];
    if (n.kind == node_kind::conjunction) {
      flatten_into(program, n.a, out);
      flatten_into(program, n.b, out);
      return;
    }
    out.push_back(id);
  }
  void flatten(node_id id, std::vector<node_id>& out) const { flatten_into(program_, id, out); }

  // True for a term that reads only constants and the current request: the same at every
  // timepoint, so a comparison of two such terms is a guard checked once per decision.
  bool request_side(term_id id) const {
    const term& t = program_.terms[id];
    switch (t.kind) {
      case term_kind::constant:
      case term_kind::context_path:
      case term_kind::principal:
      case term_kind::resource:
        return true;
      case term_kind::array:
        return std::all_of(t.elements.begin(), t.elements.end(), [&](term_id e) { return request_side(e); });
      default:
        return false;
    }
  }

  // A past operator's operand: exactly one predicate; comparisons of its variables after it
  // (the reference binds them there first), request-side guards and at most one `tp` anywhere.
  bool body(node_id id, std::uint32_t& pending) {
    std::vector<node_id> conjuncts;
    flatten(id, conjuncts);
    std::vector<node_id> guards;
    std::size_t first = 0;
    for (; first < conjuncts.size(); ++first) {
      const node& c = program_.nodes[conjuncts[first]];
      if (c.kind == node_kind::predicate) break;
      if (c.kind != node_kind::comparison || !request_side(c.left) || !request_side(c.right)) return false;
      guards.push_back(conjuncts[first]);
    }
    if (first == conjuncts.size()) return false;
    if (!watch(program_.nodes[conjuncts[first]], pending)) return false;
    pending_[pending].guards = std::move(guards);
    for (std::size_t i = first + 1; i < conjuncts.size(); ++i) {
      const node& c = program_.nodes[conjuncts[i]];
      if (c.kind == node_kind::comparison && request_side(c.left) && request_side(c.right)) {
        pending_[pending].guards.push_back(conjuncts[i]);
      } else if (c.kind == node_kind::predicate) {
        // Another predicate at the same timepoint: both must match one event, so its fields
        // join the first's (binding in the same order). Only before anything that reads the
        // first's variables, which must see the second's bindings no earlier than the reference.
        if (pending_[pending].closed || !watch(c, pending, true)) return false;
      } else if (c.kind == node_kind::comparison) {
        pending_[pending].closed = true;
        for (term_id side : {c.left, c.right}) {
          const term& t = program_.terms[side];
          if (t.kind == term_kind::variable) {
            uses_[t.var].add(pending_[pending].index);
          } else if (t.kind != term_kind::constant) {
            return false;
          }
        }
        pending_[pending].filters.push_back({c.op, c.left, c.right});
      } else if (c.kind == node_kind::negation && program_.nodes[c.a].kind == node_kind::predicate &&
                 differs(program_.predicates[program_.nodes[c.a].index],
                         out_.predicates[pending_[pending].index])) {
        // `!Q` where the body's event cannot be a Q event: the reference finds no Q row
        // before reading any of Q's terms, so the conjunct always holds.
        continue;
      } else if (nestable(conjuncts[i])) {
        pending_[pending].closed = true;
        if (!plan_nested(conjuncts[i], pending)) return false;
      } else if (c.kind == node_kind::timepoint) {
        pending_[pending].closed = true;
        if (pending_[pending].timepoint_var != plan::none) return false;
        pending_[pending].timepoint_var = c.var;
        uses_[c.var].add(pending_[pending].index);
      } else {
        return false;
      }
    }
    return true;
  }

  static bool differs(const predicate& p, const plan::watched& w) {
    return !(p.action == w.action) || p.kind != w.kind;
  }

  // `formerly`, `since`, `exists` (over aggregates) or their negation: a condition on past
  // events that can sit inside a past operator.
  bool nestable(node_id id) const {
    const node* n = &program_.nodes[id];
    while (n->kind == node_kind::negation) n = &program_.nodes[n->a];
    return n->kind == node_kind::formerly || n->kind == node_kind::since || n->kind == node_kind::exists ||
           n->kind == node_kind::previous;
  }

  // The variables that predicates and `tp` inside `id` bind, i.e. those not already bound by
  // `outer`'s fields (which the nested operators read, see finish()).
  void bound_inside(node_id id, const pending_predicate& outer, std::vector<var_id>& out) const {
    const node& n = program_.nodes[id];
    auto add = [&](var_id v) {
      for (const pending_field& f : outer.variable_fields)
        if (f.var == v) return;
      if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    };
    switch (n.kind) {
      case node_kind::conjunction:
      case node_kind::since:
        bound_inside(n.a, outer, out);
        bound_inside(n.b, outer, out);
        return;
      case node_kind::negation:
        return;  // an anti-join binds nothing
      case node_kind::formerly:
      case node_kind::previous:
      case node_kind::exists:
        bound_inside(n.a, outer, out);
        return;
      case node_kind::timepoint:
        add(n.var);
        return;
      case node_kind::predicate:
        for (const field_pattern& f : program_.predicates[n.index].fields)
          if (program_.terms[f.pattern].kind == term_kind::variable) add(program_.terms[f.pattern].var);
        return;
      case node_kind::comparison:
        return;
    }
  }

  // Every variable that terms under `id` mention, aggregate bodies included.
  void variables_in(node_id id, std::vector<var_id>& out) const {
    const node& n = program_.nodes[id];
    switch (n.kind) {
      case node_kind::conjunction:
      case node_kind::since:
        variables_in(n.a, out);
        variables_in(n.b, out);
        return;
      case node_kind::negation:
      case node_kind::formerly:
      case node_kind::previous:
      case node_kind::exists:
        variables_in(n.a, out);
        return;
      case node_kind::timepoint:
        out.push_back(n.var);
        return;
      case node_kind::predicate:
        for (const field_pattern& f : program_.predicates[n.index].fields) term_variables(f.pattern, out);
        return;
      case node_kind::comparison:
        term_variables(n.left, out);
        term_variables(n.right, out);
        return;
    }
  }
  void term_variables(term_id id, std::vector<var_id>& out) const {
    const term& t = program_.terms[id];
    if (t.kind == term_kind::variable) out.push_back(t.var);
    for (term_id e : t.elements) term_variables(e, out);
    if (t.kind == term_kind::count || t.kind == term_kind::sum)
      variables_in(program_.aggregates[t.aggregate].body, out);
  }

  // The binders of `exists` inside `id`: local to it.
  void exists_inside(node_id id, std::vector<var_id>& out) const {
    const node& n = program_.nodes[id];
    switch (n.kind) {
      case node_kind::exists:
        out.push_back(n.var);
        exists_inside(n.a, out);
        return;
      case node_kind::conjunction:
      case node_kind::since:
        exists_inside(n.a, out);
        exists_inside(n.b, out);
        return;
      case node_kind::negation:
      case node_kind::formerly:
      case node_kind::previous:
        exists_inside(n.a, out);
        return;
      default:
        return;
    }
  }

  // A past operator inside the body of another, e.g. `formerly (P && formerly Q)`: it is
  // evaluated as each P event is folded in, so it may read the current request only through
  // values P's key fields carry (then the event supplies them), and no variables at all.
  //
  // Inside an aggregate, an operator that binds some of its `for` binders is a counting atom
  // instead (a "weight", e.g. the `formerly` binding t2 in `count for (t1, t2). where formerly
  // (P && tp(t1) && formerly (Q && tp(t2)))`): each P match then stands for as many tuples as
  // the inner operator has at that match. The inner operators may also read variables that
  // the outer predicate binds (carried, see finish()).
  bool plan_nested(node_id id, std::uint32_t pending) {
    const std::size_t predicates_before = out_.predicates.size();
    const std::size_t atoms_before = out_.atoms.size();
    std::vector<bool> top_before;
    top_before.reserve(uses_.size());
    for (const variable_use& use : uses_) top_before.push_back(use.top);
    std::vector<var_id> counted;
    if (!domain_.empty()) {
      bound_inside(id, pending_[pending], counted);
      std::erase_if(counted,
                    [&](var_id v) { return std::find(domain_.begin(), domain_.end(), v) == domain_.end(); });
    }
    const std::int32_t parent = std::exchange(parent_, static_cast<std::int32_t>(pending));
    bool ok = false;
    if (counted.empty()) {
      std::vector<var_id> domain;  // a filter: binders inside it are not counted
      std::swap(domain_, domain);
      ok = top(id);
      std::swap(domain_, domain);
    } else {
      const node& n = program_.nodes[id];
      std::uint32_t atom = 0;
      if (n.kind == node_kind::formerly || n.kind == node_kind::since || n.kind == node_kind::previous) {
        std::swap(domain_, counted);
        const auto summand = aggregate_summand_;
        const bool sums =
            summand != plan::none && std::find(domain_.begin(), domain_.end(), summand) != domain_.end();
        ok = counting(id, sums, sums ? summand : 0, atom);
        std::swap(domain_, counted);
      }
      if (ok) pending_[pending].weights.push_back(atom);
    }
    parent_ = parent;
    if (!ok) return false;
    std::vector<var_id> local;
    exists_inside(id, local);
    for (std::size_t v = 0; v < uses_.size(); ++v)
      if (uses_[v].top && !top_before[v] && std::find(local.begin(), local.end(), v) == local.end())
        return false;
    // Nor may it read what the top bound before it (e.g. `n > k` in a nested `exists`).
    std::vector<var_id> mentioned;
    variables_in(id, mentioned);
    for (var_id v : mentioned)
      if (v < top_before.size() && top_before[v]) return false;
    std::vector<term_id> reads;
    for (std::size_t a = atoms_before; a < out_.atoms.size(); ++a) {
      const plan::atom& inner = out_.atoms[a];
      if (inner.kind == plan::atom_kind::now || inner.kind == plan::atom_kind::previous || inner.current_only)
        return false;
      for (node_id guard : inner.guards) {
        reads.push_back(program_.nodes[guard].left);
        reads.push_back(program_.nodes[guard].right);
      }
    }
    for (std::size_t q = predicates_before; q < out_.predicates.size(); ++q)
      for (const plan::field& f : out_.predicates[q].fields)
        if (f.role == plan::field_role::key) reads.push_back(f.term);
    const plan::watched& outer = out_.predicates[pending_[pending].index];
    for (term_id read : reads) {
      const term& t = program_.terms[read];
      if (t.kind == term_kind::constant) continue;
      if (t.kind != term_kind::context_path && t.kind != term_kind::principal &&
          t.kind != term_kind::resource)
        return false;
      bool found = false;
      for (const plan::field& f : outer.fields) {
        if (f.role != plan::field_role::key) continue;
        const term& carrier = program_.terms[f.term];
        if (carrier.kind == t.kind && carrier.path == t.path) {
          pending_[pending].overrides.emplace_back(read, f.term);
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    if (counted.empty()) pending_[pending].nested.push_back(id);
    return true;
  }

  // Watches predicate `n`; with `merge`, adds its fields to pending predicate `pending` instead.
  bool watch(const node& n, std::uint32_t& pending, bool merge = false) {
    const predicate& p = program_.predicates[n.index];
    plan::watched w;
    w.action = p.action;
    w.kind = p.kind;
    pending_predicate pp;
    pp.index = static_cast<std::uint32_t>(out_.predicates.size());
    pp.parent = parent_;
    pp.positive = positive_;
    if (merge) {
      w = std::move(out_.predicates[pending_[pending].index]);
      pp = std::move(pending_[pending]);
      if (!(w.action == p.action) || w.kind != p.kind) w.impossible = true;
    }
    for (const field_pattern& f : p.fields) {
      plan::field field;
      field.path = f.path;
      const term& t = program_.terms[f.pattern];
      switch (t.kind) {
        case term_kind::wildcard:
          field.role = plan::field_role::wildcard;
          break;
        case term_kind::constant:
          field.role = plan::field_role::constant;
          field.constant = t.constant;
          break;
        case term_kind::context_path:
        case term_kind::principal:
        case term_kind::resource:
          field.role = plan::field_role::key;
          field.term = f.pattern;
          break;
        case term_kind::array:
          for (term_id e : t.elements) {
            const term& element = program_.terms[e];
            if (element.kind == term_kind::variable) {
              uses_[element.var].top = true;  // must come from the top: keys are request-side
            } else if (element.kind != term_kind::constant && element.kind != term_kind::context_path &&
                       element.kind != term_kind::principal && element.kind != term_kind::resource) {
              return false;
            }
          }
          field.role = plan::field_role::key;
          field.term = f.pattern;
          break;
        case term_kind::variable:
          field.term = f.pattern;
          pp.variable_fields.push_back({static_cast<std::uint32_t>(w.fields.size()), t.var});
          uses_[t.var].add(pp.index);
          break;
        case term_kind::count:
        case term_kind::sum:
          return false;
      }
      w.fields.push_back(std::move(field));
    }
    if (merge) {
      out_.predicates[pp.index] = std::move(w);
      pending_[pending] = std::move(pp);
      return true;
    }
    out_.predicates.push_back(std::move(w));
    pending_.push_back(std::move(pp));
    pending = static_cast<std::uint32_t>(pending_.size() - 1);
    return true;
  }

  // A timepoint binder that sibling counting atoms both bind with their own `tp` and count
  // alone, e.g. t in `formerly (P && formerly (Q && tp(t)) && formerly (R && tp(t)))`: the
  // outer (covering) atom meets their tuples.
  bool shared_timepoint(var_id v) {
    std::int32_t holder = -1;
    std::vector<std::uint32_t> atoms;
    for (std::uint32_t q : uses_[v].predicates) {
      const aggregate_check* found = nullptr;
      for (const aggregate_check& check : aggregate_checks_)
        if (out_.atoms[check.atom].predicate == q) found = &check;
      if (found == nullptr || found->domain != std::vector<var_id>{v} ||
          pending_[found->pending].timepoint_var != v || !pending_[found->pending].weights.empty())
        return false;
      for (std::size_t p = 0; p < pending_.size(); ++p) {
        const auto& w = pending_[p].weights;
        if (std::find(w.begin(), w.end(), found->atom) == w.end()) continue;
        if (holder >= 0 && holder != static_cast<std::int32_t>(p)) return false;
        holder = static_cast<std::int32_t>(p);
      }
      atoms.push_back(found->atom);
    }
    if (holder < 0) return false;
    shared_.push_back(atoms);
    return true;
  }

  // Every use is known: decide which variables are keys (read from the top, or carried from
  // the predicate whose body holds the one reading them) and which are local to one
  // predicate, then number the locals.
  bool finish() {
    // A variable in several predicates must be bound by one of them (a field of it) and read
    // only by predicates nested directly in its body: those are evaluated as it is folded in,
    // with its locals at hand. Anything else is a join across events.
    std::vector<std::int32_t> carrier(uses_.size(), -1);
    auto pending_of = [&](std::uint32_t predicate) -> std::int32_t {
      for (std::size_t i = 0; i < pending_.size(); ++i)
        if (pending_[i].index == predicate) return static_cast<std::int32_t>(i);
      return -1;
    };
    auto binds = [&](std::int32_t pending, var_id v) {
      for (const pending_field& f : pending_[static_cast<std::size_t>(pending)].variable_fields)
        if (f.var == v) return true;
      return false;
    };
    for (std::size_t v = 0; v < uses_.size(); ++v) {
      const variable_use& use = uses_[v];
      if (use.top) {
        // The top's value is unknown to operators evaluated as events arrive.
        for (std::uint32_t q : use.predicates) {
          const std::int32_t pp = pending_of(q);
          if (pp < 0 || pending_[static_cast<std::size_t>(pp)].parent >= 0) return false;
        }
        continue;
      }
      if (use.predicates.size() <= 1) continue;
      for (std::uint32_t q : use.predicates) {
        const std::int32_t b = pending_of(q);
        if (b < 0 || !binds(b, static_cast<var_id>(v))) continue;
        bool all = true;
        for (std::uint32_t other : use.predicates)
          if (other != q && pending_[static_cast<std::size_t>(pending_of(other))].parent != b) all = false;
        if (all) {
          carrier[v] = b;
          break;
        }
      }
      if (carrier[v] < 0 && !shared_timepoint(static_cast<var_id>(v))) return false;  // a join across events
    }
    for (pending_predicate& pp : pending_) {
      const auto self = static_cast<std::int32_t>(&pp - pending_.data());
      plan::watched& w = out_.predicates[pp.index];
      std::vector<var_id> slots;  // local variables of this predicate, by slot
      auto slot_of = [&](var_id v) -> std::int32_t {
        auto it = std::find(slots.begin(), slots.end(), v);
        return it == slots.end() ? -1 : static_cast<std::int32_t>(it - slots.begin());
      };
      for (const pending_field& f : pp.variable_fields) {
        plan::field& field = w.fields[f.field];
        if (uses_[f.var].top || (carrier[f.var] >= 0 && carrier[f.var] != self)) {
          field.role = plan::field_role::key;
          continue;
        }
        if (f.var == pp.timepoint_var) return false;
        field.role = plan::field_role::local;
        std::int32_t slot = slot_of(f.var);
        if (slot < 0) {
          slots.push_back(f.var);
          slot = static_cast<std::int32_t>(slots.size() - 1);
        }
        field.slot = static_cast<std::uint8_t>(slot);
      }
      if (slots.size() > 255) return false;
      w.locals = static_cast<std::uint8_t>(slots.size());
      for (const plan::field& field : w.fields)
        if (field.role == plan::field_role::key) w.key_terms.push_back(field.term);
      for (const pending_filter& f : pp.filters) {
        plan::filter filter;
        filter.op = f.op;
        for (int side = 0; side < 2; ++side) {
          const term& t = program_.terms[side == 0 ? f.left : f.right];
          plan::operand& operand = side == 0 ? filter.left : filter.right;
          if (t.kind == term_kind::constant) {
            operand.constant = t.constant;
            continue;
          }
          const std::int32_t slot = slot_of(t.var);
          if (slot < 0) return false;  // a key or the timepoint: not a per-event filter
          operand.is_local = true;
          operand.slot = static_cast<std::uint8_t>(slot);
        }
        w.filters.push_back(filter);
      }
      // The locals nested operators read go with the atom whose matches they are evaluated at.
      std::vector<std::pair<var_id, std::uint8_t>> carried;
      for (std::size_t v = 0; v < carrier.size(); ++v)
        if (carrier[v] == self)
          carried.emplace_back(static_cast<var_id>(v),
                               static_cast<std::uint8_t>(slot_of(static_cast<var_id>(v))));
      if (!carried.empty()) {
        bool found = false;
        for (std::size_t a = atoms_before_; a < out_.atoms.size(); ++a)
          if (out_.atoms[a].predicate == pp.index) {
            out_.atoms[a].carried = carried;
            found = true;
          }
        if (!found) return false;
      }
      locals_by_pending_.resize(pending_.size());
      locals_by_pending_[static_cast<std::size_t>(self)] = std::move(slots);
    }
    for (const aggregate_check& check : aggregate_checks_) {
      plan::atom& a = out_.atoms[check.atom];
      const pending_predicate& pp = pending_[check.pending];
      const std::vector<var_id>& slots = locals_by_pending_[check.pending];
      // The binder each weight (counting atom in the body) projects on.
      auto weight_of = [&](var_id v) -> std::int32_t {
        for (std::size_t k = 0; k < pp.weights.size(); ++k)
          for (const aggregate_check& inner : aggregate_checks_)
            if (inner.atom == pp.weights[k] &&
                std::find(inner.domain.begin(), inner.domain.end(), v) != inner.domain.end())
              return static_cast<std::int32_t>(k);
        return -1;
      };
      a.weights = pp.weights;
      for (var_id v : check.domain) {
        if (v == pp.timepoint_var) {
          a.per_event = true;
          continue;
        }
        auto it = std::find(slots.begin(), slots.end(), v);
        if (it != slots.end()) {
          a.domain.push_back(static_cast<std::uint8_t>(it - slots.begin()));
          continue;
        }
        if (weight_of(v) < 0) return false;
      }
      // Tuples of different matches must differ (each carries its timepoint) for the weights
      // of matches to add up; and an anchor's share of `since` is only kept per match.
      // (`previous` reads one match.)
      if (a.anchored && !a.per_event) return false;
      if (!a.weights.empty() && !a.per_event && !a.at_previous && !a.anchored) a.covering = true;
      if (a.is_sum) {
        auto it = std::find(slots.begin(), slots.end(), check.summand);
        if (it != slots.end()) {
          a.summand = static_cast<std::uint8_t>(it - slots.begin());
        } else {
          a.summand_weight = weight_of(check.summand);
          if (a.summand_weight < 0 ||
              !out_.atoms[a.weights[static_cast<std::size_t>(a.summand_weight)]].is_sum)
            return false;
        }
      }
    }
    // A covering atom's weights must list their tuples too. Outer atoms come after inner ones.
    for (std::size_t i = out_.atoms.size(); i-- > atoms_before_;) {
      plan::atom& a = out_.atoms[i];
      if (!a.covering) continue;
      if (a.is_sum || a.anchored || a.current_only) return false;
      for (std::uint32_t w : a.weights) out_.atoms[w].covering = true;
    }
    for (const auto& [index, window_ms] : as_of_) {
      plan::atom& a = out_.atoms[index];
      if (!a.per_event || !a.weights.empty() || !a.nested.empty() || a.covering || a.anchored ||
          a.at_previous || a.current_only)
        return false;
      a.retain_ms = std::max(a.retain_ms, window_ms);
    }
    for (std::size_t i = atoms_before_; i < out_.atoms.size(); ++i)
      out_.atoms[i].same_as.assign(out_.atoms[i].weights.size(), -1);
    for (const std::vector<std::uint32_t>& group : shared_) {
      for (std::size_t i = atoms_before_; i < out_.atoms.size(); ++i) {
        plan::atom& a = out_.atoms[i];
        std::int32_t first = -1;
        for (std::size_t k = 0; k < a.weights.size(); ++k) {
          if (std::find(group.begin(), group.end(), a.weights[k]) == group.end()) continue;
          if (!a.covering) return false;  // matches' weights would not just multiply
          if (first < 0) {
            first = static_cast<std::int32_t>(k);
          } else {
            a.same_as[k] = first;
          }
        }
      }
    }
    return true;
  }

  const temporal_program& program_;
  plan& out_;
  std::vector<variable_use> uses_;
  std::vector<pending_predicate> pending_;
  std::vector<std::vector<var_id>> locals_by_pending_;
  std::vector<node_id> touched_nodes_;
  std::vector<std::uint32_t> touched_aggregates_;
  std::vector<aggregate_check> aggregate_checks_;
  std::vector<std::vector<std::uint32_t>> shared_;             // counting atoms meeting on a shared timepoint
  std::vector<std::pair<std::uint32_t, std::int64_t>> as_of_;  // atoms read under `previous`, by how far
  bool in_previous_ = false;
  std::vector<var_id> domain_;  // the binders of the aggregate being planned (empty: none)
  var_id aggregate_summand_ = plan::none;
  std::int32_t parent_ = -1;  // the pending predicate whose body is being planned
  bool positive_ = true;      // outside negations, aggregates and A of since
  std::uint32_t variables_ = 0;
  std::size_t atoms_before_ = 0;
};

}  // namespace

std::shared_ptr<const monitor_plan> plan_monitors(const temporal_program& program) {
  auto out = std::make_shared<monitor_plan>();
  out->node_atom.assign(program.nodes.size(), monitor_plan::none);
  out->aggregate_atom.assign(program.aggregates.size(), monitor_plan::none);
  out->monitored.assign(program.leaves.size(), false);
  planner p(program, *out);
  for (std::uint32_t leaf = 0; leaf < program.leaves.size(); ++leaf) p.plan_leaf(leaf);
  out->monitored_count =
      static_cast<std::size_t>(std::count(out->monitored.begin(), out->monitored.end(), true));
  for (std::uint32_t i = 0; i < out->predicates.size(); ++i)
    out->by_event[event_route(out->predicates[i].action, out->predicates[i].kind)].push_back(i);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The state.

namespace {

struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

template <typename T>
using keyed = std::unordered_map<std::string, T, string_hash, std::equal_to<>>;

struct stamp {
  std::int64_t time_ms = 0;
  std::uint64_t position = 0;
};

// The latest run of consecutive events matching a positive conjunct of `A` for one key: every
// other event breaks `A` for that key, so the latest break is either the newest event or the
// one just before the run.
struct match_run {
  std::int64_t time_ms = 0;
  std::uint64_t position = 0;  // the run's last match
  std::uint64_t start = 0;     // the run's first match
};

// The matches of one key within an aggregate's window, oldest first. A match stands for
// `count` tuples summing to `sum` (1 and its summand, unless weighted by nested aggregates);
// each entry keeps the running totals before it, so any suffix of matches (the anchors after
// the latest break of `since`) is summed in constant time after a binary search.
struct weighted_match {
  std::int64_t time_ms = 0;
  std::uint64_t position = 0;
  std::uint64_t count_before = 0;
  std::uint64_t sum_before = 0;
};
struct event_window {
  std::deque<weighted_match> entries;
  std::uint64_t count = 0;  // running totals, modular (as the reference sums)
  std::uint64_t sum = 0;

  void add(std::int64_t time_ms, std::uint64_t position, std::uint64_t c, std::uint64_t s) {
    entries.push_back({time_ms, position, count, sum});
    count += c;
    sum += s;
  }
  void expire(std::int64_t oldest) {
    while (!entries.empty() && entries.front().time_ms < oldest) entries.pop_front();
  }
  // The totals of the entries no older than `oldest` and no later than `last` (a position).
  void totals_between(std::int64_t oldest, std::uint64_t last, std::uint64_t& c, std::uint64_t& s) const {
    auto lo = std::lower_bound(entries.begin(), entries.end(), oldest,
                               [](const weighted_match& m, std::int64_t t) { return m.time_ms < t; });
    auto hi = std::upper_bound(entries.begin(), entries.end(), last,
                               [](std::uint64_t p, const weighted_match& m) { return p < m.position; });
    if (lo >= hi) {
      c = 0;
      s = 0;
      return;
    }
    c = (hi == entries.end() ? count : hi->count_before) - lo->count_before;
    s = (hi == entries.end() ? sum : hi->sum_before) - lo->sum_before;
  }
  // The totals of the entries at `from` and after, by position.
  void totals_from(std::uint64_t from, std::uint64_t& c, std::uint64_t& s) const {
    auto it = std::lower_bound(entries.begin(), entries.end(), from,
                               [](const weighted_match& m, std::uint64_t p) { return m.position < p; });
    c = it == entries.end() ? 0 : count - it->count_before;
    s = it == entries.end() ? 0 : sum - it->sum_before;
  }
};

// The distinct `for` tuples of one key within an aggregate's window.
struct tuple_window {
  struct live {
    std::uint64_t matches = 0;
    std::int64_t summand = 0;
  };
  std::deque<std::pair<std::int64_t, std::string>> entries;  // (time, tuple)
  keyed<live> tuples;
  std::uint64_t total = 0;

  void expire(std::int64_t oldest) {
    while (!entries.empty() && entries.front().first < oldest) {
      auto it = tuples.find(entries.front().second);
      if (it != tuples.end() && --it->second.matches == 0) {
        total -= static_cast<std::uint64_t>(it->second.summand);
        tuples.erase(it);
      }
      entries.pop_front();
    }
  }
};

// The distinct tuples of a covering aggregate for one key, each with the time of the latest
// match standing for it (see monitor_plan::atom::covering). `entries` lists the coverings in
// time order, so expiry stops at the first one still in the window.
struct cover_set {
  keyed<std::int64_t> tuples;
  std::deque<std::pair<std::int64_t, std::string>> entries;

  void cover(const std::string& tuple, std::int64_t time_ms) {
    tuples.insert_or_assign(tuple, time_ms);
    entries.emplace_back(time_ms, tuple);
  }
  void expire(std::int64_t oldest) {
    while (!entries.empty() && entries.front().first < oldest) {
      auto it = tuples.find(entries.front().second);
      if (it != tuples.end() && it->second < oldest) tuples.erase(it);
      entries.pop_front();
    }
  }
};

// The tuples of the latest two matches of a covering `previous` for one key: a decision reads
// the one at the event before it.
struct previous_tuples {
  struct match {
    std::int64_t time_ms = 0;
    std::uint64_t position = 0;
    std::vector<std::string> tuples;
  };
  std::deque<match> entries;

  void expire(std::int64_t oldest) {
    while (!entries.empty() && entries.front().time_ms < oldest) entries.pop_front();
  }
};

// Expires every key's window and drops the keys left empty.
template <typename Windows>
void expire_all(Windows& windows, std::int64_t oldest) {
  for (auto it = windows.begin(); it != windows.end();) {
    it->second.expire(oldest);
    it = it->second.entries.empty() ? windows.erase(it) : std::next(it);
  }
}

std::int64_t summand_of(const value& v) { return v.kind == value_kind::integer ? v.integer : 0; }

bool compare_values(compare_op op, const value& a, const value& b) {
  if (op == compare_op::equal) return value_equal(a, b);
  if (a.kind != value_kind::integer || b.kind != value_kind::integer) return false;
  switch (op) {
    case compare_op::less:
      return a.integer < b.integer;
    case compare_op::less_equal:
      return a.integer <= b.integer;
    case compare_op::greater:
      return a.integer > b.integer;
    case compare_op::greater_equal:
      return a.integer >= b.integer;
    case compare_op::equal:
      break;
  }
  return false;
}

// Matches `e` against a watched predicate: the key (event side) goes to `key`, the locals to
// `locals`. The same test as the reference's predicate_rows.
bool match_event(const monitor_plan::watched& w, const event& e, std::string& key, std::vector<value>& locals,
                 std::vector<value>* key_values = nullptr) {
  if (!(e.action == w.action) || e.kind != w.kind || w.impossible) return false;
  key.clear();
  if (key_values != nullptr) key_values->clear();
  locals.resize(w.locals);
  std::uint64_t bound = 0;
  for (const monitor_plan::field& f : w.fields) {
    const value* actual = walk_path(e.fields, f.path);
    if (actual == nullptr) return false;
    switch (f.role) {
      case monitor_plan::field_role::constant:
        if (!value_equal(f.constant, *actual)) return false;
        break;
      case monitor_plan::field_role::wildcard:
        break;
      case monitor_plan::field_role::key:
        encode_value(*actual, key);
        if (key_values != nullptr) key_values->push_back(*actual);
        break;
      case monitor_plan::field_role::local: {
        const std::uint64_t bit = std::uint64_t{1} << (f.slot & 63U);
        if (f.slot < 64 && (bound & bit) != 0) {
          if (!value_equal(locals[f.slot], *actual)) return false;
        } else {
          locals[f.slot] = *actual;
          if (f.slot < 64) bound |= bit;
        }
        break;
      }
    }
  }
  for (const monitor_plan::filter& f : w.filters) {
    const value& a = f.left.is_local ? locals[f.left.slot] : f.left.constant;
    const value& b = f.right.is_local ? locals[f.right.slot] : f.right.constant;
    if (!compare_values(f.op, a, b)) return false;
  }
  return true;
}

}  // namespace

struct monitor_state::atom_state {
  keyed<stamp> latest;                         // once, and since's anchors
  std::vector<keyed<stamp>> literal_latest;    // since: `!P` conjuncts, the latest match per key
  std::vector<keyed<match_run>> literal_runs;  // since: positive conjuncts, the latest run of matches
  keyed<event_window> per_event;               // aggregates over timepoints
  keyed<tuple_window> distinct;                // aggregates over distinct tuples
  keyed<cover_set> covers;                     // covering aggregates
  keyed<previous_tuples> previous;             // covering aggregates over `previous`
};

monitor_state::monitor_state(const temporal_program& program, const monitor_plan& plan,
                             std::uint64_t plan_serial)
    : program_(&program), plan_(&plan), serial_(plan_serial) {
  atoms_.reserve(plan.atoms.size());
  for (const auto& a : plan.atoms) {
    auto s = std::make_unique<atom_state>();
    s->literal_latest.resize(a.holding.size());
    s->literal_runs.resize(a.holding.size());
    atoms_.push_back(std::move(s));
  }
  predicate_atom_.assign(plan.predicates.size(), {monitor_plan::none, -1});
  for (std::uint32_t i = 0; i < plan.atoms.size(); ++i) {
    const auto& a = plan.atoms[i];
    predicate_atom_[a.predicate] = {i, -1};
    for (std::size_t k = 0; k < a.holding.size(); ++k)
      predicate_atom_[a.holding[k].predicate] = {i, static_cast<std::int32_t>(k)};
  }
}

monitor_state::~monitor_state() = default;

void monitor_state::observe(const event& e) {
  now_ms_ = e.time_ms;
  next_position_ = e.position + 1;
  observed_any_ = true;
  deferred_.clear();
  if (auto route = plan_->by_event.find(event_route(e.action, e.kind)); route != plan_->by_event.end()) {
    for (std::uint32_t p : route->second) {
      const auto [atom_index, literal] = predicate_atom_[p];
      if (atom_index == monitor_plan::none) continue;
      const monitor_plan::atom& a = plan_->atoms[atom_index];
      // `previous` and a bare predicate read the events themselves at decision time.
      if (a.kind == monitor_plan::atom_kind::now || a.kind == monitor_plan::atom_kind::previous ||
          a.current_only)
        continue;
      // An operator holding another waits until every inner operator has seen this event.
      if (literal < 0 && (!a.nested.empty() || !a.weights.empty())) {
        deferred_.push_back(p);
        continue;
      }
      if (!match_event(plan_->predicates[p], e, key_scratch_, locals_)) continue;
      fold(atom_index, literal, e);
    }
  }
  // Inner operators were planned, and so numbered, before the operators holding them.
  std::sort(deferred_.begin(), deferred_.end(), [&](std::uint32_t x, std::uint32_t y) {
    return predicate_atom_[x].first < predicate_atom_[y].first;
  });
  for (std::uint32_t p : deferred_) {
    const std::uint32_t atom_index = predicate_atom_[p].first;
    if (!match_event(plan_->predicates[p], e, key_scratch_, locals_, &key_values_)) continue;
    const monitor_plan::atom& a = plan_->atoms[atom_index];
    // The inner operators at this event, reading the request-side values from the event.
    // The inner operators use the scratch buffers too: keep the outer match aside (in buffers
    // reused from event to event).
    outer_key_.assign(key_scratch_);
    outer_locals_.assign(locals_.begin(), locals_.end());
    std::vector<std::pair<term_id, value>>& overrides = overrides_;
    overrides.clear();
    const auto& key_terms = plan_->predicates[p].key_terms;
    for (const auto& [read, carrier] : a.overrides) {
      const auto at = std::find(key_terms.begin(), key_terms.end(), carrier);
      if (at == key_terms.end() || static_cast<std::size_t>(at - key_terms.begin()) >= key_values_.size()) {
        poisoned_ = true;
        break;
      }
      overrides.emplace_back(read, key_values_[static_cast<std::size_t>(at - key_terms.begin())]);
    }
    bool holds = !poisoned_;
    for (node_id inner : a.nested) {
      if (!holds) break;
      const tri t = nested_value(a, inner, overrides);
      if (t == tri::unknown) poisoned_ = true;
      holds = t == tri::yes;
    }
    if (!holds) continue;
    if (a.covering) {
      // The tuples this match stands for: its timepoint (when counted) with one tuple of
      // each weight, in every combination.
      parts_.resize(a.weights.size());
      bool some = true;
      for (std::size_t k = 0; k < a.weights.size() && some; ++k) {
        if (!nested_live(a, a.weights[k], overrides, parts_[k])) poisoned_ = true;
        some = !poisoned_ && !parts_[k].empty();
      }
      if (!some) continue;
      for (std::size_t k = 0; k < a.weights.size(); ++k) {
        const std::int32_t j = a.same_as[k];
        if (j < 0) continue;
        auto& into = parts_[static_cast<std::size_t>(j)];
        std::sort(into.begin(), into.end());
        std::sort(parts_[k].begin(), parts_[k].end());
        std::vector<std::string> both;
        std::set_intersection(into.begin(), into.end(), parts_[k].begin(), parts_[k].end(),
                              std::back_inserter(both));
        into.swap(both);
        parts_[k].assign(1, std::string());  // counted once, in weight j
        some = some && !into.empty();
      }
      if (!some) continue;
      tuples_.assign(1, std::string());
      own_tuple(a, e, outer_locals_, tuples_[0]);
      for (std::size_t k = 0; k < a.weights.size(); ++k) {
        std::vector<std::string> next;
        next.reserve(tuples_.size() * parts_[k].size());
        for (const std::string& prefix : tuples_)
          for (const std::string& part : parts_[k]) next.push_back(prefix + part);
        tuples_.swap(next);
      }
      fold_cover(atom_index, outer_key_, tuples_, e);
      continue;
    }
    // The tuples this match stands for: the product of each weight's distinct tuples, summed
    // over the summand wherever it is bound.
    std::uint64_t count = 1;
    std::uint64_t sum = 0;
    if (!a.weights.empty()) {
      sum = a.summand_weight < 0 && a.is_sum
                ? static_cast<std::uint64_t>(summand_of(outer_locals_[a.summand]))
                : 0;
      weights_.clear();
      for (std::uint32_t w : a.weights) {
        std::uint64_t c = 0;
        std::uint64_t t = 0;
        if (!nested_totals(a, w, overrides, c, t)) poisoned_ = true;
        weights_.emplace_back(c, t);
      }
      if (a.summand_weight >= 0) sum = 1;
      for (std::size_t k = 0; k < weights_.size(); ++k) {
        count *= weights_[k].first;
        sum *= static_cast<std::int32_t>(k) == a.summand_weight ? weights_[k].second : weights_[k].first;
      }
      if (poisoned_ || count == 0) continue;
    }
    key_scratch_.assign(outer_key_);
    locals_.assign(outer_locals_.begin(), outer_locals_.end());
    if (a.weights.empty()) {
      fold(atom_index, -1, e);
    } else {
      fold(atom_index, -1, e, count, &sum);
    }
  }
  if (++observed_since_sweep_ >= sweep_interval_) sweep();
}

// Folds a match of atom `atom_index`'s predicate (or of its since conjunct `literal`) into the
// state; the key is in `key_scratch_`, the locals in `locals_`.
void monitor_state::fold(std::uint32_t atom_index, std::int32_t literal, const event& e, std::uint64_t count,
                         const std::uint64_t* sum) {
  const monitor_plan::atom& a = plan_->atoms[atom_index];
  atom_state& s = *atoms_[atom_index];
  const stamp here{e.time_ms, e.position};
  if (a.kind == monitor_plan::atom_kind::aggregate && a.anchored && literal >= 0) {
    fold_literal(a, s, literal, e);
    return;
  }
  if (a.kind == monitor_plan::atom_kind::aggregate && a.covering) {
    // No weights (those are folded in observe()): the match stands for its timepoint alone.
    tuples_.assign(1, std::string());
    own_tuple(a, e, locals_, tuples_[0]);
    fold_cover(atom_index, key_scratch_, tuples_, e);
    return;
  }
  switch (a.kind) {
    case monitor_plan::atom_kind::now:
    case monitor_plan::atom_kind::previous:
      break;  // read from the events themselves
    case monitor_plan::atom_kind::once:
      s.latest.insert_or_assign(key_scratch_, here);
      break;
    case monitor_plan::atom_kind::since:
      if (literal < 0) {
        s.latest.insert_or_assign(key_scratch_, here);
      } else {
        fold_literal(a, s, literal, e);
      }
      break;
    case monitor_plan::atom_kind::aggregate: {
      const std::int64_t oldest = e.time_ms - a.window_ms - a.retain_ms;
      if (a.per_event || a.anchored || a.at_previous) {
        event_window& w = s.per_event[key_scratch_];
        w.expire(oldest);
        // `previous` reads the match at the event before the decision: keep the latest two.
        if (a.at_previous)
          while (w.entries.size() > 1) w.entries.pop_front();
        const std::uint64_t summand =
            sum != nullptr ? *sum
                           : (a.is_sum ? static_cast<std::uint64_t>(summand_of(locals_[a.summand])) : 0);
        w.add(e.time_ms, e.position, count, summand);
      } else {
        tuple_scratch_.clear();
        for (std::uint8_t slot : a.domain) encode_value(locals_[slot], tuple_scratch_);
        tuple_window& w = s.distinct[key_scratch_];
        w.expire(oldest);
        w.entries.emplace_back(e.time_ms, tuple_scratch_);
        auto& live = w.tuples[tuple_scratch_];
        if (live.matches++ == 0) {
          live.summand = a.is_sum ? summand_of(locals_[a.summand]) : 0;
          w.total += static_cast<std::uint64_t>(live.summand);
        }
      }
      break;
    }
  }
}

// A covering atom's share of a tuple that its match binds: the timepoint and the locals.
void monitor_state::own_tuple(const monitor_plan::atom& a, const event& e, const std::vector<value>& locals,
                              std::string& out) {
  if (a.per_event) encode_value(value::of_int(static_cast<std::int64_t>(e.position)), out);
  for (std::uint8_t slot : a.domain) encode_value(locals[slot], out);
}

void monitor_state::fold_cover(std::uint32_t atom_index, const std::string& key,
                               const std::vector<std::string>& tuples, const event& e) {
  const monitor_plan::atom& a = plan_->atoms[atom_index];
  if (a.at_previous) {
    previous_tuples& p = atoms_[atom_index]->previous[key];
    while (p.entries.size() > 1) p.entries.pop_front();
    p.entries.push_back({e.time_ms, e.position, tuples});
    return;
  }
  cover_set& c = atoms_[atom_index]->covers[key];
  c.expire(e.time_ms - a.window_ms);
  for (const std::string& t : tuples) c.cover(t, e.time_ms);
}

// A match of `since`'s conjunct `literal`: for `!P` the latest, for `P` the latest run.
void monitor_state::fold_literal(const monitor_plan::atom& a, atom_state& s, std::int32_t literal,
                                 const event& e) {
  const stamp here{e.time_ms, e.position};
  if (a.holding[static_cast<std::size_t>(literal)].negated) {
    s.literal_latest[static_cast<std::size_t>(literal)].insert_or_assign(key_scratch_, here);
    return;
  }
  auto [slot, fresh] = s.literal_runs[static_cast<std::size_t>(literal)].try_emplace(key_scratch_);
  match_run& run = slot->second;
  if (fresh || run.position + 1 != e.position) run.start = e.position;
  run.position = e.position;
  run.time_ms = e.time_ms;
}

void monitor_state::sweep() {
  observed_since_sweep_ = 0;
  std::size_t entries = 0;
  for (std::size_t i = 0; i < atoms_.size(); ++i) {
    const monitor_plan::atom& a = plan_->atoms[i];
    atom_state& s = *atoms_[i];
    const std::int64_t oldest = now_ms_ - a.window_ms - a.retain_ms;
    auto stale = [&](const auto& entry) { return entry.second.time_ms < oldest; };
    std::erase_if(s.latest, stale);
    for (auto& m : s.literal_latest) std::erase_if(m, stale);
    for (auto& m : s.literal_runs) std::erase_if(m, stale);
    expire_all(s.per_event, oldest);
    expire_all(s.distinct, oldest);
    expire_all(s.covers, oldest);
    expire_all(s.previous, oldest);
    entries += s.latest.size() + s.per_event.size() + s.distinct.size() + s.covers.size() + s.previous.size();
    for (const auto& m : s.literal_latest) entries += m.size();
    for (const auto& m : s.literal_runs) entries += m.size();
  }
  // Sweep again after as many events as there are entries: amortized constant per event.
  sweep_interval_ = std::max<std::size_t>(256, entries);
}

std::size_t monitor_state::bytes() const noexcept {
  // Approximate: node, key and bucket sizes of the hash maps, and the window entries.
  constexpr std::size_t node_overhead = 48;
  std::size_t total = sizeof(*this);
  auto map_bytes = [&](const auto& m, std::size_t value_size) {
    std::size_t b = m.bucket_count() * sizeof(void*);
    for (const auto& [key, v] : m) b += node_overhead + key.capacity() + value_size;
    return b;
  };
  for (const auto& s : atoms_) {
    total += sizeof(atom_state);
    total += map_bytes(s->latest, sizeof(stamp));
    for (const auto& m : s->literal_latest) total += map_bytes(m, sizeof(stamp));
    for (const auto& m : s->literal_runs) total += map_bytes(m, sizeof(match_run));
    total += map_bytes(s->per_event, sizeof(event_window));
    for (const auto& [key, w] : s->per_event) total += w.entries.size() * sizeof(weighted_match);
    total += map_bytes(s->distinct, sizeof(tuple_window));
    for (const auto& [key, w] : s->distinct) {
      for (const auto& entry : w.entries) total += sizeof(entry) + entry.second.capacity();
      total += map_bytes(w.tuples, sizeof(tuple_window::live));
    }
    total += map_bytes(s->previous, sizeof(previous_tuples));
    for (const auto& [key, p] : s->previous)
      for (const auto& m : p.entries) {
        total += sizeof(m);
        for (const auto& t : m.tuples) total += sizeof(t) + t.capacity();
      }
    total += map_bytes(s->covers, sizeof(cover_set));
    for (const auto& [key, c] : s->covers) {
      for (const auto& entry : c.entries) total += sizeof(entry) + entry.second.capacity();
      total += map_bytes(c.tuples, sizeof(std::int64_t));
    }
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// Answering a leaf at the decision point.

using tri = monitor_state::tri;

class monitor_state::query {
 public:
  // `unknown` when a variable is unbound where the reference would bind it instead.
  enum class got : std::uint8_t { value, absent, unknown };

  query(monitor_state& state, std::size_t variables, const timeline& events, const decision_inputs& inputs,
        const std::vector<std::pair<term_id, value>>* overrides = nullptr)
      : state_(state),
        program_(*state.program_),
        plan_(*state.plan_),
        events_(events),
        inputs_(inputs),
        overrides_(overrides) {
    state_.env_.assign(variables, value{});
    bound_ = 0;
  }

  tri run(node_id root) { return eval(root); }

  // The live tuples of covering atom `atom_index` (see monitor_plan::atom::covering).
  got live(std::uint32_t atom_index, std::vector<std::string>& out) {
    out.clear();
    const monitor_plan::atom& a = plan_.atoms[atom_index];
    atom_state& s = *state_.atoms_[atom_index];
    const tri guarded = guards_hold(a);
    if (guarded == tri::unknown) return got::unknown;
    if (guarded == tri::no) return got::value;
    std::string& key = state_.key_scratch_;
    const got g = request_key(plan_.predicates[a.predicate], key);
    if (g == got::unknown) return g;
    if (g == got::absent) return got::value;
    if (a.at_previous) {
      if (const auto* tuples = previous_match(a, s, key)) out = *tuples;
      return got::value;
    }
    if (auto it = s.covers.find(std::string_view(key)); it != s.covers.end()) {
      it->second.expire(state_.now_ms_ - a.window_ms);
      for (const auto& [tuple, time] : it->second.tuples) out.push_back(tuple);
    }
    return got::value;
  }

  // The tuples of a covering `previous`'s match at the event before the newest, if any.
  const std::vector<std::string>* previous_match(const monitor_plan::atom& a, atom_state& s,
                                                 const std::string& key) {
    auto it = s.previous.find(std::string_view(key));
    const std::uint64_t newest = state_.next_position_ - 1;
    if (it == s.previous.end() || newest == 0) return nullptr;
    for (const auto& m : it->second.entries)
      if (m.position == newest - 1 && state_.now_ms_ - m.time_ms <= a.window_ms) return &m.tuples;
    return nullptr;
  }

  // Binds a variable before running (the locals an outer match carries to nested operators).
  void bind(var_id v, const value& x) {
    if (v >= state_.env_.size() || v >= 64) return;
    state_.env_[v] = x;
    bound_ |= std::uint64_t{1} << v;
  }

  // The distinct tuples of counting atom `atom_index` now, and their sum.
  got totals(std::uint32_t atom_index, std::uint64_t& count, std::uint64_t& total) {
    count = 0;
    total = 0;
    if (atom_index == monitor_plan::none) return got::unknown;
    const monitor_plan::atom& a = plan_.atoms[atom_index];
    atom_state& s = *state_.atoms_[atom_index];
    const tri guarded = guards_hold(a);
    if (guarded == tri::unknown) return got::unknown;
    if (guarded == tri::no) return got::value;
    std::string& key = state_.key_scratch_;
    const monitor_plan::watched& w = plan_.predicates[a.predicate];
    const got g = request_key(w, key);
    if (g == got::unknown) return g;
    if (g == got::absent) return got::value;
    const std::int64_t oldest = state_.now_ms_ - a.window_ms;
    if (as_of_ && (!a.per_event || a.covering || a.anchored || a.at_previous || a.current_only))
      return got::unknown;  // not kept as of an earlier event (the planner does not ask)
    if (a.current_only) {
      // The body at the decision event: one row at most, so one tuple.
      const std::size_t n = events_.size();
      if (n == 0) return got::unknown;
      std::string& event_key = state_.tuple_scratch_;
      if (!match_event(w, events_.at(n - 1), event_key, state_.locals_) || event_key != key)
        return got::value;
      count = 1;
      total = a.is_sum ? static_cast<std::uint64_t>(summand_of(state_.locals_[a.summand])) : 0;
      return got::value;
    }
    if (a.covering && a.at_previous) {
      if (const auto* tuples = previous_match(a, s, key)) count = tuples->size();
      return got::value;
    }
    if (a.covering) {
      if (auto it = s.covers.find(std::string_view(key)); it != s.covers.end()) {
        it->second.expire(oldest);
        count = it->second.tuples.size();
      }
      return got::value;
    }
    if (a.at_previous) {
      auto it = s.per_event.find(std::string_view(key));
      const std::uint64_t newest = state_.next_position_ - 1;
      if (it == s.per_event.end() || newest == 0) return got::value;
      const event_window& matches = it->second;
      for (std::size_t i = 0; i < matches.entries.size(); ++i) {
        const weighted_match& m = matches.entries[i];
        if (m.position != newest - 1 || state_.now_ms_ - m.time_ms > a.window_ms) continue;
        const bool last = i + 1 == matches.entries.size();
        count = (last ? matches.count : matches.entries[i + 1].count_before) - m.count_before;
        total = (last ? matches.sum : matches.entries[i + 1].sum_before) - m.sum_before;
      }
      return got::value;
    }
    if (a.anchored) {
      auto it = s.per_event.find(std::string_view(key));
      if (it == s.per_event.end()) return got::value;
      event_window& windows = it->second;
      windows.expire(oldest);
      std::uint64_t from = 0;
      const got b = first_anchor(a, s, from);
      if (b != got::value) return b;
      windows.totals_from(from, count, total);
      return got::value;
    }
    if (a.per_event) {
      // As of the decision, or of the event before under `previous` (see as_of_previous).
      const std::int64_t at_ms = as_of_ ? as_of_time_ms_ : state_.now_ms_;
      const std::uint64_t last = as_of_ ? as_of_position_ : ~std::uint64_t{0};
      if (auto it = s.per_event.find(std::string_view(key)); it != s.per_event.end()) {
        it->second.expire(state_.now_ms_ - a.window_ms - a.retain_ms);
        it->second.totals_between(at_ms - a.window_ms, last, count, total);
      }
    } else if (auto it = s.distinct.find(std::string_view(key)); it != s.distinct.end()) {
      it->second.expire(oldest);
      count = it->second.tuples.size();
      total = it->second.total;
    }
    return got::value;
  }

 private:
  // A term's value: constants and the request, bound variables, aggregates from their atoms.

  [[nodiscard]] bool is_bound(var_id v) const noexcept { return ((bound_ >> v) & 1U) != 0; }

  got resolve(term_id id, value& out) {
    const term& t = program_.terms[id];
    switch (t.kind) {
      case term_kind::constant:
      case term_kind::context_path:
      case term_kind::principal:
      case term_kind::resource:
        if (overrides_ != nullptr && t.kind != term_kind::constant) {
          // Inside another operator: the value its event carries in the same field.
          for (const auto& [read, v] : *overrides_)
            if (read == id) {
              out = v;
              return got::value;
            }
          return got::unknown;
        }
        return resolve_request_term(t, inputs_, out) ? got::value : got::absent;
      case term_kind::variable:
        if (!is_bound(t.var)) return got::absent;
        out = state_.env_[t.var];
        return got::value;
      case term_kind::wildcard:
        return got::absent;
      case term_kind::array: {
        std::vector<value> items;
        items.reserve(t.elements.size());
        for (term_id e : t.elements) {
          value v;
          const got g = resolve(e, v);
          if (g != got::value) return g;
          items.push_back(v);
        }
        out = make_set(state_.scratch_, items);
        return got::value;
      }
      case term_kind::count:
      case term_kind::sum:
        return aggregate_value(plan_.aggregate_atom[t.aggregate], out);
    }
    return got::absent;
  }

  // The request side of a watched predicate's key, in field order. A variable the top has not
  // bound would be bound by the predicate in the reference: this request needs it.
  got request_key(const monitor_plan::watched& w, std::string& key) {
    key.clear();
    for (term_id id : w.key_terms) {
      const term& t = program_.terms[id];
      if (t.kind == term_kind::variable && !is_bound(t.var)) return got::unknown;
      if (t.kind == term_kind::array)
        for (term_id e : t.elements)
          if (program_.terms[e].kind == term_kind::variable && !is_bound(program_.terms[e].var))
            return got::unknown;
      value v;
      const got g = resolve(id, v);
      if (g != got::value) return g;
      encode_value(v, key);
    }
    return got::value;
  }

  // The body's request-side comparisons: false means no timepoint can satisfy the body.
  tri guards_hold(const monitor_plan::atom& a) {
    for (node_id guard : a.guards) {
      const tri t = compare(program_.nodes[guard]);
      if (t != tri::yes) return t;
    }
    return tri::yes;
  }

  got aggregate_value(std::uint32_t atom_index, value& out) {
    std::uint64_t count = 0;
    std::uint64_t total = 0;
    const got g = totals(atom_index, count, total);
    if (g != got::value) return g;
    const bool is_sum = plan_.atoms[atom_index].is_sum;
    out = value::of_int(is_sum ? static_cast<std::int64_t>(total) : static_cast<std::int64_t>(count));
    return got::value;
  }

  // `A since B` over each anchor: the oldest anchor position from which every conjunct of A
  // has held at each later event up to the newest.
  got first_anchor(const monitor_plan::atom& a, atom_state& s, std::uint64_t& from) {
    const std::uint64_t newest = state_.next_position_ - 1;
    std::string& key = literal_key_;
    from = 0;
    for (std::size_t k = 0; k < a.holding.size(); ++k) {
      const got lg = request_key(plan_.predicates[a.holding[k].predicate], key);
      if (lg == got::unknown) return got::unknown;
      if (a.holding[k].negated) {
        if (lg == got::absent) continue;  // `P` cannot match: `!P` holds everywhere
        auto m = s.literal_latest[k].find(std::string_view(key));
        if (m != s.literal_latest[k].end()) from = std::max(from, m->second.position);
        continue;
      }
      if (lg == got::absent) {
        from = std::max(from, newest);
        continue;
      }
      auto run = s.literal_runs[k].find(std::string_view(key));
      if (run == s.literal_runs[k].end() || run->second.position != newest) {
        from = std::max(from, newest);
      } else {
        from = std::max(from, run->second.start == 0 ? 0 : run->second.start - 1);
      }
    }
    return got::value;
  }

  tri past(const monitor_plan::atom& a, atom_state& s) {
    if (const tri guarded = guards_hold(a); guarded != tri::yes) return guarded;
    std::string& key = state_.key_scratch_;
    const monitor_plan::watched& w = plan_.predicates[a.predicate];
    const got g = request_key(w, key);
    if (g == got::unknown) return tri::unknown;
    if (g == got::absent) return tri::no;
    switch (a.kind) {
      case monitor_plan::atom_kind::now:
      case monitor_plan::atom_kind::previous: {
        const std::size_t n = events_.size();
        const std::size_t offset = a.kind == monitor_plan::atom_kind::now ? 1 : 2;
        if (n < offset) return tri::no;
        const event& e = events_.at(n - offset);
        if (events_.at(n - 1).time_ms - e.time_ms > a.window_ms &&
            a.kind == monitor_plan::atom_kind::previous)
          return tri::no;
        std::string& event_key = state_.tuple_scratch_;
        if (!match_event(w, e, event_key, state_.locals_)) return tri::no;
        return event_key == key ? tri::yes : tri::no;
      }
      case monitor_plan::atom_kind::once: {
        auto it = s.latest.find(std::string_view(key));
        return it != s.latest.end() && state_.now_ms_ - it->second.time_ms <= a.window_ms ? tri::yes
                                                                                          : tri::no;
      }
      case monitor_plan::atom_kind::since: {
        auto anchor = s.latest.find(std::string_view(key));
        if (anchor == s.latest.end() || state_.now_ms_ - anchor->second.time_ms > a.window_ms) return tri::no;
        const stamp at = anchor->second;
        const std::uint64_t newest = state_.next_position_ - 1;
        for (std::size_t k = 0; k < a.holding.size(); ++k) {
          const got lg = request_key(plan_.predicates[a.holding[k].predicate], key);
          if (lg == got::unknown) return tri::unknown;
          if (!a.holding[k].negated) {
            // `P` must hold at every event after the anchor: the latest run of matches must
            // reach the newest event and start no later than just after the anchor.
            if (newest == at.position) continue;
            if (lg == got::absent) return tri::no;
            auto run = s.literal_runs[k].find(std::string_view(key));
            if (run == s.literal_runs[k].end() || run->second.position != newest ||
                run->second.start > at.position + 1)
              return tri::no;
            continue;
          }
          if (lg == got::absent) continue;  // the conjunct's predicate cannot match: `!P` holds
          auto m = s.literal_latest[k].find(std::string_view(key));
          if (m != s.literal_latest[k].end() && m->second.position > at.position) return tri::no;
        }
        return tri::yes;
      }
      case monitor_plan::atom_kind::aggregate:
        break;
    }
    return tri::unknown;
  }

  tri compare(const node& n) {
    const term& lt = program_.terms[n.left];
    const term& rt = program_.terms[n.right];
    if (n.op == compare_op::equal) {
      const bool left_free = lt.kind == term_kind::variable && !is_bound(lt.var);
      const bool right_free = rt.kind == term_kind::variable && !is_bound(rt.var);
      if (left_free != right_free) {
        value known;
        const got g = resolve(left_free ? n.right : n.left, known);
        if (g == got::unknown) return tri::unknown;
        if (g == got::absent) return tri::no;
        const var_id v = left_free ? lt.var : rt.var;
        state_.env_[v] = known;
        bound_ |= std::uint64_t{1} << v;
        return tri::yes;
      }
    }
    value a;
    value b;
    const got ga = resolve(n.left, a);
    if (ga == got::unknown) return tri::unknown;
    const got gb = resolve(n.right, b);
    if (gb == got::unknown) return tri::unknown;
    if (ga == got::absent || gb == got::absent) return tri::no;
    return compare_values(n.op, a, b) ? tri::yes : tri::no;
  }

  // One row at most flows through the top: a false branch leaves no bindings behind.
  tri eval(node_id id) {
    const node& n = program_.nodes[id];
    const std::uint64_t entry = bound_;
    tri result = tri::no;
    switch (n.kind) {
      case node_kind::conjunction:
        result = eval(n.a);
        if (result == tri::yes) result = eval(n.b);
        break;
      case node_kind::negation: {
        const tri inner = eval(n.a);
        bound_ = entry;
        return inner == tri::unknown ? tri::unknown : (inner == tri::yes ? tri::no : tri::yes);
      }
      case node_kind::exists: {
        const value saved = state_.env_[n.var];
        bound_ &= ~(std::uint64_t{1} << n.var);
        result = eval(n.a);
        const std::uint64_t bit = std::uint64_t{1} << n.var;
        bound_ = (bound_ & ~bit) | (entry & bit);
        state_.env_[n.var] = saved;
        if (result != tri::yes) bound_ = entry;
        return result;
      }
      case node_kind::comparison:
        if (plan_.node_atom[id] == monitor_plan::pushed) {
          result = tri::yes;  // checked as the predicate binding its variables matched
          break;
        }
        result = compare(n);
        break;
      case node_kind::predicate:
      case node_kind::formerly:
      case node_kind::previous:
      case node_kind::since: {
        const std::uint32_t atom_index = plan_.node_atom[id];
        if (atom_index == monitor_plan::as_of_previous) {
          const std::size_t n_events = events_.size();
          if (as_of_ || n_events < 2) return tri::no;  // nothing before: `previous` is false
          const event& before = events_.at(n_events - 2);
          if (events_.at(n_events - 1).time_ms - before.time_ms > n.window_ms) return tri::no;
          as_of_ = true;
          as_of_time_ms_ = before.time_ms;
          as_of_position_ = before.position;
          result = eval(n.a);
          as_of_ = false;
          break;
        }
        if (atom_index == monitor_plan::none) return tri::unknown;
        result = past(plan_.atoms[atom_index], *state_.atoms_[atom_index]);
        break;
      }
      case node_kind::timepoint:
        return tri::unknown;
    }
    if (result != tri::yes) bound_ = entry;
    return result;
  }

  monitor_state& state_;
  const temporal_program& program_;
  const monitor_plan& plan_;
  const timeline& events_;
  const decision_inputs& inputs_;
  const std::vector<std::pair<term_id, value>>* overrides_;
  std::uint64_t bound_ = 0;
  std::string literal_key_;
  bool as_of_ = false;  // aggregates read as of an earlier event
  std::int64_t as_of_time_ms_ = 0;
  std::uint64_t as_of_position_ = 0;
};

monitor_state::tri monitor_state::nested_value(const monitor_plan::atom& outer, node_id node,
                                               const std::vector<std::pair<term_id, value>>& overrides) {
  static const pointer_timeline no_events;
  static const decision_inputs no_request;
  query q(*this, outer.variables, no_events, no_request, &overrides);
  for (const auto& [v, slot] : outer.carried) q.bind(v, outer_locals_[slot]);
  return q.run(node);
}

bool monitor_state::nested_live(const monitor_plan::atom& outer, std::uint32_t atom,
                                const std::vector<std::pair<term_id, value>>& overrides,
                                std::vector<std::string>& tuples) {
  static const pointer_timeline no_events;
  static const decision_inputs no_request;
  query q(*this, outer.variables, no_events, no_request, &overrides);
  for (const auto& [v, slot] : outer.carried) q.bind(v, outer_locals_[slot]);
  return q.live(atom, tuples) == query::got::value;
}

bool monitor_state::nested_totals(const monitor_plan::atom& outer, std::uint32_t atom,
                                  const std::vector<std::pair<term_id, value>>& overrides,
                                  std::uint64_t& count, std::uint64_t& sum) {
  static const pointer_timeline no_events;
  static const decision_inputs no_request;
  query q(*this, outer.variables, no_events, no_request, &overrides);
  for (const auto& [v, slot] : outer.carried) q.bind(v, outer_locals_[slot]);
  return q.totals(atom, count, sum) == query::got::value;
}

monitor_state::answer monitor_state::evaluate(std::uint32_t leaf_index, const timeline& events,
                                              const decision_inputs& inputs) {
  if (leaf_index >= plan_->monitored.size() || !plan_->monitored[leaf_index]) return answer::unknown;
  // The decision point must be the last event folded in, or the state is not the one to read.
  if (events.size() == 0 || !observed_any_ || events.at(events.size() - 1).position + 1 != next_position_)
    return answer::unknown;
  if (poisoned_) return answer::unknown;
  const leaf& l = program_->leaves[leaf_index];
  scratch_.reset();
  query q(*this, l.variables.size(), events, inputs);
  const tri t = q.run(l.root);
  if (t == tri::unknown) {
    ++unanswered_;
    return answer::unknown;
  }
  ++answered_;
  return t == tri::yes ? answer::yes : answer::no;
}

}  // namespace mandate::detail::temporal
