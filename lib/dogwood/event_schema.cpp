// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Event schemas: `.dwschema` text -> event_schema_ast (parse), -> derived_event_schema against
// a Cedar schema or none (derive), and temporal predicates checked against the result
// (validate). PEGTL reports a syntax error by throwing; that stays inside this file and becomes
// a diagnostic. Every recursion here is bounded: records nest at most 64 levels in the text
// (the grammar's guard), Cedar types at most 64 levels and 10,000 fields per spread, and the
// validator walks temporal programs with explicit stacks.
#include "dogwood/event_schema.hpp"

#include <tao/pegtl/contrib/parse_tree.hpp>

#include <algorithm>
#include <exception>
#include <limits>
#include <optional>
#include <type_traits>

#include "event_schema_grammar.hpp"
#include "parse/parser.hpp"
#include "schema/suggest.hpp"

namespace mandate::detail::dogwood {
namespace {

namespace peg = tao::pegtl;
namespace g = mandate::event_schema_grammar;
using parse_node = peg::parse_tree::node;

// Written out here rather than read from a file so an engine needs nothing beside the library.
// It is Dogwood's request/response fixture: the corpus harnesses use it when a case brings no
// event schema of its own.
constexpr std::string_view default_schema_text =
    R"(// Default event schema: no pins, so conditions read the whole session.
//
// A request is a decision point: logging one runs authorization.
decision event <A>::request {
    ...inputs(A),                        // the tool call's arguments, as input.<name>
    callerPrincipal: principalType(A),   // who called
    callerResource:  resourceType(A),    // on what
    requestId:       String,
    sessionId:       String,
}

// A response is history only; it adds the call's results as output.<name>.
event <A>::response {
    ...inputs(A),
    ...outputs(A),
    callerPrincipal: principalType(A),
    callerResource:  resourceType(A),
    requestId:       String,
    sessionId:       String,
}

// An error is history only: the call failed, so there are no outputs.
event <A>::error {
    ...inputs(A),
    callerPrincipal: principalType(A),
    callerResource:  resourceType(A),
    requestId:       String,
    sessionId:       String,
}
)";

constexpr std::int64_t ms_per_second = 1000;
constexpr std::int64_t ms_per_minute = 60 * ms_per_second;
constexpr std::int64_t ms_per_hour = 60 * ms_per_minute;
constexpr std::int64_t ms_per_day = 24 * ms_per_hour;

/// How deep a Cedar input/output record may nest, and how many fields one spread may yield:
/// a type that fans out exponentially (`T1 = {a: T0, b: T0}`, ...) is refused, not expanded.
constexpr std::uint32_t max_derived_depth = 64;
constexpr std::size_t max_derived_fields = 10'000;

std::string window_text(std::int64_t ms) {
  if (ms != 0 && ms % ms_per_day == 0) return std::to_string(ms / ms_per_day) + "d";
  if (ms != 0 && ms % ms_per_hour == 0) return std::to_string(ms / ms_per_hour) + "h";
  if (ms != 0 && ms % ms_per_minute == 0) return std::to_string(ms / ms_per_minute) + "m";
  if (ms % ms_per_second == 0) return std::to_string(ms / ms_per_second) + "s";
  return std::to_string(ms) + "ms";
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

std::string dotted(std::span<const symbol> path) {
  std::string out;
  for (const symbol s : path) {
    if (!out.empty()) out += '.';
    out += symbol_text(s);
  }
  return out;
}

std::vector<symbol> interned(const std::vector<std::string>& names) {
  std::vector<symbol> out;
  out.reserve(names.size());
  for (const auto& n : names) out.push_back(intern(n));
  return out;
}

const char* selector_name(selector s) noexcept {
  switch (s) {
    case selector::inputs:
      return "inputs";
    case selector::outputs:
      return "outputs";
    case selector::principal_type:
      return "principalType";
    case selector::resource_type:
      return "resourceType";
  }
  return "?";
}

/// The last `::` segment of a type name.
std::string_view simple_name(std::string_view name) noexcept {
  const std::size_t at = name.rfind("::");
  return at == std::string_view::npos ? name : name.substr(at + 2);
}

bool is_action_type(std::string_view type) noexcept { return type == "Action" || type.ends_with("::Action"); }

/// An action id as Dogwood prints it in messages: Cedar-escaped, without the quotes.
std::string action_id_text(entity_uid action) {
  const std::string quoted = quote(symbol_text(action.id));
  return quoted.substr(1, quoted.size() - 2);
}

// ---- parsing ------------------------------------------------------------------------------

template <typename Rule>
constexpr const char* error_message = nullptr;
#define MANDATE_EXPECT(rule, text) \
  template <>                      \
  constexpr const char* error_message<rule> = text
MANDATE_EXPECT(g::schema_end,
               "expected an event declaration `[decision] event <A>::kind { ... }` or `max_window = ...`");
MANDATE_EXPECT(g::equals, "expected `=`");
MANDATE_EXPECT(g::interval, "expected a window such as `24h`: a whole number and a unit (s, m, h or d)");
MANDATE_EXPECT(g::time_unit, "expected a time unit right after the number: `s`, `m`, `h` or `d`");
MANDATE_EXPECT(g::open_angle, "expected `<` and the action binder, as in `event <A>::request`");
MANDATE_EXPECT(g::binder, "expected the action binder's name, as in `event <A>::request`");
MANDATE_EXPECT(g::close_angle, "expected `>` after the action binder");
MANDATE_EXPECT(g::double_colon, "expected `::`");
MANDATE_EXPECT(g::event_kind, "expected the event kind's name after `::`");
MANDATE_EXPECT(g::open_brace, "expected `{` and the event's fields");
MANDATE_EXPECT(g::body_close, "expected a field, `,` or `}` in the event body");
MANDATE_EXPECT(g::record_close, "expected a field, `,` or `}` in the record type");
MANDATE_EXPECT(g::spread_selector,
               "expected a selector after `...`: `inputs` or `outputs` (`principalType` and `resourceType` "
               "are field types)");
MANDATE_EXPECT(g::open_paren, "expected `(` and the action binder after the selector");
MANDATE_EXPECT(g::binder_ref, "expected the action binder's name");
MANDATE_EXPECT(g::close_paren, "expected `)` after the action binder");
MANDATE_EXPECT(g::colon, "expected `:` and the field's type");
MANDATE_EXPECT(
    g::type_expr,
    "expected a field type: `principalType(A)`, `resourceType(A)`, a type name or a record `{ ... }`");
MANDATE_EXPECT(g::type_segment, "expected a type name after `::`");
MANDATE_EXPECT(g::pin_ref,
               "expected a pin value: `principal`, `resource` (with `.attr`...) or `context.<path>`");
MANDATE_EXPECT(g::dot, "expected `.` and a field after `context`");
MANDATE_EXPECT(g::pin_segment, "expected a field name after `.`");
#undef MANDATE_EXPECT

template <typename Rule>
struct schema_control : peg::normal<Rule> {
  template <typename Input, typename... States>
  [[noreturn]] static void raise(const Input& in, States&&... /*unused*/) {
    if constexpr (std::is_same_v<Rule, g::record_nesting_too_deep>) {
      throw peg::parse_error(
          "record types nested too deeply (more than " + std::to_string(g::max_record_nesting) + " levels)",
          in);
    } else if constexpr (error_message<Rule> != nullptr) {
      throw peg::parse_error(error_message<Rule>, in);
    } else {
      throw peg::parse_error("syntax error: expected " + std::string(peg::demangle<Rule>()), in);
    }
  }
};

template <typename Rule>
using selector_rules = peg::parse_tree::selector<
    Rule, peg::parse_tree::store_content::on<
              g::max_window, g::window_amount, g::time_unit, g::event_decl, g::decision_marker, g::binder,
              g::event_kind, g::spread, g::named_field, g::pin_marker, g::field_name, g::selector_type,
              g::record_body, g::concrete_type, g::type_segment, g::sel_inputs, g::sel_outputs,
              g::sel_principal_type, g::sel_resource_type, g::binder_ref, g::pin_value, g::pin_principal,
              g::pin_resource, g::pin_context, g::pin_segment>>;

class schema_reader {
 public:
  schema_reader(const source_file& file, std::vector<diagnostic>& diagnostics)
      : file_(file), diagnostics_(diagnostics) {}

  [[nodiscard]] bool failed() const noexcept { return failed_; }

  void error_at(std::size_t offset, std::size_t length, std::string message) {
    diagnostic d;
    d.code = "event-schema";
    d.message = std::move(message);
    const auto begin = static_cast<std::uint32_t>(std::min(offset, file_.text.size()));
    d.where.file = file_.name;
    d.where.line = file_.line_of(begin);
    d.where.column = begin - file_.line_starts[d.where.line - 1] + 1;
    d.where.offset = begin;
    d.where.length = static_cast<std::uint32_t>(std::max<std::size_t>(1, length));
    const std::string_view line = file_.line_text(d.where.line);
    if (line.size() <= diagnostic::max_excerpt_bytes) d.source_line = std::string(line);
    diagnostics_.push_back(std::move(d));
    failed_ = true;
  }

  void error(const parse_node& n, std::string message) {
    error_at(n.begin().byte, n.end().byte - n.begin().byte, std::move(message));
  }

  void read(const parse_node& root, event_schema_ast& out) {
    const parse_node* first_event = nullptr;
    const parse_node* directive = nullptr;
    for (const auto& child : root.children) {
      if (child->is_type<g::max_window>()) {
        if (directive != nullptr) {
          error(*child, "duplicate `max_window` directive; the event schema may set one window cap");
        } else if (first_event != nullptr) {
          error(*child, "`max_window` must come before the event declarations");
        }
        if (directive == nullptr) max_window(*child, out);
        directive = child.get();
      } else if (child->is_type<g::event_decl>()) {
        if (first_event == nullptr) first_event = child.get();
        event_decl decl;
        read_decl(*child, decl);
        for (const auto& other : out.events) {
          if (other.kind == decl.kind) {
            error(*child, "event kind `" + decl.kind + "` is declared more than once (first at line " +
                              std::to_string(other.line) + ")");
            break;
          }
        }
        out.events.push_back(std::move(decl));
      }
    }
    if (out.events.empty() && !failed_)
      error_at(0, 1,
               "the event schema declares no events, so authorization could never run; declare at least one "
               "`decision event`, or give no event schema to use the default");
  }

 private:
  void max_window(const parse_node& n, event_schema_ast& out) {
    std::uint64_t amount = 0;
    std::int64_t unit = ms_per_second;
    bool overflow = false;
    std::string text;  // as written, without blanks: "24h"
    for (const auto& child : n.children) {
      text += child->string_view();
      if (child->is_type<g::window_amount>()) {
        for (const char c : child->string_view()) {
          const auto digit = static_cast<std::uint64_t>(c - '0');
          if (amount > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) overflow = true;
          if (!overflow) amount = amount * 10 + digit;
        }
      } else if (child->is_type<g::time_unit>()) {
        const char u = child->string_view().front();
        unit = u == 's' ? ms_per_second : u == 'm' ? ms_per_minute : u == 'h' ? ms_per_hour : ms_per_day;
      }
    }
    if (amount == 0 && !overflow) {
      error(
          n,
          "max_window must be greater than zero; a zero window would forbid every temporal `within` clause. "
          "Omit `max_window` to use the default cap, or set a positive interval like `max_window = 24h`");
      return;
    }
    if (overflow || amount > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max() / unit)) {
      error(n, "max_window `" + text + "` is too large");
      return;
    }
    out.has_max_window = true;
    out.max_window_ms = static_cast<std::int64_t>(amount) * unit;
    out.max_window_text = text;
  }

  static bool read_selector(const parse_node& n, selector& out) {
    if (n.is_type<g::sel_inputs>()) {
      out = selector::inputs;
    } else if (n.is_type<g::sel_outputs>()) {
      out = selector::outputs;
    } else if (n.is_type<g::sel_principal_type>()) {
      out = selector::principal_type;
    } else if (n.is_type<g::sel_resource_type>()) {
      out = selector::resource_type;
    } else {
      return false;
    }
    return true;
  }

  /// The selector and binder children of a spread or selector type.
  void selector_call(const parse_node& n, selector& sel, std::string_view binder, std::string_view where) {
    for (const auto& child : n.children) {
      if (read_selector(*child, sel)) continue;
      if (child->is_type<g::binder_ref>() && child->string_view() != binder)
        error(*child, "in " + std::string(where) + ": selector argument `" + child->string() +
                          "` does not name the declared action binder `" + std::string(binder) +
                          "` (write `" + std::string(binder) + "`)");
    }
  }

  void read_decl(const parse_node& n, event_decl& out) {
    const auto at = n.begin();
    out.line = static_cast<std::uint32_t>(at.line);
    out.column = static_cast<std::uint32_t>(at.column);
    for (const auto& child : n.children) {
      if (child->is_type<g::decision_marker>()) out.decision = true;
      if (child->is_type<g::binder>()) out.binder = child->string();
      if (child->is_type<g::event_kind>()) out.kind = child->string();
    }
    read_fields(n, out.binder, out.kind, out.fields);
  }

  /// The spread and named_field children of `parent` (an event body or a record type).
  void read_fields(const parse_node& parent, std::string_view binder, std::string_view kind,
                   std::vector<field_spec>& out) {
    for (const auto& child : parent.children) {
      const parse_node& c = *child;
      if (!c.is_type<g::spread>() && !c.is_type<g::named_field>()) continue;
      field_spec spec;
      const auto at = c.begin();
      spec.line = static_cast<std::uint32_t>(at.line);
      spec.column = static_cast<std::uint32_t>(at.column);
      if (c.is_type<g::spread>()) {
        spec.kind = field_spec::form::spread;
        selector_call(c, spec.sel, binder, "spread");
        if (spec.sel == selector::principal_type || spec.sel == selector::resource_type) {
          error(c, std::string("selector `") + selector_name(spec.sel) +
                       "` cannot be spread (it yields entity types, not a field record); use it as a field "
                       "type instead");
        }
        const std::string group = spec.sel == selector::inputs ? "input" : "output";
        check_unique(c, out, group, true, kind);
      } else {
        read_named(c, binder, kind, spec);
        check_unique(c, out, spec.name, false, kind);
      }
      out.push_back(std::move(spec));
    }
  }

  // Names are unique at each level; a spread's group counts as a name.
  void check_unique(const parse_node& at, const std::vector<field_spec>& earlier, const std::string& name,
                    bool is_spread, std::string_view kind) {
    for (const auto& e : earlier) {
      const bool e_spread = e.kind == field_spec::form::spread;
      const std::string e_name = e_spread ? (e.sel == selector::inputs ? "input" : "output") : e.name;
      if (e_name != name) continue;
      if (is_spread) {
        error(at, "the `" + name + "` field group produced by `..." +
                      (name == "input" ? "inputs" : "outputs") + "(A)` (on `" + std::string(kind) +
                      "`) collides with another field named `" + name +
                      "`; a spread group and a named field may not share a name");
      } else if (e_spread) {
        error(at, "event-schema field `" + name + "` (on `" + std::string(kind) + "`) collides with the `" +
                      name +
                      "` field group produced by a spread; a named field may not shadow a spread group");
      } else {
        error(at, "event-schema field `" + name + "` is defined more than once on `" + std::string(kind) +
                      "`; field names must be unique at each level");
      }
      return;
    }
  }

  void read_named(const parse_node& n, std::string_view binder, std::string_view kind, field_spec& spec) {
    bool has_value = false;
    for (const auto& child : n.children) {
      const parse_node& c = *child;
      if (c.is_type<g::pin_marker>()) {
        spec.pinned = true;
      } else if (c.is_type<g::field_name>()) {
        spec.name = c.string();
      } else if (c.is_type<g::selector_type>()) {
        spec.kind = field_spec::form::selector_type;
        selector_call(c, spec.sel, binder, "field type");
        if (spec.sel == selector::inputs || spec.sel == selector::outputs)
          error(c,
                std::string("selector `") + selector_name(spec.sel) +
                    "` cannot be used as a field type (it yields a field record, not a type); spread it with "
                    "`...` instead");
      } else if (c.is_type<g::record_body>()) {
        spec.kind = field_spec::form::record_type;
        read_fields(c, binder, kind, spec.members);
      } else if (c.is_type<g::concrete_type>()) {
        spec.kind = field_spec::form::concrete_type;
        for (const auto& segment : c.children) {
          if (!spec.type_name.empty()) spec.type_name += "::";
          spec.type_name += segment->string_view();
        }
      } else if (c.is_type<g::pin_value>()) {
        has_value = true;
        for (const auto& part : c.children) {
          if (part->is_type<g::pin_principal>()) spec.root = pin_root::principal;
          if (part->is_type<g::pin_resource>()) spec.root = pin_root::resource;
          if (part->is_type<g::pin_context>()) spec.root = pin_root::context;
          if (part->is_type<g::pin_segment>()) spec.pin_path.push_back(part->string());
        }
      }
    }
    if (spec.pinned && !has_value) {
      error(n, "pinned field `" + spec.name + "` is missing its pin value; write `pin " + spec.name +
                   ": <type> = context.<...>`");
    } else if (!spec.pinned && has_value) {
      error(n, "field `" + spec.name +
                   "` has a `= context.<...>` value but is not marked `pin`; write `pin " + spec.name +
                   ": <type> = ...`");
    } else if (spec.pinned && spec.kind == field_spec::form::record_type) {
      error(n, "field `" + spec.name +
                   "` is a record group and cannot be pinned; pin a leaf field inside it instead");
    }
    if (!spec.pinned) spec.pin_path.clear();
  }

  const source_file& file_;
  std::vector<diagnostic>& diagnostics_;
  bool failed_ = false;
};

// ---- derivation ---------------------------------------------------------------------------

field_type from_schema_type(const schema_data& s, schema_type_id id, std::uint32_t depth) {
  field_type out;
  if (id >= s.types.size() || depth > max_derived_depth) return out;
  const schema_type& t = s.types[id];
  switch (t.kind) {
    case schema_type_kind::boolean:
      out.kind = field_type_kind::boolean;
      break;
    case schema_type_kind::long_integer:
      out.kind = field_type_kind::long_integer;
      break;
    case schema_type_kind::string:
      out.kind = field_type_kind::string;
      break;
    case schema_type_kind::entity:
      out.kind = field_type_kind::entity;
      out.entity_types.push_back(t.name);
      break;
    case schema_type_kind::set:
      out.kind = field_type_kind::set;
      out.element.push_back(from_schema_type(s, t.element, depth + 1));
      break;
    case schema_type_kind::record:
      out.kind = field_type_kind::record;
      break;
    case schema_type_kind::extension: {
      const std::string_view name = symbol_text(t.name);
      out.kind = name == "decimal"    ? field_type_kind::decimal
                 : name == "ipaddr"   ? field_type_kind::ipaddr
                 : name == "datetime" ? field_type_kind::datetime
                 : name == "duration" ? field_type_kind::duration
                                      : field_type_kind::unknown;
      break;
    }
  }
  return out;
}

/// A concrete type written in the event schema (`String`, `decimal`, `Drupe::OAuthUser`).
field_type from_type_name(std::string_view written, const schema_data* cedar, entity_uid action) {
  std::string_view name = written;
  if (name.starts_with("__cedar::")) name.remove_prefix(9);
  field_type out;
  if (name == "String") {
    out.kind = field_type_kind::string;
  } else if (name == "Long") {
    out.kind = field_type_kind::long_integer;
  } else if (name == "Bool" || name == "Boolean") {
    out.kind = field_type_kind::boolean;
  } else if (name == "decimal" || name == "Decimal") {
    out.kind = field_type_kind::decimal;
  } else if (name == "ipaddr") {
    out.kind = field_type_kind::ipaddr;
  } else if (name == "datetime") {
    out.kind = field_type_kind::datetime;
  } else if (name == "duration") {
    out.kind = field_type_kind::duration;
  } else if (cedar == nullptr) {
    out.kind = field_type_kind::entity;
    out.entity_types.push_back(intern(name));
  } else {
    // As written, then in the action's namespace (where an unqualified name would resolve).
    std::vector<std::string> candidates{std::string(name)};
    const std::string_view action_type = symbol_text(action.type);
    if (const std::size_t at = action_type.rfind("::"); at != std::string_view::npos)
      candidates.push_back(std::string(action_type.substr(0, at)) + "::" + std::string(name));
    for (const auto& candidate : candidates) {
      const auto sym = find_symbol(candidate);
      if (sym && cedar->find_entity_type(*sym) != nullptr) {
        out.kind = field_type_kind::entity;
        out.entity_types.push_back(*sym);
        break;
      }
    }
    // A name the Cedar schema does not declare stays unknown, as Dogwood keeps it verbatim.
  }
  return out;
}

class deriver {
 public:
  deriver(const schema_data* cedar, const std::string& file, std::vector<diagnostic>& diagnostics)
      : cedar_(cedar), file_(file), diagnostics_(diagnostics) {}

  [[nodiscard]] bool failed() const noexcept { return failed_; }

  void derive(const event_decl& decl, const action_info* action, entity_uid action_uid, derived_event& out) {
    out.action = action_uid;
    out.kind = intern(decl.kind);
    out.decision = decl.decision;
    std::vector<symbol> prefix;
    fields(decl.fields, prefix, action, action_uid, decl, out);
    std::sort(out.fields.begin(), out.fields.end(),
              [](const event_field& a, const event_field& b) { return a.text < b.text; });
  }

 private:
  void error(const field_spec& at, std::string message) {
    if (failed_) return;  // one is enough: the same spread fails the same way for every action
    diagnostic d;
    d.code = "event-schema";
    d.message = std::move(message);
    d.where.file = file_;
    d.where.line = at.line;
    d.where.column = at.column;
    d.where.length = 1;
    diagnostics_.push_back(std::move(d));
    failed_ = true;
  }

  void fields(const std::vector<field_spec>& specs, std::vector<symbol>& prefix, const action_info* action,
              entity_uid action_uid, const event_decl& decl, derived_event& out) {
    for (const field_spec& spec : specs) {
      if (failed_) return;
      if (spec.kind == field_spec::form::spread) {
        const bool inputs = spec.sel == selector::inputs;
        if (!inputs && spec.sel != selector::outputs) continue;  // reported by the parser
        prefix.push_back(intern(inputs ? "input" : "output"));
        out.groups.push_back(prefix);
        if (cedar_ == nullptr) {
          out.open_groups.push_back(prefix);
        } else if (action != nullptr) {
          const schema_attribute* attr = cedar_->find_attribute(action->context, prefix.back());
          std::size_t budget = 0;
          if (attr != nullptr && attr->type < cedar_->types.size() &&
              cedar_->types[attr->type].kind == schema_type_kind::record)
            members(attr->type, prefix, 1, budget, spec, decl, out);
        }
        prefix.pop_back();
        continue;
      }
      prefix.push_back(intern(spec.name));
      switch (spec.kind) {
        case field_spec::form::record_type:
          out.groups.push_back(prefix);
          fields(spec.members, prefix, action, action_uid, decl, out);
          break;
        case field_spec::form::selector_type: {
          field_type t;
          t.kind = field_type_kind::entity;
          if (action != nullptr) {
            t.entity_types =
                spec.sel == selector::principal_type ? action->principal_types : action->resource_types;
          }
          add_leaf(prefix, std::move(t), out);
          break;
        }
        case field_spec::form::concrete_type:
          add_leaf(prefix, from_type_name(spec.type_name, cedar_, action_uid), out);
          break;
        case field_spec::form::spread:
          break;
      }
      if (spec.pinned) {
        event_pin pin;
        pin.field = prefix;
        pin.field_text = dotted(prefix);
        pin.root = spec.root;
        pin.path = interned(spec.pin_path);
        out.pins.push_back(std::move(pin));
      }
      prefix.pop_back();
    }
  }

  /// The attributes of Cedar record `record` as fields under `prefix`; records nest as groups.
  void members(schema_type_id record, std::vector<symbol>& prefix, std::uint32_t depth, std::size_t& budget,
               const field_spec& spec, const event_decl& decl, derived_event& out) {
    for (const schema_attribute& a : cedar_->record_attributes(record)) {
      if (failed_) return;
      if (depth > max_derived_depth) {
        error(spec, "`..." + std::string(selector_name(spec.sel)) + "(" + decl.binder + ")` on `" +
                        decl.kind + "` nests deeper than " + std::to_string(max_derived_depth) +
                        " levels; the Cedar schema likely has a cyclic type");
        return;
      }
      if (++budget > max_derived_fields) {
        error(spec, "`..." + std::string(selector_name(spec.sel)) + "(" + decl.binder + ")` on `" +
                        decl.kind + "` expands to more than " + std::to_string(max_derived_fields) +
                        " fields; the Cedar schema likely has a type whose nesting fans out exponentially");
        return;
      }
      prefix.push_back(a.name);
      if (a.type < cedar_->types.size() && cedar_->types[a.type].kind == schema_type_kind::record) {
        out.groups.push_back(prefix);
        members(a.type, prefix, depth + 1, budget, spec, decl, out);
      } else {
        add_leaf(prefix, from_schema_type(*cedar_, a.type, 0), out);
      }
      prefix.pop_back();
    }
  }

  static void add_leaf(const std::vector<symbol>& path, field_type type, derived_event& out) {
    event_field f;
    f.path = path;
    f.text = dotted(path);
    f.type = std::move(type);
    out.fields.push_back(std::move(f));
  }

  const schema_data* cedar_;
  const std::string& file_;
  std::vector<diagnostic>& diagnostics_;
  bool failed_ = false;
};

/// Dogwood's symmetric pins: the reference reads, on the current request, the value the
/// field itself logs.
bool is_symmetric(const event_pin& pin) {
  if (pin.root == pin_root::context) return pin.path == pin.field;
  if (!pin.path.empty() || pin.field.size() != 1) return false;
  const std::string_view field = symbol_text(pin.field.front());
  return (pin.root == pin_root::principal && field == "callerPrincipal") ||
         (pin.root == pin_root::resource && field == "callerResource");
}

bool starts_with(std::span<const symbol> path, std::span<const symbol> prefix) noexcept {
  return prefix.size() <= path.size() && std::equal(prefix.begin(), prefix.end(), path.begin());
}

// ---- validation ---------------------------------------------------------------------------

/// The type of a constant term's value.
field_type constant_type(const value& v) {
  field_type out;
  switch (v.kind) {
    case value_kind::boolean:
      out.kind = field_type_kind::boolean;
      break;
    case value_kind::integer:
      out.kind = field_type_kind::long_integer;
      break;
    case value_kind::string:
      out.kind = field_type_kind::string;
      break;
    case value_kind::entity:
      out.kind = field_type_kind::entity;
      out.entity_types.push_back(v.entity.type);
      break;
    case value_kind::set:
      out.kind = field_type_kind::set;
      break;
    case value_kind::record:
      out.kind = field_type_kind::record;
      break;
    case value_kind::decimal:
      out.kind = field_type_kind::decimal;
      break;
    case value_kind::ip:
      out.kind = field_type_kind::ipaddr;
      break;
    case value_kind::datetime:
      out.kind = field_type_kind::datetime;
      break;
    case value_kind::duration:
      out.kind = field_type_kind::duration;
      break;
  }
  return out;
}

/// What a term is known to be, for checking it against a field's declared type.
struct actual_type {
  bool known = false;
  bool timepoint = false;
  field_type type;
};

bool entity_type_matches(symbol declared, symbol actual) {
  if (declared == actual) return true;
  const std::string_view d = symbol_text(declared);
  const std::string_view a = symbol_text(actual);
  // A name written without a namespace (no Cedar schema, or a binder's annotation) matches by
  // its last segment.
  if (d.find("::") == std::string_view::npos) return simple_name(a) == d;
  if (a.find("::") == std::string_view::npos) return simple_name(d) == a;
  return false;
}

bool accepts(const field_type& expected, const actual_type& actual) {
  if (!actual.known || expected.kind == field_type_kind::unknown) return true;
  if (actual.timepoint) return false;  // a timepoint index is never a logged value
  if (actual.type.kind == field_type_kind::unknown) return true;
  if (actual.type.kind != expected.kind) return false;
  if (expected.kind == field_type_kind::entity) {
    if (expected.entity_types.empty() || actual.type.entity_types.empty()) return true;
    for (const symbol a : actual.type.entity_types)
      for (const symbol e : expected.entity_types)
        if (entity_type_matches(e, a)) return true;
    return false;
  }
  if (expected.kind == field_type_kind::set) {
    if (expected.element.empty() || actual.type.element.empty()) return true;
    actual_type element;
    element.known = true;
    element.type = actual.type.element.front();
    return accepts(expected.element.front(), element);
  }
  return true;
}

/// Dogwood's spelling of types in argument messages: `int`, `string`, `boolean`, `decimal`,
/// an entity type's last segment, `array<T>`. `qualified` keeps entity namespaces (used when
/// the short names of the two sides would read the same).
std::string display(const field_type& t, bool qualified) {
  switch (t.kind) {
    case field_type_kind::unknown:
      return "?";
    case field_type_kind::boolean:
      return "boolean";
    case field_type_kind::long_integer:
      return "int";
    case field_type_kind::string:
      return "string";
    case field_type_kind::decimal:
      return "decimal";
    case field_type_kind::ipaddr:
      return "ipaddr";
    case field_type_kind::datetime:
      return "datetime";
    case field_type_kind::duration:
      return "duration";
    case field_type_kind::entity: {
      if (t.entity_types.empty()) return "entity";
      std::vector<std::string> names;
      for (const symbol s : t.entity_types)
        names.emplace_back(qualified ? symbol_text(s) : simple_name(symbol_text(s)));
      return join(names, " | ");
    }
    case field_type_kind::set:
      return t.element.empty() || t.element.front().kind == field_type_kind::unknown
                 ? "array"
                 : "array<" + display(t.element.front(), qualified) + ">";
    case field_type_kind::record:
      return "object";
  }
  return "?";
}

std::string display(const actual_type& t, bool qualified) {
  return t.timepoint ? "timepoint" : display(t.type, qualified);
}

class checker {
 public:
  checker(const temporal::temporal_program& program, const derived_event_schema& schema,
          const policy_set_ast& ast, std::vector<diagnostic>& diagnostics)
      : program_(program), schema_(schema), ast_(ast), diagnostics_(diagnostics) {}

  void run() {
    // Each predicate is checked once, with the binder types of the first leaf that reaches it.
    std::vector<const temporal::leaf*> owner(program_.predicates.size(), nullptr);
    std::vector<char> seen_node(program_.nodes.size(), 0);
    std::vector<char> seen_term(program_.terms.size(), 0);
    for (const temporal::leaf& l : program_.leaves) {
      std::vector<temporal::node_id> stack{l.root};
      std::vector<temporal::term_id> terms;
      while (!stack.empty() || !terms.empty()) {
        if (!terms.empty()) {
          const temporal::term_id t = terms.back();
          terms.pop_back();
          if (t >= program_.terms.size() || seen_term[t] != 0) continue;
          seen_term[t] = 1;
          const temporal::term& term = program_.terms[t];
          if ((term.kind == temporal::term_kind::count || term.kind == temporal::term_kind::sum) &&
              term.aggregate < program_.aggregates.size())
            stack.push_back(program_.aggregates[term.aggregate].body);
          for (const temporal::term_id e : term.elements) terms.push_back(e);
          continue;
        }
        const temporal::node_id id = stack.back();
        stack.pop_back();
        if (id >= program_.nodes.size() || seen_node[id] != 0) continue;
        seen_node[id] = 1;
        const temporal::node& n = program_.nodes[id];
        switch (n.kind) {
          case temporal::node_kind::conjunction:
          case temporal::node_kind::since:
            stack.push_back(n.a);
            stack.push_back(n.b);
            break;
          case temporal::node_kind::negation:
          case temporal::node_kind::formerly:
          case temporal::node_kind::previous:
          case temporal::node_kind::exists:
            stack.push_back(n.a);
            break;
          case temporal::node_kind::predicate:
            if (n.index < owner.size() && owner[n.index] == nullptr) owner[n.index] = &l;
            if (n.index < program_.predicates.size())
              for (const auto& f : program_.predicates[n.index].fields) terms.push_back(f.pattern);
            break;
          case temporal::node_kind::comparison:
            terms.push_back(n.left);
            terms.push_back(n.right);
            break;
          case temporal::node_kind::timepoint:
            break;
        }
      }
    }
    for (std::size_t i = 0; i < program_.predicates.size(); ++i) predicate(program_.predicates[i], owner[i]);
    for (const temporal::term& t : program_.terms) entity_literal(t);
    for (const temporal::node& n : program_.nodes) window(n);
  }

 private:
  void report(source_span span, const char* code, std::string message) {
    diagnostics_.push_back(make_diagnostic(ast_, span, code, std::move(message)));
  }

  static std::string head(const temporal::predicate& p) {
    return to_cedar(p.action) + "::" + std::string(symbol_text(p.kind));
  }

  void predicate(const temporal::predicate& p, const temporal::leaf* owner) {
    const derived_event* ev = schema_.find(p.action, p.kind);
    if (ev == nullptr) {
      report(p.span, "temporal",
             "predicate `" + head(p) + "` does not name a declared event (no event kind `" +
                 std::string(symbol_text(p.kind)) + "` derived for action `" + action_id_text(p.action) +
                 "`)");
      return;
    }
    for (const temporal::field_pattern& f : p.fields) {
      const source_span at = f.span.end > f.span.begin ? f.span : p.span;
      const event_field* leaf = nullptr;
      const std::string path = dotted(f.path);
      switch (ev->lookup(f.path, &leaf)) {
        case path_lookup::group:
          report(at, "temporal",
                 "predicate `" + head(p) + "` mentions `" + path +
                     "`, which is a field group, not a field; address a field inside it (e.g. `" + path +
                     ".<field>`)");
          break;
        case path_lookup::absent:
          report(at, "temporal",
                 "predicate `" + head(p) + "` mentions field `" + path +
                     "`, which is not declared on that event (declared fields: " + ev->declared_fields() +
                     ")");
          break;
        case path_lookup::leaf:
          if (leaf != nullptr) argument(p, path, leaf->type, f.pattern, owner, at);
          break;
      }
    }
  }

  actual_type type_of(temporal::term_id id, const temporal::leaf* owner, std::uint32_t depth = 0) const {
    actual_type out;
    if (id >= program_.terms.size()) return out;
    const temporal::term& t = program_.terms[id];
    switch (t.kind) {
      case temporal::term_kind::constant:
        out.known = true;
        out.type = constant_type(t.constant);
        return out;
      case temporal::term_kind::count:
      case temporal::term_kind::sum:
        out.known = true;
        out.type.kind = field_type_kind::long_integer;
        return out;
      case temporal::term_kind::variable: {
        if (owner == nullptr || t.var >= owner->variables.size()) return out;
        const temporal::variable_info& v = owner->variables[t.var];
        if (v.is_timepoint) {
          out.known = true;
          out.timepoint = true;
          return out;
        }
        if (v.type_name.empty()) return out;
        out.known = true;
        out.type = from_type_name(v.type_name, nullptr, {});
        return out;
      }
      case temporal::term_kind::array: {
        // A set whose element type is the elements' common type, when they have one; a mixed
        // array is checked element by element (see argument).
        out.known = true;
        out.type.kind = field_type_kind::set;
        if (depth > max_derived_depth) return out;
        std::optional<actual_type> common;
        for (const temporal::term_id e : t.elements) {
          actual_type element = type_of(e, owner, depth + 1);
          if (!element.known || element.timepoint || element.type.kind == field_type_kind::unknown)
            return out;
          if (common && (common->type.kind != element.type.kind ||
                         common->type.entity_types != element.type.entity_types))
            return out;
          if (!common) common = std::move(element);
        }
        if (common) out.type.element.push_back(std::move(common->type));
        return out;
      }
      case temporal::term_kind::context_path:
      case temporal::term_kind::principal:
      case temporal::term_kind::resource:
      case temporal::term_kind::wildcard:
        return out;
    }
    return out;
  }

  void argument(const temporal::predicate& p, const std::string& path, const field_type& expected,
                temporal::term_id pattern, const temporal::leaf* owner, source_span at) {
    if (pattern >= program_.terms.size() || expected.kind == field_type_kind::unknown) return;
    const temporal::term& t = program_.terms[pattern];
    actual_type actual = type_of(pattern, owner);
    bool ok = accepts(expected, actual);
    if (ok && t.kind == temporal::term_kind::array && expected.kind == field_type_kind::set &&
        !expected.element.empty()) {
      // Every element must fit the set's element type; the message then names the first misfit.
      for (const temporal::term_id e : t.elements) {
        const actual_type element = type_of(e, owner);
        if (accepts(expected.element.front(), element)) continue;
        ok = false;
        if (element.known && !element.timepoint) actual.type.element.assign(1, element.type);
        break;
      }
    }
    if (ok) return;
    std::string want = display(expected, false);
    std::string got = display(actual, false);
    if (want == got) {
      want = display(expected, true);
      got = display(actual, true);
    }
    report(at, "type",
           "argument `" + path + "` of `" + action_id_text(p.action) + "` expects `" + want + "` but got `" +
               got + "`");
  }

  void entity_literal(const temporal::term& t) {
    if (!schema_.has_cedar_schema || t.kind != temporal::term_kind::constant ||
        t.constant.kind != value_kind::entity)
      return;
    const entity_uid e = t.constant.entity;
    const std::string_view type = symbol_text(e.type);
    if (is_action_type(type)) return;  // actions are named by the event schema, not entity types
    if (schema_.entity_types.count(e.type) == 0) {
      std::vector<std::string> known;
      known.reserve(schema_.entity_types.size());
      for (const symbol s : schema_.entity_types) known.emplace_back(symbol_text(s));
      std::sort(known.begin(), known.end());
      report(t.span, "temporal",
             "unknown entity type `" + std::string(type) + "`" + did_you_mean(type, known));
      return;
    }
    const auto it = schema_.enum_ids.find(e.type);
    if (it == schema_.enum_ids.end()) return;
    if (std::find(it->second.begin(), it->second.end(), e.id) != it->second.end()) return;
    std::vector<std::string> ids;
    ids.reserve(it->second.size());
    for (const symbol id : it->second) ids.push_back(quote(symbol_text(id)));
    report(t.span, "temporal",
           "`" + std::string(type) + "` is an enum entity type; `" + quote(symbol_text(e.id)) +
               "` is not one of its permitted ids (" + join(ids, ", ") + ")");
  }

  void window(const temporal::node& n) {
    if (n.kind != temporal::node_kind::formerly && n.kind != temporal::node_kind::previous &&
        n.kind != temporal::node_kind::since)
      return;
    if (n.window_ms <= 0) {
      report(n.span, "temporal",
             "temporal window `" + window_text(n.window_ms) +
                 "` must be positive; a zero or negative window matches no events, silently disabling this "
                 "guard");
    } else if (n.window_ms > schema_.max_window_ms) {
      const std::string cap =
          schema_.max_window_text.empty() ? window_text(schema_.max_window_ms) : schema_.max_window_text;
      report(n.span, "temporal",
             "temporal window `" + window_text(n.window_ms) + "` exceeds the maximum allowed window `" + cap +
                 "` set by the event schema's `max_window`; shorten this window to at most `" + cap +
                 "`, or raise `max_window` in the event schema");
    }
  }

  const temporal::temporal_program& program_;
  const derived_event_schema& schema_;
  const policy_set_ast& ast_;
  std::vector<diagnostic>& diagnostics_;
};

}  // namespace

std::string_view default_event_schema() noexcept { return default_schema_text; }

bool parse_event_schema(std::string_view text, std::string_view source_name, event_schema_ast& out,
                        std::vector<diagnostic>& diagnostics) {
  out = event_schema_ast{};
  out.source_name = std::string(source_name);
  try {
    // A byte-order mark is an artefact of the editor; blank it so positions stay put.
    std::string owned(text);
    if (owned.starts_with("\xEF\xBB\xBF")) owned.replace(0, 3, "   ");
    const source_file file(out.source_name, owned);
    schema_reader reader(file, diagnostics);
    // The tree's nodes refer to the input's source name: the input outlives them.
    peg::memory_input in(file.text.data(), file.text.data() + file.text.size(), out.source_name);
    std::unique_ptr<parse_node> root;
    try {
      root = peg::parse_tree::parse<g::schema, parse_node, selector_rules, peg::nothing, schema_control>(in);
    } catch (const peg::parse_error& e) {
      const std::size_t at = e.positions().empty() ? 0 : e.positions().front().byte;
      reader.error_at(at, 1, std::string(e.message()));
      return false;
    }
    if (!root) {
      reader.error_at(0, 1, "expected an event declaration `[decision] event <A>::kind { ... }`");
      return false;
    }
    reader.read(*root, out);
    return !reader.failed();
  } catch (const std::exception& e) {
    diagnostic d;
    d.code = "event-schema";
    d.message = std::string("cannot read the event schema: ") + e.what();
    d.where.file = out.source_name;
    diagnostics.push_back(std::move(d));
    return false;
  }
}

std::string field_type::describe() const {
  switch (kind) {
    case field_type_kind::unknown:
      return "?";
    case field_type_kind::boolean:
      return "Bool";
    case field_type_kind::long_integer:
      return "Long";
    case field_type_kind::string:
      return "String";
    case field_type_kind::decimal:
      return "decimal";
    case field_type_kind::ipaddr:
      return "ipaddr";
    case field_type_kind::datetime:
      return "datetime";
    case field_type_kind::duration:
      return "duration";
    case field_type_kind::entity: {
      if (entity_types.empty()) return "entity";
      std::vector<std::string> names;
      for (const symbol s : entity_types) names.emplace_back(symbol_text(s));
      return join(names, " | ");
    }
    case field_type_kind::set:
      return "Set<" + (element.empty() ? std::string("?") : element.front().describe()) + ">";
    case field_type_kind::record:
      return "record";
  }
  return "?";
}

field_type field_type_of(const schema_data& cedar, schema_type_id type) {
  return from_schema_type(cedar, type, 0);
}

field_type field_type_of_name(std::string_view written) { return from_type_name(written, nullptr, {}); }

field_type field_type_of_value(const value& v) { return constant_type(v); }

bool field_type_accepts(const field_type& expected, const field_type& actual) {
  actual_type a;
  a.known = true;
  a.type = actual;
  return accepts(expected, a);
}

std::string dogwood_type_text(const field_type& t, bool qualified) { return display(t, qualified); }

std::string event_pin::reference_text() const {
  std::string out = root == pin_root::principal  ? "principal"
                    : root == pin_root::resource ? "resource"
                                                 : "context";
  for (const symbol s : path) {
    out += '.';
    out += symbol_text(s);
  }
  return out;
}

path_lookup derived_event::lookup(std::span<const symbol> path, const event_field** leaf) const {
  if (leaf != nullptr) *leaf = nullptr;
  if (path.empty()) return path_lookup::absent;
  for (const event_field& f : fields) {
    if (f.path.size() == path.size() && std::equal(path.begin(), path.end(), f.path.begin())) {
      if (leaf != nullptr) *leaf = &f;
      return path_lookup::leaf;
    }
  }
  for (const auto& group : groups)
    if (group.size() == path.size() && std::equal(path.begin(), path.end(), group.begin()))
      return path_lookup::group;
  for (const auto& group : open_groups)
    if (group.size() < path.size() && starts_with(path, group)) return path_lookup::leaf;
  return path_lookup::absent;
}

std::string derived_event::declared_fields() const {
  std::vector<std::string> names;
  names.reserve(fields.size() + open_groups.size());
  for (const event_field& f : fields) names.push_back(f.text);
  for (const auto& group : open_groups) names.push_back(dotted(group) + ".*");
  std::sort(names.begin(), names.end());
  return join(names, ", ");
}

const derived_event* derived_event_schema::find(entity_uid action, symbol kind) const noexcept {
  const auto it = index.find({any_action ? 0 : action.key(), kind});
  return it == index.end() || it->second >= events.size() ? nullptr : &events[it->second];
}

bool derived_event_schema::is_decision_kind(symbol kind) const noexcept {
  return std::find(decision_kinds.begin(), decision_kinds.end(), kind) != decision_kinds.end();
}

bool derive_event_schema(const event_schema_ast& schema, const schema_data* cedar, derived_event_schema& out,
                         std::vector<diagnostic>& diagnostics) {
  out = derived_event_schema{};
  try {
    out.any_action = cedar == nullptr;
    out.has_cedar_schema = cedar != nullptr;
    if (schema.has_max_window) {
      out.max_window_ms = schema.max_window_ms;
      out.max_window_text = schema.max_window_text;
    }
    for (const event_decl& decl : schema.events) {
      const symbol kind = intern(decl.kind);
      if (std::find(out.kinds.begin(), out.kinds.end(), kind) == out.kinds.end()) out.kinds.push_back(kind);
      if (decl.decision && !out.is_decision_kind(kind)) out.decision_kinds.push_back(kind);
    }

    deriver d(cedar, schema.source_name, diagnostics);
    auto add = [&](const action_info* action, entity_uid uid) {
      for (const event_decl& decl : schema.events) {
        derived_event ev;
        d.derive(decl, action, uid, ev);
        const auto key = std::make_pair(out.any_action ? std::uint64_t{0} : uid.key(), ev.kind);
        if (out.index.count(key) != 0) continue;  // a repeated kind was reported by the parser
        out.index.emplace(key, static_cast<std::uint32_t>(out.events.size()));
        out.events.push_back(std::move(ev));
      }
    };
    if (cedar == nullptr) {
      add(nullptr, {});
    } else {
      for (const action_info& action : cedar->actions) add(&action, action.uid);
      for (const entity_type_info& t : cedar->entity_types) {
        out.entity_types.insert(t.name);
        if (t.enumerated) out.enum_ids.emplace(t.name, t.enum_ids);
      }
    }
    if (d.failed()) return false;

    // Universal: declared identically on every derived event. Symmetric: see is_symmetric.
    if (!out.events.empty()) {
      for (const event_pin& pin : out.events.front().pins) {
        if (!is_symmetric(pin)) continue;
        const bool everywhere =
            std::all_of(out.events.begin(), out.events.end(), [&](const derived_event& ev) {
              return std::find(ev.pins.begin(), ev.pins.end(), pin) != ev.pins.end();
            });
        if (!everywhere) continue;
        out.universal_pins.push_back(pin);
        out.universal_pins.back().universal = true;
      }
      for (derived_event& ev : out.events)
        for (event_pin& pin : ev.pins)
          pin.universal = std::find(out.universal_pins.begin(), out.universal_pins.end(), pin) !=
                          out.universal_pins.end();
    }
    return true;
  } catch (const std::exception& e) {
    diagnostic diag;
    diag.code = "event-schema";
    diag.message = std::string("cannot derive the event schema: ") + e.what();
    diag.where.file = schema.source_name;
    diagnostics.push_back(std::move(diag));
    out = derived_event_schema{};
    return false;
  }
}

void validate_predicates(const temporal::temporal_program& program, const derived_event_schema& schema,
                         const policy_set_ast& ast, std::vector<diagnostic>& diagnostics) {
  try {
    checker(program, schema, ast, diagnostics).run();
  } catch (const std::exception& e) {
    diagnostic d;
    d.code = "temporal";
    d.message = std::string("cannot validate the temporal conditions: ") + e.what();
    diagnostics.push_back(std::move(d));
  }
}

std::vector<temporal::field_pattern> pins_for(const derived_event_schema& schema,
                                              const temporal::predicate& p,
                                              temporal::temporal_program& program, bool include_universal) {
  std::vector<temporal::field_pattern> out;
  const derived_event* ev = schema.find(p.action, p.kind);
  if (ev == nullptr) return out;
  for (const event_pin& pin : ev->pins) {
    if (pin.universal && !include_universal) continue;
    temporal::term t;
    t.kind = pin.root == pin_root::context     ? temporal::term_kind::context_path
             : pin.root == pin_root::principal ? temporal::term_kind::principal
                                               : temporal::term_kind::resource;
    t.path = pin.path;
    t.span = p.span;
    program.terms.push_back(std::move(t));
    temporal::field_pattern f;
    f.path = pin.field;
    f.pattern = static_cast<temporal::term_id>(program.terms.size() - 1);
    f.span = p.span;
    out.push_back(std::move(f));
  }
  return out;
}

const value* event_pin_value(const event_pin& pin, const temporal::event& event) noexcept {
  const value* at = &event.fields;
  for (const symbol s : pin.field) {
    if (at->kind != value_kind::record || at->record == nullptr) return nullptr;
    at = record_find(*at->record, s);
    if (at == nullptr) return nullptr;
  }
  return pin.field.empty() ? nullptr : at;
}

bool request_pin_value(const event_pin& pin, const request_view& request, const entity_data* entities,
                       value& out) noexcept {
  value at;
  std::span<const symbol> path = pin.path;
  if (pin.root == pin_root::context) {
    if (path.empty()) return false;
    at = request.context;
  } else {
    at = value::of_entity(pin.root == pin_root::principal ? request.principal : request.resource);
    if (!path.empty()) {
      // `principal.dept`: the attribute of the scope entity, then a record path below it.
      if (entities == nullptr) return false;
      const entity_record* record = entities->find(at.entity);
      if (record == nullptr) return false;
      at = record->attributes;
    }
  }
  for (const symbol s : path) {
    if (at.kind != value_kind::record || at.record == nullptr) return false;
    const value* next = record_find(*at.record, s);
    if (next == nullptr) return false;
    at = *next;
  }
  out = at;
  return true;
}

}  // namespace mandate::detail::dogwood
