// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Incremental monitors for temporal conditions (issue 5, part 4).
//
// The reference evaluator (evaluate.hpp) re-reads a leaf's window on every decision, so its
// cost grows with the session's history. A monitor instead folds each event into a small
// state when it arrives, and a decision only looks up that state with the current request's
// values. The unit is an event predicate whose fields are constants, wildcards, the current
// request's values (`context.input.id`, `principal`, ...) or variables local to it, under a
// past operator, possibly aggregated by `count` / `sum`, combined by `&&`, `!`, `exists` and
// comparisons at the top. Several predicates in one body are one predicate (an event must
// match them all; on different events the body never holds), and `!Q` in a body whose event
// cannot be a Q event always holds. The events a predicate matches are indexed by the values
// of the fields the request correlates with (the "key"); the state per key is what the
// operator needs:
//
//   formerly within W P        the time of the latest match
//   previous within W P        nothing: the event before the decision point is read directly
//   A since within W B         the latest B anchor per key; for each `!P` in A the latest match
//                              per key, for each positive P the latest run of matches per key
//   count/sum over formerly    the matches in the window per key (deque, expired as it slides),
//                              or the distinct tuples in the window with their multiplicity
//   count/sum over since       the anchors in the window per key with running totals: the
//                              anchors after the latest break of A are summed after a binary
//                              search
//   count/sum over previous    the latest two matches per key
//   count/sum over P alone     nothing: the decision event is read directly
//   previous within W C        (C without an event predicate of its own, e.g. `previous (exists
//                              n. count ... == n && n == 0)`) C's aggregates over their own
//                              timepoints keep W more of their window, and are read as of the
//                              event before (a binary search by time and position)
//
// Past operators nest: an operator inside another's body (`formerly (P && formerly Q)`) is
// evaluated as each P event is folded in, reading the request's values that P's key fields
// carry and the variables P binds (`formerly (P{ x: x } && formerly Q{ x: x })`: Q is then
// keyed by x too). Inside an aggregate, an inner operator that binds some of the `for`
// binders is a counting atom of its own, a "weight":
//
//   - when the outer predicate's own timepoint is a binder (`count for (t1, t2). where formerly
//     (P && tp(t1) && formerly (Q && tp(t2)))`), matches never share tuples, so each match
//     stands for the product of its weights' distinct tuples at that match (their sums for the
//     summand), kept in the outer window like any other match;
//   - otherwise (`count for (t). where formerly (P && formerly (Q && tp(t)))`) tuples must be
//     deduplicated across matches: the aggregate is "covering", every level lists its tuples,
//     and the state per key maps each tuple to the time of the latest match standing for it,
//     expired as the window slides. Sibling weights that bind the same timepoint meet in it.
//
// An aggregate inside a past operator (`formerly (P && exists n. count ... == n && n > 1)`) is
// read the same way as P is folded in. A comparison at the top of variables that one
// predicate binds, with nothing between but `&&`, `exists` and past operators (`exists a.
// formerly (P && formerly Q{ amount: a }) && a > 100`), filters that predicate's matches.
//
// Still left to the reference evaluator (the leaf is not monitored):
//   - joins across events other than a nested operator reading its outer predicate's
//     variables: two operators at the top, or siblings, sharing a variable that is not a
//     timepoint they both count; a variable bound inside a nested operator and read at the
//     top other than by a comparison with constants (`... && a == context.input.a`), since
//     the top only sees whether the operator holds, not its bindings;
//   - `!Q` inside a body whose event could be a Q event, reading a variable an inner operator
//     binds;
//   - a nested operator reading a request value its outer event does not carry, or a variable
//     the top bound;
//   - `previous` (not counted) inside another operator, `tp` at the top, and `previous` over
//     a condition without an event predicate that reads anything but aggregates over their
//     own timepoints (their windows as they were at the event before are not kept);
//   - `since` whose A is not a conjunction of (negated) predicates, and aggregates over `since`
//     that do not count its anchor's timepoint;
//   - covering aggregates that sum, or bind values other than timepoints and their own locals.
// A monitored leaf is also left to the reference for one request in the rare case that
// request makes a correlation unresolvable in a way that changes binding order.
//
// State is bounded by the windows and the distinct keys and tuples: entries older than their
// window are dropped as time moves. A decision reads per-key entries and never the history;
// folding an event into a covering aggregate costs as many tuples as its weights have live.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "temporal/event.hpp"
#include "temporal/formula.hpp"

namespace mandate::detail::temporal {

/// What the monitors of a policy set watch, derived once from its `temporal_program` at compile
/// time. It reads the program's terms (for the request-side values of keys and comparisons), so
/// it is only used together with the program it was built from.
struct monitor_plan {
  enum class field_role : std::uint8_t {
    constant,  // the event's value must equal `constant`
    wildcard,  // the path must exist
    key,       // the event's value is part of the key; the request side is `term`
    local,     // binds local slot `slot` (or must equal it when already bound)
  };
  struct field {
    std::vector<symbol> path;
    field_role role = field_role::constant;
    value constant;
    term_id term = 0;
    std::uint8_t slot = 0;
  };
  struct operand {
    bool is_local = false;
    std::uint8_t slot = 0;
    value constant;
  };
  /// A comparison between locals and constants, checked as an event is matched.
  struct filter {
    compare_op op = compare_op::equal;
    operand left;
    operand right;
  };
  /// An event predicate whose matches are indexed by key.
  struct watched {
    entity_uid action;
    symbol kind = 0;
    bool impossible = false;  // two predicates of one body on different events: never matches
    std::vector<field> fields;
    std::vector<filter> filters;
    std::vector<term_id> key_terms;  // request-side terms in key order
    std::uint8_t locals = 0;
  };
  enum class atom_kind : std::uint8_t { now, once, previous, since, aggregate };
  struct since_literal {
    std::uint32_t predicate = 0;
    bool negated = false;
  };
  struct atom {
    atom_kind kind = atom_kind::once;
    std::int64_t window_ms = 0;
    std::uint32_t predicate = 0;         // the body, or B of since
    std::vector<since_literal> holding;  // since: the conjuncts of A
    std::vector<node_id> guards;         // request-side comparisons of the body, checked per decision
    std::vector<node_id> nested;         // past operators inside the body, checked as each event is folded in
    std::vector<std::pair<term_id, term_id>>
        overrides;  // request-side term of `nested` -> key term carrying it
    // aggregate
    bool is_sum = false;
    bool per_event = false;            // the `for` binders include the body's timepoint
    std::vector<std::uint8_t> domain;  // locals projected on (when not per_event)
    std::uint8_t summand = 0;          // local summed
    bool current_only = false;         // no past operator: the body read at the decision event
    bool anchored = false;             // over `A since B`: B's matches, `holding` is A
    bool at_previous = false;          // over `previous`: the match at the event before
    // The tuples themselves, each with the time of the latest match that stands for it: when
    // matches share tuples (no timepoint of their own among the binders) they must be
    // deduplicated across matches. Only timepoint binders; the weights are covering too.
    bool covering = false;
    // Covering: weights that count the same timepoint binder (a join between siblings) meet
    // in its tuples; by weight, an earlier weight with the same binder, or -1.
    std::vector<std::int32_t> same_as;
    // Aggregates inside aggregates: operators in the body that bind other `for` binders. Each
    // match of the predicate then stands for the product of their distinct tuples.
    std::vector<std::uint32_t> weights;  // their (aggregate) atoms
    std::int32_t summand_weight = -1;    // the summand is bound by weights[summand_weight]
    // Locals of the predicate that operators nested in the body read (variable -> slot).
    std::vector<std::pair<var_id, std::uint8_t>> carried;
    std::uint32_t variables = 0;  // of the leaf, for evaluating nested operators
    std::int64_t retain_ms = 0;   // kept this much past the window: read as of an earlier event
  };
  static constexpr std::uint32_t none = 0xFFFFFFFFu;
  // In node_atom: a comparison at the top moved into the predicate binding its variables.
  static constexpr std::uint32_t pushed = 0xFFFFFFFEu;
  // In node_atom: `previous` over a condition without an event predicate (aggregates and
  // comparisons), evaluated from its aggregates' windows as they were at the event before.
  static constexpr std::uint32_t as_of_previous = 0xFFFFFFFDu;

  std::vector<watched> predicates;
  std::vector<atom> atoms;
  std::vector<std::uint32_t> node_atom;       // by node id: the atom a past operator became
  std::vector<std::uint32_t> aggregate_atom;  // by aggregate index
  std::vector<bool> monitored;                // by leaf
  /// Watched predicates by action and kind, for routing events.
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> by_event;

  std::size_t monitored_count = 0;

  [[nodiscard]] std::size_t monitored_leaves() const noexcept { return monitored_count; }
};

/// Builds the monitors of `program`; leaves it cannot monitor are marked so.
[[nodiscard]] std::shared_ptr<const monitor_plan> plan_monitors(const temporal_program& program);

/// One session's monitor state for one plan. Not thread-safe: a session's events are ordered
/// and its decisions serialized by the session.
class monitor_state {
 public:
  monitor_state(const temporal_program& program, const monitor_plan& plan, std::uint64_t plan_serial);
  ~monitor_state();
  monitor_state(const monitor_state&) = delete;
  monitor_state& operator=(const monitor_state&) = delete;

  /// Folds `e` into the state; events must come in stream order.
  void observe(const event& e);

  enum class answer : std::uint8_t { no, yes, unknown };
  /// Leaf `leaf` at the decision point, the last event observed (also `events.at(size-1)`;
  /// `events` is read only for `previous`). `unknown`: not monitored, or this request needs
  /// the reference evaluator.
  answer evaluate(std::uint32_t leaf, const timeline& events, const decision_inputs& inputs);

  [[nodiscard]] std::uint64_t serial() const noexcept { return serial_; }
  /// The position after the last event observed.
  [[nodiscard]] std::uint64_t next_position() const noexcept { return next_position_; }
  [[nodiscard]] bool observed_any() const noexcept { return observed_any_; }
  /// Bytes held by the state, for memory reports.
  [[nodiscard]] std::size_t bytes() const noexcept;
  /// Leaves answered from the state, and left to the reference evaluator for the request.
  [[nodiscard]] std::uint64_t answered() const noexcept { return answered_; }
  [[nodiscard]] std::uint64_t unanswered() const noexcept { return unanswered_; }

  struct atom_state;
  enum class tri : std::uint8_t { no, yes, unknown };

 private:
  class query;

  void fold(std::uint32_t atom_index, std::int32_t literal, const event& e, std::uint64_t count = 1,
            const std::uint64_t* sum = nullptr);
  void fold_literal(const monitor_plan::atom& a, atom_state& s, std::int32_t literal, const event& e);
  tri nested_value(const monitor_plan::atom& outer, node_id node,
                   const std::vector<std::pair<term_id, value>>& overrides);
  bool nested_live(const monitor_plan::atom& outer, std::uint32_t atom,
                   const std::vector<std::pair<term_id, value>>& overrides, std::vector<std::string>& tuples);
  static void own_tuple(const monitor_plan::atom& a, const event& e, const std::vector<value>& locals,
                        std::string& out);
  void fold_cover(std::uint32_t atom_index, const std::string& key, const std::vector<std::string>& tuples,
                  const event& e);
  bool nested_totals(const monitor_plan::atom& outer, std::uint32_t atom,
                     const std::vector<std::pair<term_id, value>>& overrides, std::uint64_t& count,
                     std::uint64_t& sum);

  // The program and plan belong to the policy set this state was built for. They are read only
  // while that set is deciding (the history checks `serial` first), never after it is gone.
  const temporal_program* program_;
  const monitor_plan* plan_;
  std::uint64_t serial_;
  std::uint64_t next_position_ = 0;
  bool observed_any_ = false;
  std::int64_t now_ms_ = 0;
  std::uint64_t observed_since_sweep_ = 0;
  std::size_t sweep_interval_ = 256;
  std::uint64_t answered_ = 0;
  std::uint64_t unanswered_ = 0;
  std::vector<std::unique_ptr<atom_state>> atoms_;
  std::vector<std::pair<std::uint32_t, std::int32_t>> predicate_atom_;  // (atom, since conjunct or -1)
  std::string key_scratch_;
  std::string tuple_scratch_;
  std::vector<value> locals_;
  std::vector<value> key_values_;
  std::vector<std::uint32_t> deferred_;
  std::string outer_key_;  // an outer match while its inner operators run
  std::vector<value> outer_locals_;
  std::vector<std::pair<term_id, value>> overrides_;  // request-side values the outer event carries
  std::vector<std::pair<std::uint64_t, std::uint64_t>> weights_;  // (count, sum) of each weight at a match
  std::vector<std::vector<std::string>> parts_;                   // covering: each weight's tuples at a match
  std::vector<std::string> tuples_;
  // An inner operator could not be answered while folding (never expected): from then on every
  // leaf is left to the reference evaluator rather than answered from a state that may be wrong.
  bool poisoned_ = false;
  std::vector<value> env_;
  arena scratch_{256};

  void sweep();
};

/// Appends a canonical, self-delimiting encoding of `v` to `out`: two values encode alike
/// exactly when `value_equal` holds (strings and entities by their interned ids, so encodings
/// are only meaningful within one process).
void encode_value(const value& v, std::string& out);

}  // namespace mandate::detail::temporal
