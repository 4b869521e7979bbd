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
};

class planner {
 public:
  planner(const temporal_program& program, plan& out) : program_(program), out_(out) {}

  void plan_leaf(std::uint32_t leaf_index) {
    const leaf& l = program_.leaves[leaf_index];
    const std::size_t predicates_before = out_.predicates.size();
    const std::size_t atoms_before = out_.atoms.size();
    uses_.assign(l.variables.size(), variable_use{});
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
    const aggregate* source = nullptr;
  };

  bool top(node_id id) {
    const node& n = program_.nodes[id];
    switch (n.kind) {
      case node_kind::conjunction:
        return top(n.a) && top(n.b);
      case node_kind::negation:
        return top(n.a);
      case node_kind::exists:
        return top(n.a);
      case node_kind::comparison:
        return top_term(n.left) && top_term(n.right);
      case node_kind::predicate:
        return past_atom(id, plan::atom_kind::now, id);
      case node_kind::formerly:
        return past_atom(id, plan::atom_kind::once, n.a);
      case node_kind::previous:
        return past_atom(id, plan::atom_kind::previous, n.a);
      case node_kind::since:
        return since_atom(id);
      case node_kind::timepoint:
        return false;
    }
    return false;
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

  std::uint32_t new_atom(plan::atom a) {
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
    std::vector<node_id> conjuncts;
    flatten(n.a, conjuncts);
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
      a.holding.push_back(l);
    }
    out_.node_atom[id] = new_atom(std::move(a));
    touched_nodes_.push_back(id);
    return true;
  }

  bool aggregate_atom(std::uint32_t index) {
    const aggregate& agg = program_.aggregates[index];
    const node& body_node = program_.nodes[agg.body];
    if (body_node.kind != node_kind::formerly) return false;
    std::uint32_t pending = 0;
    if (!body(body_node.a, pending)) return false;
    plan::atom a;
    a.kind = plan::atom_kind::aggregate;
    a.window_ms = body_node.window_ms;
    a.predicate = pending_[pending].index;
    a.guards = pending_[pending].guards;
    a.nested = pending_[pending].nested;
    a.overrides = pending_[pending].overrides;
    a.is_sum = agg.is_sum;
    const std::uint32_t atom = new_atom(std::move(a));
    out_.aggregate_atom[index] = atom;
    touched_aggregates_.push_back(index);
    aggregate_checks_.push_back({atom, pending, &agg});
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
      } else if (c.kind == node_kind::comparison) {
        for (term_id side : {c.left, c.right}) {
          const term& t = program_.terms[side];
          if (t.kind == term_kind::variable) {
            uses_[t.var].add(pending_[pending].index);
          } else if (t.kind != term_kind::constant) {
            return false;
          }
        }
        pending_[pending].filters.push_back({c.op, c.left, c.right});
      } else if (nestable(conjuncts[i])) {
        if (!plan_nested(conjuncts[i], pending)) return false;
      } else if (c.kind == node_kind::timepoint) {
        if (pending_[pending].timepoint_var != plan::none) return false;
        pending_[pending].timepoint_var = c.var;
        uses_[c.var].add(pending_[pending].index);
      } else {
        return false;
      }
    }
    return true;
  }

  // `formerly`, `since` or their negation: a past operator that can sit inside another.
  bool nestable(node_id id) const {
    const node* n = &program_.nodes[id];
    while (n->kind == node_kind::negation) n = &program_.nodes[n->a];
    return n->kind == node_kind::formerly || n->kind == node_kind::since;
  }

  // A past operator inside the body of another, e.g. `formerly (P && formerly Q)`: it is
  // evaluated as each P event is folded in, so it may read the current request only through
  // values P's key fields carry (then the event supplies them), and no variables at all.
  bool plan_nested(node_id id, std::uint32_t pending) {
    const std::size_t predicates_before = out_.predicates.size();
    const std::size_t atoms_before = out_.atoms.size();
    std::vector<bool> top_before;
    top_before.reserve(uses_.size());
    for (const variable_use& use : uses_) top_before.push_back(use.top);
    if (!top(id)) return false;
    for (std::size_t v = 0; v < uses_.size(); ++v)
      if (uses_[v].top && !top_before[v]) return false;
    std::vector<term_id> reads;
    for (std::size_t a = atoms_before; a < out_.atoms.size(); ++a) {
      const plan::atom& inner = out_.atoms[a];
      if (inner.kind == plan::atom_kind::now || inner.kind == plan::atom_kind::previous) return false;
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
    pending_[pending].nested.push_back(id);
    return true;
  }

  bool watch(const node& n, std::uint32_t& pending) {
    const predicate& p = program_.predicates[n.index];
    plan::watched w;
    w.action = p.action;
    w.kind = p.kind;
    pending_predicate pp;
    pp.index = static_cast<std::uint32_t>(out_.predicates.size());
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
    out_.predicates.push_back(std::move(w));
    pending_.push_back(std::move(pp));
    pending = static_cast<std::uint32_t>(pending_.size() - 1);
    return true;
  }

  // Every use is known: decide which variables are keys (read from the top) and which are
  // local to one predicate, then number the locals.
  bool finish() {
    for (const variable_use& use : uses_)
      if (!use.top && use.predicates.size() > 1) return false;  // a join across events
    for (pending_predicate& pp : pending_) {
      plan::watched& w = out_.predicates[pp.index];
      std::vector<var_id> slots;  // local variables of this predicate, by slot
      auto slot_of = [&](var_id v) -> std::int32_t {
        auto it = std::find(slots.begin(), slots.end(), v);
        return it == slots.end() ? -1 : static_cast<std::int32_t>(it - slots.begin());
      };
      for (const pending_field& f : pp.variable_fields) {
        plan::field& field = w.fields[f.field];
        if (uses_[f.var].top) {
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
      locals_by_pending_.resize(pending_.size());
      locals_by_pending_[static_cast<std::size_t>(&pp - pending_.data())] = std::move(slots);
    }
    for (const aggregate_check& check : aggregate_checks_) {
      plan::atom& a = out_.atoms[check.atom];
      const pending_predicate& pp = pending_[check.pending];
      const std::vector<var_id>& slots = locals_by_pending_[check.pending];
      for (var_id v : check.source->domain) {
        if (v == pp.timepoint_var) {
          a.per_event = true;
          continue;
        }
        auto it = std::find(slots.begin(), slots.end(), v);
        if (it == slots.end()) return false;
        a.domain.push_back(static_cast<std::uint8_t>(it - slots.begin()));
      }
      if (a.is_sum) {
        auto it = std::find(slots.begin(), slots.end(), check.source->summand);
        if (it == slots.end()) return false;
        a.summand = static_cast<std::uint8_t>(it - slots.begin());
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

// The matches of one key within an aggregate's window, oldest first, with the running sum.
struct event_window {
  std::deque<std::pair<std::int64_t, std::int64_t>> entries;  // (time, summand or 0)
  std::uint64_t total = 0;                                    // modular, as the reference sums

  void expire(std::int64_t oldest) {
    while (!entries.empty() && entries.front().first < oldest) {
      total -= static_cast<std::uint64_t>(entries.front().second);
      entries.pop_front();
    }
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
  if (!(e.action == w.action) || e.kind != w.kind) return false;
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
      if (a.kind == monitor_plan::atom_kind::now || a.kind == monitor_plan::atom_kind::previous) continue;
      // An operator holding another waits until every inner operator has seen this event.
      if (literal < 0 && !a.nested.empty()) {
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
      const tri t = nested_value(inner, overrides);
      if (t == tri::unknown) poisoned_ = true;
      holds = t == tri::yes;
    }
    if (!holds) continue;
    key_scratch_.assign(outer_key_);
    locals_.assign(outer_locals_.begin(), outer_locals_.end());
    fold(atom_index, -1, e);
  }
  if (++observed_since_sweep_ >= sweep_interval_) sweep();
}

// Folds a match of atom `atom_index`'s predicate (or of its since conjunct `literal`) into the
// state; the key is in `key_scratch_`, the locals in `locals_`.
void monitor_state::fold(std::uint32_t atom_index, std::int32_t literal, const event& e) {
  const monitor_plan::atom& a = plan_->atoms[atom_index];
  atom_state& s = *atoms_[atom_index];
  const stamp here{e.time_ms, e.position};
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
      } else if (a.holding[static_cast<std::size_t>(literal)].negated) {
        s.literal_latest[static_cast<std::size_t>(literal)].insert_or_assign(key_scratch_, here);
      } else {
        auto [slot, fresh] = s.literal_runs[static_cast<std::size_t>(literal)].try_emplace(key_scratch_);
        match_run& run = slot->second;
        if (fresh || run.position + 1 != e.position) run.start = e.position;
        run.position = e.position;
        run.time_ms = e.time_ms;
      }
      break;
    case monitor_plan::atom_kind::aggregate: {
      const std::int64_t oldest = e.time_ms - a.window_ms;
      if (a.per_event) {
        event_window& w = s.per_event[key_scratch_];
        w.expire(oldest);
        const std::int64_t summand = a.is_sum ? summand_of(locals_[a.summand]) : 0;
        w.entries.emplace_back(e.time_ms, summand);
        w.total += static_cast<std::uint64_t>(summand);
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

void monitor_state::sweep() {
  observed_since_sweep_ = 0;
  std::size_t entries = 0;
  for (std::size_t i = 0; i < atoms_.size(); ++i) {
    const monitor_plan::atom& a = plan_->atoms[i];
    atom_state& s = *atoms_[i];
    const std::int64_t oldest = now_ms_ - a.window_ms;
    auto stale = [&](const auto& entry) { return entry.second.time_ms < oldest; };
    std::erase_if(s.latest, stale);
    for (auto& m : s.literal_latest) std::erase_if(m, stale);
    for (auto& m : s.literal_runs) std::erase_if(m, stale);
    expire_all(s.per_event, oldest);
    expire_all(s.distinct, oldest);
    entries += s.latest.size() + s.per_event.size() + s.distinct.size();
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
    for (const auto& [key, w] : s->per_event) total += w.entries.size() * sizeof(w.entries.front());
    total += map_bytes(s->distinct, sizeof(tuple_window));
    for (const auto& [key, w] : s->distinct) {
      for (const auto& entry : w.entries) total += sizeof(entry) + entry.second.capacity();
      total += map_bytes(w.tuples, sizeof(tuple_window::live));
    }
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// Answering a leaf at the decision point.

using tri = monitor_state::tri;

class monitor_state::query {
 public:
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

 private:
  // A term's value: constants and the request, bound variables, aggregates from their atoms.
  // `unknown` when a variable is unbound where the reference would bind it instead.
  enum class got : std::uint8_t { value, absent, unknown };

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
    if (atom_index == monitor_plan::none) return got::unknown;
    const monitor_plan::atom& a = plan_.atoms[atom_index];
    atom_state& s = *state_.atoms_[atom_index];
    std::uint64_t count = 0;
    std::uint64_t total = 0;
    const tri guarded = guards_hold(a);
    if (guarded == tri::unknown) return got::unknown;
    std::string& key = state_.key_scratch_;
    const got g = guarded == tri::yes ? request_key(plan_.predicates[a.predicate], key) : got::absent;
    if (g == got::unknown) return g;
    if (g == got::value) {
      const std::int64_t oldest = state_.now_ms_ - a.window_ms;
      if (a.per_event) {
        if (auto it = s.per_event.find(std::string_view(key)); it != s.per_event.end()) {
          it->second.expire(oldest);
          count = it->second.entries.size();
          total = it->second.total;
        }
      } else if (auto it = s.distinct.find(std::string_view(key)); it != s.distinct.end()) {
        it->second.expire(oldest);
        count = it->second.tuples.size();
        total = it->second.total;
      }
    }
    out = value::of_int(a.is_sum ? static_cast<std::int64_t>(total) : static_cast<std::int64_t>(count));
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
        result = compare(n);
        break;
      case node_kind::predicate:
      case node_kind::formerly:
      case node_kind::previous:
      case node_kind::since: {
        const std::uint32_t atom_index = plan_.node_atom[id];
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
};

monitor_state::tri monitor_state::nested_value(node_id node,
                                               const std::vector<std::pair<term_id, value>>& overrides) {
  static const pointer_timeline no_events;
  static const decision_inputs no_request;
  query q(*this, 0, no_events, no_request, &overrides);
  return q.run(node);
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
