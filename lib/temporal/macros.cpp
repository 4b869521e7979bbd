// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// `def temporal` macros (Dogwood, 06-macros.md): a call `name(arg, ...)` in temporal text is
// replaced by the macro's body with its `?param`s filled by the arguments. Arguments are
// expanded first, then copied into the body; a body may not call macros itself, so expansion
// always ends. Each `$fresh` binder of a body becomes `fresh$<offset of the call>`, a name no
// call-site identifier can spell, so a macro's own variables never capture the caller's.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "temporal/parse.hpp"
#include "temporal/syntax.hpp"

namespace mandate::detail::temporal {
namespace syntax {
namespace {

// Dogwood's DEFAULT_MACROS (dogwood-language/configuration/default_macros.dw).
struct builtin_definition {
  std::string_view name;
  std::array<std::string_view, 3> params;
  std::size_t arity;
  std::string_view body;
};

constexpr builtin_definition builtin_definitions[] = {
    // Counts the timepoints within window `?w` at which condition `?s` held.
    {"count_within",
     {"w", "s", ""},
     2,
     "count for ($t: Timepoint). where (formerly within ?w (?s && tp($t)))"},
    // Sums the numeric value `?a` over occurrences of `?body` within window `?w`.
    {"sum_within",
     {"a", "w", "body"},
     3,
     "sum ?a for (?a: Long), ($t: Timepoint). where (formerly within ?w (?body && tp($t)))"},
    // Counts the distinct key values `?k` for which `?s` held within window `?w`.
    {"count_distinct_within", {"k", "w", "s"}, 3, "count for (?k: String). where (formerly within ?w ?s)"},
    // Names an aggregate result `?n` and uses it in `?B`.
    {"bind", {"n", "A", "B"}, 3, "exists (?n: Long). (?A == ?n && ?B)"},
};

// A macro's body spans a real file only for user macros; built-ins report at the call.
constexpr std::uint32_t no_file = 0xFFFFFFFFu;

constexpr std::string_view reserved_macro_names[] = {
    "decimal", "datetime", "duration", "ip",     "let",      "in",        "where",
    "for",     "sum",      "count",    "tp",     "formerly", "previous",  "since",
    "true",    "false",    "exists",   "within", "context",  "principal", "resource"};

// Calls every name reference of a node (the macro parameters and fresh binders it may hold).
template <typename Visit>
void for_each_name(node& n, Visit&& visit) {
  switch (n.kind) {
    case form::timepoint:
    case form::variable:
    case form::refine:
    case form::sum:
      visit(n.slot);
      break;
    default:
      break;
  }
  for (auto& b : n.binders) visit(b.slot);
}

class expander {
 public:
  expander(std::vector<node>& nodes, std::span<const macro_definition> macros,
           const temporal_options& options, reporter& report)
      : nodes_(nodes), macros_(macros), options_(options), report_(report), user_templates_(macros.size()) {
    user_params_.reserve(macros.size());
    for (const auto& def : macros) user_params_.emplace_back(def.params.begin(), def.params.end());
  }

  std::optional<std::uint32_t> run(std::uint32_t root) {
    const std::uint32_t result = expand(root, 0, 0);
    if (report_.failed()) return std::nullopt;
    if (depth_of(result) > max_tree_depth()) {
      report_.error(nodes_[root].span,
                    "temporal condition nested too deeply (more than " + std::to_string(max_tree_depth()) +
                        " levels, counting each `&&` of a chain and each macro expansion)");
      return std::nullopt;
    }
    return result;
  }

  // Parses and checks a macro body once; later calls reuse the tree.
  std::optional<std::uint32_t> body_template(const macro_source& macro) {
    auto& cache = macro.builtin ? builtin_templates_.at(macro.index) : user_templates_.at(macro.index);
    if (cache.parsed) return cache.root;
    cache.parsed = true;
    cache.root = parse_macro_body(macro, nodes_, options_, report_);
    return cache.root;
  }

 private:
  struct cached_template {
    bool parsed = false;
    std::optional<std::uint32_t> root;
  };

  // One call being instantiated: its macro, its expanded arguments and where it was called.
  struct call_site {
    const macro_source& macro;
    std::vector<std::uint32_t> args;
    source_span span;
  };

  std::uint32_t max_tree_depth() const noexcept { return options_.max_nesting_depth * 8; }

  std::uint32_t add(node&& n) {
    nodes_.push_back(std::move(n));
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }

  // False (after reporting once) when expansion has grown the tree past its budget.
  bool within_budget(source_span span) {
    if (nodes_.size() <= options_.max_expanded_nodes) return true;
    if (!over_budget_)
      report_.error(span, "macro expansion makes this temporal condition too large (more than " +
                              std::to_string(options_.max_expanded_nodes) + " syntax nodes)");
    over_budget_ = true;
    return false;
  }

  bool too_deep(std::uint32_t depth, source_span span) {
    if (depth <= max_tree_depth()) return false;
    if (!too_deep_)
      report_.error(span, "temporal condition nested too deeply (more than " +
                              std::to_string(max_tree_depth()) +
                              " levels, counting each `&&` of a chain and each macro expansion)");
    too_deep_ = true;
    return true;
  }

  void stray(const name_ref& ref) {
    if (ref.mark == sigil::param)
      report_.error(ref.span, "stray macro parameter reference `?" + ref.name + "` outside a macro body");
    else if (ref.mark == sigil::fresh)
      report_.error(ref.span, "stray macro binder reference `$" + ref.name + "` outside a macro body");
  }

  // Expands the calls under `id`, block text (no sigils allowed); returns what replaces `id`.
  std::uint32_t expand(std::uint32_t id, std::uint32_t depth, std::uint32_t call_depth) {
    if (too_deep(depth, nodes_[id].span)) return id;
    {
      node& n = nodes_[id];
      for_each_name(n, [&](name_ref& ref) { stray(ref); });
      if (n.window.is_param)
        report_.error(n.window.span,
                      "stray macro parameter reference `?" + n.window.param + "` outside a macro body");
      if (n.kind == form::call) return expand_call(id, depth, call_depth);
    }
    // Children first; `nodes_` may grow meanwhile, so no reference into it is held across.
    for (std::size_t i = 0; i < nodes_[id].kids.size(); ++i) {
      const std::uint32_t kid = expand(nodes_[id].kids[i], depth + 1, call_depth);
      nodes_[id].kids[i] = kid;
    }
    for (std::size_t i = 0; i < nodes_[id].fields.size(); ++i) {
      const std::uint32_t value = expand(nodes_[id].fields[i].value, depth + 1, call_depth);
      nodes_[id].fields[i].value = value;
    }
    return id;
  }

  // A user definition wins over a built-in of the same name (Dogwood drops the library's).
  std::optional<macro_source> lookup(const std::string& name) const {
    for (std::size_t i = 0; i < macros_.size(); ++i)
      if (macros_[i].name == name) return user_macro(i);
    return find_builtin_macro(name);
  }

  macro_source user_macro(std::size_t index) const {
    const macro_definition& def = macros_[index];
    macro_source source;
    source.name = def.name;
    source.params = user_params_[index];
    source.index = index;
    source.is_temporal = def.is_temporal;
    source.body_span = {def.file, def.body_begin, def.body_end};
    const auto& files = report_.ast().files;
    if (def.file < files.size() && def.body_begin <= def.body_end &&
        def.body_end <= files[def.file].text.size())
      source.body =
          std::string_view(files[def.file].text).substr(def.body_begin, def.body_end - def.body_begin);
    return source;
  }

  std::uint32_t expand_call(std::uint32_t id, std::uint32_t depth, std::uint32_t call_depth) {
    const node call = nodes_[id];
    if (call_depth >= options_.max_expansion_depth) {
      report_.error(call.span, "macro calls nested too deeply (more than " +
                                   std::to_string(options_.max_expansion_depth) + " levels)");
      return id;
    }
    const std::optional<macro_source> found = lookup(call.name);
    if (!found) {
      report_.error(call.span, "unknown macro `" + call.name + "` (no `def temporal " + call.name +
                                   "` is declared; the standard macros are count_within, sum_within, "
                                   "count_distinct_within and bind)");
      return id;
    }
    const macro_source macro = *found;
    if (!macro.is_temporal) {
      report_.error(
          call.span,
          "macro `" + call.name + "` is a cedar macro and cannot be called in a temporal condition position");
      return id;
    }
    if (call.kids.size() != macro.params.size()) {
      report_.error(call.span, "macro `" + call.name + "` expects " + std::to_string(macro.params.size()) +
                                   " argument(s), got " + std::to_string(call.kids.size()));
      return id;
    }
    // The body first: a broken body is reported once, without its arguments' errors after it.
    const std::optional<std::uint32_t> body = body_template(macro);
    if (!body) return id;
    call_site site{macro, {}, call.span};
    for (std::uint32_t arg : call.kids) site.args.push_back(expand(arg, depth + 1, call_depth + 1));
    if (report_.failed()) return id;
    const std::uint32_t expanded = instantiate(*body, site, depth + 1);
    node wrapper;
    wrapper.kind = form::expansion;
    wrapper.name = call.name;
    wrapper.kids.push_back(expanded);
    wrapper.span = call.span;
    return add(std::move(wrapper));
  }

  std::optional<std::uint32_t> argument(const call_site& site, const std::string& param, source_span at) {
    for (std::size_t i = 0; i < site.macro.params.size(); ++i)
      if (site.macro.params[i] == param) return site.args[i];
    // parse_macro_body rejects undeclared parameters; this is a safety net.
    report_.error(
        at, "`?" + param + "` does not name a declared parameter of `" + std::string(site.macro.name) + "`");
    return std::nullopt;
  }

  // A `?param` or `$fresh` in a binder position (`exists (?n: Long)`, `for (?a: Long)`,
  // `sum ?a`, `tp($t)`): the argument must be a bare identifier, which becomes the binder.
  void fill_binder_slot(name_ref& slot, const call_site& site) {
    if (slot.mark == sigil::fresh) {
      slot.name += "$" + std::to_string(site.span.begin);
      slot.mark = sigil::none;
      return;
    }
    if (slot.mark != sigil::param) return;
    const auto arg = argument(site, slot.name, slot.span);
    if (!arg) return;
    const node& given = nodes_[*arg];
    if (given.kind != form::variable || given.slot.mark != sigil::none) {
      report_.error(given.span, "parameter `?" + slot.name + "` of `" + std::string(site.macro.name) +
                                    "` is used in a binder position, so the call-site argument must be a "
                                    "single identifier");
      return;
    }
    slot = given.slot;
  }

  // Copies the body node `id` for one call, filling parameters and renaming fresh binders.
  std::uint32_t instantiate(std::uint32_t id, const call_site& site, std::uint32_t depth) {
    if (too_deep(depth, site.span) || !within_budget(site.span)) return id;
    node n = nodes_[id];
    if (site.macro.builtin) relocate(n, site.span);

    if (n.kind == form::variable && n.slot.mark == sigil::param) {
      const auto arg = argument(site, n.slot.name, n.span);
      if (!arg) return id;
      if (nodes_[*arg].kind == form::interval) {
        report_.error(nodes_[*arg].span,
                      "parameter `?" + n.slot.name + "` of `" + std::string(site.macro.name) +
                          "` is used as a condition or a value, so its argument cannot be an "
                          "interval (an interval such as `1h` only fills `within ?" +
                          n.slot.name + "`)");
        return id;
      }
      return copy(*arg, depth);
    }
    if (n.kind == form::refine) return refine(n, site, depth);

    if (n.kind == form::variable || n.kind == form::timepoint || n.kind == form::sum)
      fill_binder_slot(n.slot, site);
    for (auto& b : n.binders) fill_binder_slot(b.slot, site);
    if (n.window.is_param) {
      const auto arg = argument(site, n.window.param, n.window.span);
      if (!arg) return id;
      const node& given = nodes_[*arg];
      if (given.kind != form::interval) {
        report_.error(given.span, "parameter `?" + n.window.param + "` of `" + std::string(site.macro.name) +
                                      "` fills `within ?" + n.window.param +
                                      "`, so its argument must be an interval such as `1h`");
        return id;
      }
      n.window = given.window;
    }
    for (auto& kid : n.kids) kid = instantiate(kid, site, depth + 1);
    for (auto& f : n.fields) f.value = instantiate(f.value, site, depth + 1);
    return add(std::move(n));
  }

  // `?s{ field: value }`: the argument for `?s` must be one predicate, which gets the fields.
  std::uint32_t refine(const node& n, const call_site& site, std::uint32_t depth) {
    const auto arg = argument(site, n.slot.name, n.span);
    if (!arg) return 0;
    std::uint32_t base = *arg;
    while (nodes_[base].kind == form::expansion) base = nodes_[base].kids.at(0);
    if (nodes_[base].kind != form::predicate) {
      report_.error(nodes_[*arg].span, "`?" + n.slot.name + "{ ... }` in `" + std::string(site.macro.name) +
                                           "` adds fields to the predicate passed as `?" + n.slot.name +
                                           "`, but this argument is not a single event predicate");
      return 0;
    }
    std::vector<field> added = n.fields;
    for (auto& f : added) f.value = instantiate(f.value, site, depth + 1);
    const std::uint32_t copied = copy(base, depth);
    if (report_.failed()) return copied;
    for (auto& f : added) nodes_[copied].fields.push_back(std::move(f));
    return copied;
  }

  // A deep copy of an (already expanded) argument: it may be used more than once.
  std::uint32_t copy(std::uint32_t id, std::uint32_t depth) {
    if (too_deep(depth, nodes_[id].span) || !within_budget(nodes_[id].span)) return id;
    node n = nodes_[id];
    for (auto& kid : n.kids) kid = copy(kid, depth + 1);
    for (auto& f : n.fields) f.value = copy(f.value, depth + 1);
    return add(std::move(n));
  }

  // A built-in body has no file of its own: its nodes point at the call.
  static void relocate(node& n, source_span call) {
    n.span = call;
    n.slot.span = call;
    n.window.span = call;
    for (auto& b : n.binders) {
      b.span = call;
      b.slot.span = call;
    }
    for (auto& f : n.fields) f.span = call;
  }

  // Depth of the tree under `root`, without recursion (it is checked before lowering recurses).
  std::uint32_t depth_of(std::uint32_t root) const {
    std::uint32_t deepest = 0;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> stack{{root, 1}};
    while (!stack.empty()) {
      const auto [id, depth] = stack.back();
      stack.pop_back();
      deepest = std::max(deepest, depth);
      if (depth > max_tree_depth()) break;
      // A chain `a && b && c` becomes left-nested conjunctions, one level per `&&`.
      const auto& kids = nodes_[id].kids;
      const std::uint32_t step = nodes_[id].kind == form::conjunction
                                     ? static_cast<std::uint32_t>(std::max<std::size_t>(kids.size(), 1))
                                     : 1;
      for (std::uint32_t kid : kids) stack.emplace_back(kid, depth + step);
      for (const auto& f : nodes_[id].fields) stack.emplace_back(f.value, depth + 1);
    }
    return deepest;
  }

  std::vector<node>& nodes_;
  std::span<const macro_definition> macros_;
  const temporal_options& options_;
  reporter& report_;
  std::vector<cached_template> user_templates_;
  std::array<cached_template, std::size(builtin_definitions)> builtin_templates_{};
  std::vector<std::vector<std::string_view>> user_params_;  // each user macro's, for macro_source
  bool over_budget_ = false;
  bool too_deep_ = false;
};

// Checks a parsed body: its `?param`s are declared and it calls no macro.
void check_body(std::uint32_t id, const macro_source& macro, std::vector<node>& nodes, reporter& report,
                std::uint32_t depth) {
  if (depth > 4096) return;  // the parser's nesting limit keeps bodies far shallower
  node& n = nodes[id];
  auto check_param = [&](const std::string& param, source_span span) {
    if (std::find(macro.params.begin(), macro.params.end(), param) == macro.params.end())
      report.error(span, "in `def temporal` body: `?" + param + "` does not name a declared parameter of `" +
                             std::string(macro.name) + "`");
  };
  for_each_name(n, [&](name_ref& ref) {
    if (ref.mark == sigil::param) check_param(ref.name, ref.span);
  });
  if (n.window.is_param) check_param(n.window.param, n.window.span);
  if (n.kind == form::call) {
    if (n.name == macro.name)
      report.error(n.span,
                   "macro `" + n.name +
                       "` calls itself; macros cannot recurse (in `def temporal` body: macro-in-macro "
                       "is not supported)");
    else
      report.error(n.span, "in `def temporal` body: macro-in-macro is not supported (`" +
                               std::string(macro.name) + "` calls `" + n.name +
                               "`; call it from the policy instead)");
  }
  const std::vector<std::uint32_t> kids = n.kids;
  std::vector<std::uint32_t> values;
  for (const auto& f : n.fields) values.push_back(f.value);
  for (std::uint32_t kid : kids) check_body(kid, macro, nodes, report, depth + 1);
  for (std::uint32_t value : values) check_body(value, macro, nodes, report, depth + 1);
}

}  // namespace

bool is_reserved_macro_name(std::string_view name) noexcept {
  return std::find(std::begin(reserved_macro_names), std::end(reserved_macro_names), name) !=
         std::end(reserved_macro_names);
}

std::optional<macro_source> find_builtin_macro(std::string_view name) noexcept {
  for (std::size_t i = 0; i < std::size(builtin_definitions); ++i) {
    const builtin_definition& def = builtin_definitions[i];
    if (def.name != name) continue;
    macro_source source;
    source.name = def.name;
    source.params = std::span<const std::string_view>(def.params.data(), def.arity);
    source.body = def.body;
    source.body_span = {no_file, 0, static_cast<std::uint32_t>(def.body.size())};
    source.builtin = true;
    source.index = i;
    return source;
  }
  return std::nullopt;
}

std::optional<std::uint32_t> parse_macro_body(const macro_source& macro, std::vector<node>& nodes,
                                              const temporal_options& options, reporter& report) {
  const std::size_t errors_before = report.errors();
  const auto root = parse_text(macro.body, macro.body_span, options.max_nesting_depth, nodes, report);
  if (!root) return std::nullopt;
  check_body(*root, macro, nodes, report, 0);
  if (report.errors() != errors_before) return std::nullopt;
  return root;
}

std::optional<std::uint32_t> expand_block(std::uint32_t root, std::vector<node>& nodes,
                                          std::span<const macro_definition> macros,
                                          const temporal_options& options, reporter& report) {
  expander e(nodes, macros, options, report);
  return e.run(root);
}

}  // namespace syntax

bool check_macro_definitions(const policy_set_ast& ast, std::span<const macro_definition> macros,
                             std::vector<mandate::diagnostic>& diagnostics, const temporal_options& options) {
  syntax::reporter report(ast, diagnostics);
  for (std::size_t i = 0; i < macros.size(); ++i) {
    const macro_definition& def = macros[i];
    if (syntax::is_reserved_macro_name(def.name))
      report.error(def.span,
                   "macro name `" + def.name + "` is reserved (built-in or keyword); pick a different name");
    for (std::size_t j = 0; j < i; ++j)
      if (macros[j].name == def.name) report.error(def.span, "duplicate macro definition `" + def.name + "`");
    for (std::size_t p = 0; p < def.params.size(); ++p)
      for (std::size_t q = 0; q < p; ++q)
        if (def.params[p] == def.params[q])
          report.error(def.span,
                       "parameter `?" + def.params[p] + "` of `" + def.name + "` is declared twice");
    if (!def.is_temporal) continue;
    const auto& files = ast.files;
    if (def.file >= files.size() || def.body_begin > def.body_end ||
        def.body_end > files[def.file].text.size()) {
      report.error(def.span, "internal error: the body of macro `" + def.name + "` lies outside its file");
      continue;
    }
    std::vector<std::string_view> params(def.params.begin(), def.params.end());
    syntax::macro_source source;
    source.name = def.name;
    source.params = params;
    source.body =
        std::string_view(files[def.file].text).substr(def.body_begin, def.body_end - def.body_begin);
    source.body_span = {def.file, def.body_begin, def.body_end};
    std::vector<syntax::node> nodes;
    (void)syntax::parse_macro_body(source, nodes, options, report);
  }
  return !report.failed();
}

}  // namespace mandate::detail::temporal
