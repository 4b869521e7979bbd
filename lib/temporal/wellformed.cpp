// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Dogwood's acceptance checks (08-formal-specification.md section 5.4) on a lowered leaf. They
// make a temporal condition denote a finite relation that evaluation can compute left to right:
// every bound variable is range-restricted by a positive atom (a predicate field, `tp(x)`, or
// a binding equality), and a conjunct that only filters comes after the one that binds what it
// reads. Like Dogwood, the checks are conservative: when unsure, reject.
//
// Variables are numbered per leaf with one id per binder, so "the binder's own variable" is
// just its id and shadowing needs no bookkeeping here.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "parse/parser.hpp"
#include "temporal/parse.hpp"

namespace mandate::detail::temporal {
namespace {

/// A set of variables of one leaf.
class var_set {
 public:
  explicit var_set(std::size_t size) : bits_(size, false) {}
  void add(var_id v) {
    if (v < bits_.size()) bits_[v] = true;
  }
  void remove(var_id v) {
    if (v < bits_.size()) bits_[v] = false;
  }
  [[nodiscard]] bool has(var_id v) const { return v < bits_.size() && bits_[v]; }
  void merge(const var_set& other) {
    for (std::size_t i = 0; i < bits_.size() && i < other.bits_.size(); ++i)
      if (other.bits_[i]) bits_[i] = true;
  }
  [[nodiscard]] std::size_t size() const noexcept { return bits_.size(); }

 private:
  std::vector<bool> bits_;
};

enum class phase : std::uint8_t { aggregates, existentials, demands, timepoints };

class checker {
 public:
  checker(const policy_set_ast& ast, const temporal_program& program, const leaf& target,
          std::vector<diagnostic>& diagnostics)
      : ast_(ast), program_(program), leaf_(target), diagnostics_(diagnostics) {}

  // The phases run in order and the first that finds a problem ends the check, so one mistake
  // gives one message rather than a message from every rule it also breaks.
  bool run() {
    visit_node(leaf_.root, phase::aggregates);
    if (errors_ > 0) return false;
    visit_node(leaf_.root, phase::existentials);
    if (errors_ > 0) return false;
    var_set restricted(vars());
    demands(leaf_.root, restricted);
    if (errors_ > 0) return false;
    check_top_level_timepoints(leaf_.root);
    visit_node(leaf_.root, phase::timepoints);
    return errors_ == 0;
  }

 private:
  std::size_t vars() const noexcept { return leaf_.variables.size(); }
  const node& at(node_id id) const { return program_.nodes[id]; }
  std::string name(var_id v) const { return v < leaf_.variables.size() ? leaf_.variables[v].name : "?"; }

  void error(source_span span, std::string message) {
    ++errors_;
    diagnostics_.push_back(make_diagnostic(ast_, span, "temporal", std::move(message)));
  }

  // ---- free variables and range restriction ------------------------------------------------

  void free_in_term(term_id id, var_set& out) const {
    const term& t = program_.terms[id];
    switch (t.kind) {
      case term_kind::variable:
        out.add(t.var);
        return;
      case term_kind::array:
        for (term_id e : t.elements) free_in_term(e, out);
        return;
      case term_kind::count:
      case term_kind::sum: {
        const aggregate& agg = program_.aggregates[t.aggregate];
        var_set body(vars());
        free_in_node(agg.body, body);
        for (var_id v : agg.domain) body.remove(v);
        out.merge(body);
        return;
      }
      default:
        return;
    }
  }

  void free_in_node(node_id id, var_set& out) const {
    const node& n = at(id);
    switch (n.kind) {
      case node_kind::conjunction:
      case node_kind::since:
        free_in_node(n.a, out);
        free_in_node(n.b, out);
        return;
      case node_kind::negation:
      case node_kind::formerly:
      case node_kind::previous:
        free_in_node(n.a, out);
        return;
      case node_kind::exists: {
        var_set body(vars());
        free_in_node(n.a, body);
        body.remove(n.var);
        out.merge(body);
        return;
      }
      case node_kind::timepoint:
        out.add(n.var);
        return;
      case node_kind::comparison:
        free_in_term(n.left, out);
        free_in_term(n.right, out);
        return;
      case node_kind::predicate:
        for (const auto& f : program_.predicates[n.index].fields) free_in_term(f.pattern, out);
        return;
    }
  }

  bool is_variable(term_id id) const { return program_.terms[id].kind == term_kind::variable; }
  bool is_wildcard(term_id id) const { return program_.terms[id].kind == term_kind::wildcard; }

  // `x == value` (or the mirror) where the value is neither a variable nor `*`: binds `x`.
  // Returns the bound side's term, or nullopt when the comparison binds nothing.
  std::optional<term_id> binding_side(const node& n) const {
    if (n.kind != node_kind::comparison || n.op != compare_op::equal) return std::nullopt;
    const bool left_var = is_variable(n.left);
    const bool right_var = is_variable(n.right);
    if (left_var && !right_var && !is_wildcard(n.right)) return n.left;
    if (right_var && !left_var && !is_wildcard(n.left)) return n.right;
    return std::nullopt;
  }

  // RR: the variables a positive atom of `id` restricts. A negation restricts nothing at any
  // depth, and a `since` restricts only through its anchor (the right operand).
  void restricted_by(node_id id, var_set& out) const {
    const node& n = at(id);
    switch (n.kind) {
      case node_kind::conjunction:
        restricted_by(n.a, out);
        restricted_by(n.b, out);
        return;
      case node_kind::formerly:
      case node_kind::previous:
        restricted_by(n.a, out);
        return;
      case node_kind::since:
        restricted_by(n.b, out);
        return;
      case node_kind::exists: {
        var_set body(vars());
        restricted_by(n.a, body);
        body.remove(n.var);
        out.merge(body);
        return;
      }
      case node_kind::timepoint:
        out.add(n.var);
        return;
      case node_kind::comparison:
        if (auto side = binding_side(n)) out.add(program_.terms[*side].var);
        return;
      case node_kind::predicate:
        for (const auto& f : program_.predicates[n.index].fields)
          if (is_variable(f.pattern)) out.add(program_.terms[f.pattern].var);
        return;
      case node_kind::negation:
        return;
    }
  }

  // ---- per-node rules ----------------------------------------------------------------------

  void visit_term(term_id id, phase p) {
    const term& t = program_.terms[id];
    if (t.kind == term_kind::array) {
      for (term_id e : t.elements) visit_term(e, p);
      return;
    }
    if (t.kind != term_kind::count && t.kind != term_kind::sum) return;
    const aggregate& agg = program_.aggregates[t.aggregate];
    if (p == phase::aggregates) check_aggregate(agg);
    if (p == phase::timepoints && !depends_on_timepoint(agg.body))
      error(
          program_.nodes[agg.body].span,
          "the `where` condition of this aggregation does not vary with the timepoint, so it counts nothing: "
          "it needs an event predicate or `tp(...)`");
    visit_node(agg.body, p);
  }

  void visit_node(node_id id, phase p) {
    const node& n = at(id);
    switch (n.kind) {
      case node_kind::conjunction:
        visit_node(n.a, p);
        visit_node(n.b, p);
        return;
      case node_kind::negation:
        visit_node(n.a, p);
        return;
      case node_kind::formerly:
      case node_kind::previous:
        if (p == phase::timepoints && !depends_on_timepoint(n.a))
          error(at(n.a).span,
                std::string("the body of `") + (n.kind == node_kind::formerly ? "formerly" : "previous") +
                    "` does not vary with the timepoint, so it monitors nothing: it needs an event "
                    "predicate, `tp(...)` or an aggregate");
        visit_node(n.a, p);
        return;
      case node_kind::since:
        if (p == phase::timepoints) {
          if (!depends_on_timepoint(n.a))
            error(at(n.a).span,
                  "the left operand of `since` does not vary with the timepoint, so it monitors nothing: it "
                  "needs an event predicate, `tp(...)` or an aggregate");
          if (!depends_on_timepoint(n.b))
            error(at(n.b).span,
                  "the right operand (anchor) of `since` does not vary with the timepoint, so it monitors "
                  "nothing: it needs an event predicate, `tp(...)` or an aggregate");
        }
        visit_node(n.a, p);
        visit_node(n.b, p);
        return;
      case node_kind::exists:
        if (p == phase::existentials) check_exists(n);
        if (p == phase::timepoints && !depends_on_timepoint(n.a))
          error(
              at(n.a).span,
              "the body of this `exists` does not vary with the timepoint, so it monitors nothing: it needs "
              "an event predicate, `tp(...)` or an aggregate");
        visit_node(n.a, p);
        return;
      case node_kind::comparison:
        visit_term(n.left, p);
        visit_term(n.right, p);
        return;
      case node_kind::predicate:
        for (const auto& f : program_.predicates[n.index].fields) visit_term(f.pattern, p);
        return;
      case node_kind::timepoint:
        return;
    }
  }

  // WF-Agg-Domain: every `for` variable occurs in the body and is range-restricted by it.
  // (The summand being a `for` binder, and every body variable being bound, were settled when
  // names were resolved.)
  void check_aggregate(const aggregate& agg) {
    var_set occurs(vars());
    free_in_node(agg.body, occurs);
    var_set restricted(vars());
    restricted_by(agg.body, restricted);
    for (var_id v : agg.domain) {
      const source_span where = v < leaf_.variables.size() ? leaf_.variables[v].span : agg.span;
      if (!occurs.has(v))
        error(where, "`for`-variable `" + name(v) +
                         "` does not occur in the aggregation body; an unused group key would range over an "
                         "unbounded domain");
      else if (!restricted.has(v))
        error(where, "aggregation `for`-variable `" + name(v) +
                         "` is not range-restricted by any positive atom in the `where` body; bind it with a "
                         "predicate field (`P{ f: " +
                         name(v) + " }`), a `tp(" + name(v) + ")`, or an equality (`(count …) == " + name(v) +
                         "`) — an occurrence under a negation or in the left operand of a `since` does not "
                         "restrict");
    }
  }

  // WF-Exists: the binder is range-restricted by a positive atom of its body.
  void check_exists(const node& n) {
    var_set restricted(vars());
    restricted_by(n.a, restricted);
    if (restricted.has(n.var)) return;
    const source_span where = n.var < leaf_.variables.size() ? leaf_.variables[n.var].span : n.span;
    error(where, "existential variable `" + name(n.var) +
                     "` is not range-restricted by any positive atom in the `exists` body; bind it with a "
                     "predicate field (`P{ f: " +
                     name(n.var) + " }`), a `tp(" + name(n.var) +
                     ")`, or an equality (`(count …) == " + name(n.var) +
                     "`) — an occurrence under a negation or in the left operand of a `since` "
                     "does not restrict");
  }

  // ---- WF-Demands: producers before consumers ----------------------------------------------

  void require(const var_set& demanded, const var_set& restricted, source_span span, const char* what) {
    for (var_id v = 0; v < demanded.size(); ++v) {
      if (!demanded.has(v) || restricted.has(v)) continue;
      error(span, "variable `" + name(v) + "` is used in " + what +
                      " but is not range-restricted by a preceding conjunct; put a conjunct that binds `" +
                      name(v) + "` (a predicate field `P{ f: " + name(v) + " }`, `tp(" + name(v) +
                      ")` or `... == " + name(v) + "`) before it");
    }
  }

  // Checks every conjunct under `id` against `restricted`, the variables bound by the conjuncts
  // before it (in its chain or an enclosing one). A chain adds each conjunct's restrictions
  // before the next conjunct is checked.
  void demands(node_id id, var_set& restricted) {
    const node& n = at(id);
    switch (n.kind) {
      case node_kind::conjunction: {
        demands(n.a, restricted);
        restricted_by(n.a, restricted);
        demands(n.b, restricted);
        return;
      }
      case node_kind::negation: {
        var_set used(vars());
        free_in_node(n.a, used);
        require(used, restricted, n.span, "a negation (which binds nothing)");
        var_set inner = restricted;
        demands(n.a, inner);
        return;
      }
      case node_kind::formerly:
      case node_kind::previous: {
        var_set inner = restricted;
        demands(n.a, inner);
        return;
      }
      case node_kind::since: {
        var_set anchor = restricted;
        demands(n.b, anchor);
        var_set by_anchor(vars());
        restricted_by(n.b, by_anchor);
        var_set left_seed = restricted;
        left_seed.merge(by_anchor);
        var_set used(vars());
        free_in_node(n.a, used);
        require(used, left_seed, at(n.a).span,
                "the left operand of a `since` (which its anchor does not restrict)");
        demands(n.a, left_seed);
        return;
      }
      case node_kind::exists: {
        var_set inner = restricted;
        inner.remove(n.var);
        demands(n.a, inner);
        return;
      }
      case node_kind::timepoint:
        return;
      case node_kind::predicate: {
        // A field's bare variable binds; one nested in an array only filters.
        for (const auto& f : program_.predicates[n.index].fields) {
          if (is_variable(f.pattern)) continue;
          var_set used(vars());
          free_in_term(f.pattern, used);
          require(used, restricted, f.span, "an array pattern (which binds nothing)");
        }
        return;
      }
      case node_kind::comparison: {
        var_set used(vars());
        const auto bound = binding_side(n);
        if (bound) {
          free_in_term(*bound == n.left ? n.right : n.left, used);
          require(used, restricted, n.span, "the aggregate or value of a binding equality");
        } else {
          free_in_term(n.left, used);
          free_in_term(n.right, used);
          require(used, restricted, n.span, "a filter (a comparison that binds nothing)");
        }
        demands_in_term(n.left, restricted);
        demands_in_term(n.right, restricted);
        return;
      }
    }
  }

  // An aggregate's body is a nested chain seeded with the restrictions at its position.
  void demands_in_term(term_id id, const var_set& restricted) {
    const term& t = program_.terms[id];
    if (t.kind == term_kind::array)
      for (term_id e : t.elements) demands_in_term(e, restricted);
    if (t.kind != term_kind::count && t.kind != term_kind::sum) return;
    const aggregate& agg = program_.aggregates[t.aggregate];
    var_set inner = restricted;
    for (var_id v : agg.domain) inner.remove(v);
    demands(agg.body, inner);
  }

  // ---- WF-TpDep: every monitoring scope varies with the timepoint ---------------------------

  bool term_depends_on_timepoint(term_id id) const {
    const term& t = program_.terms[id];
    switch (t.kind) {
      case term_kind::count:
      case term_kind::sum:
        return true;
      // A variable varies when whatever binds it does; deciding that is the schema-aware
      // check's business, so here a variable is given the benefit of the doubt.
      case term_kind::variable:
        return true;
      case term_kind::array:
        for (term_id e : t.elements)
          if (term_depends_on_timepoint(e)) return true;
        return false;
      default:
        return false;
    }
  }

  bool depends_on_timepoint(node_id id) const {
    const node& n = at(id);
    switch (n.kind) {
      case node_kind::predicate:
      case node_kind::timepoint:
        return true;
      case node_kind::comparison:
        return term_depends_on_timepoint(n.left) || term_depends_on_timepoint(n.right);
      case node_kind::conjunction:
      case node_kind::since:
        return depends_on_timepoint(n.a) || depends_on_timepoint(n.b);
      case node_kind::negation:
      case node_kind::formerly:
      case node_kind::previous:
      case node_kind::exists:
        return depends_on_timepoint(n.a);
    }
    return true;
  }

  void check_top_level_timepoints(node_id id) {
    const node& n = at(id);
    if (n.kind == node_kind::conjunction) {
      check_top_level_timepoints(n.a);
      check_top_level_timepoints(n.b);
      return;
    }
    if (!depends_on_timepoint(id))
      error(
          n.span,
          "this conjunct does not vary with the current timepoint, so it monitors nothing: it reads no event "
          "(no predicate, `tp(...)` or aggregate); move it to a Cedar `when { ... }` condition");
  }

  const policy_set_ast& ast_;
  const temporal_program& program_;
  const leaf& leaf_;
  std::vector<diagnostic>& diagnostics_;
  std::size_t errors_ = 0;
};

}  // namespace

bool check_well_formed(const policy_set_ast& ast, const temporal_program& program, std::uint32_t leaf_index,
                       std::vector<mandate::diagnostic>& diagnostics) {
  if (leaf_index >= program.leaves.size()) return false;
  checker c(ast, program, program.leaves[leaf_index], diagnostics);
  return c.run();
}

}  // namespace mandate::detail::temporal
