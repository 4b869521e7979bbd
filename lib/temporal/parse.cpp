// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Temporal text -> syntax tree (PEGTL parse tree, converted), and expanded syntax tree ->
// formula.hpp (variables numbered, aggregates placed, windows capped). PEGTL reports a syntax
// error by throwing; that stays inside this file and becomes a diagnostic.
#include "temporal/parse.hpp"

#include <tao/pegtl/contrib/parse_tree.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <exception>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "parse/parser.hpp"
#include "temporal/syntax.hpp"
#include "temporal_grammar.hpp"
#include "value/extensions.hpp"

namespace mandate::temporal_grammar {

std::size_t& nesting_limit() noexcept {
  thread_local std::size_t limit = 128;
  return limit;
}

}  // namespace mandate::temporal_grammar

namespace mandate::detail::temporal {
namespace syntax {
namespace {

namespace peg = tao::pegtl;
namespace g = mandate::temporal_grammar;
using parse_node = peg::parse_tree::node;

// ---- error messages for the rules a `must` can fail on -----------------------------------

template <typename Rule>
constexpr const char* error_message = nullptr;
#define MANDATE_EXPECT(rule, text) \
  template <>                      \
  constexpr const char* error_message<rule> = text
MANDATE_EXPECT(g::condition, "expected a temporal condition");
MANDATE_EXPECT(g::since_expr, "expected a condition after `&&`");
MANDATE_EXPECT(g::relation, "expected a condition after `!`");
MANDATE_EXPECT(g::end_of_block, "expected `&&`, `since` or the end of the temporal condition");
MANDATE_EXPECT(g::close_paren, "expected `)`");
MANDATE_EXPECT(g::call_close, "expected `,` or `)` after the macro argument");
MANDATE_EXPECT(g::close_brace, "expected `,` and another `field: value`, or `}`");
MANDATE_EXPECT(g::close_bracket, "expected `,` or `]`");
MANDATE_EXPECT(peg::one<'"'>, "unterminated string literal");
MANDATE_EXPECT(peg::one<'('>, "expected `(`");
MANDATE_EXPECT(g::lit_string, "expected a string literal");
MANDATE_EXPECT(g::window, "expected a window such as `1h` after `within`");
MANDATE_EXPECT(g::time_unit, "expected a time unit (`s`, `m`, `h` or `d`) after the window length");
MANDATE_EXPECT(g::within_clause,
               "expected `within` and a window such as `within 1h` (every temporal operator is bounded)");
MANDATE_EXPECT(g::atom, "expected the condition to look for");
MANDATE_EXPECT(g::typed_binder, "expected a typed binder such as `(x: Long)`");
MANDATE_EXPECT(g::binder_slot, "expected a variable name");
MANDATE_EXPECT(g::summand,
               "expected the summed variable after `sum`, as in `sum a for (a: Long). where ...`");
MANDATE_EXPECT(g::binder_colon, "expected `:` and the variable's type, as in `(x: Long)`");
MANDATE_EXPECT(g::type_name, "expected a type such as `Long`, `String`, `Timepoint` or `Ns::Entity`");
MANDATE_EXPECT(g::binder_dot, "expected `.` after the binder");
MANDATE_EXPECT(g::exists_body, "expected the condition of the `exists` after `.`");
MANDATE_EXPECT(g::for_list,
               "expected `for` and the aggregation's binders, as in `count for (t: Timepoint). where ...`");
MANDATE_EXPECT(g::where_clause, "expected `where` and the aggregation's condition");
MANDATE_EXPECT(g::where_body, "expected the aggregation's condition after `where`");
MANDATE_EXPECT(g::context_path_tail, "expected `.` and a field name after `context`");
MANDATE_EXPECT(g::event_kind, "expected the event kind (such as `request` or `response`) after `::`");
MANDATE_EXPECT(g::field_block, "expected `{` and the event's field patterns after the event kind");
MANDATE_EXPECT(g::field_colon, "expected `:` and a value after the field name");
MANDATE_EXPECT(g::field_value, "expected a value for the field");
MANDATE_EXPECT(g::call_arg, "expected a macro argument");
MANDATE_EXPECT(g::right_operand, "expected a value after the comparison operator");
MANDATE_EXPECT(g::unknown_operator, "expected a comparison operator (`==`, `<`, `<=`, `>` or `>=`)");
MANDATE_EXPECT(g::atom_needs_parentheses,
               "the condition after a window must be parenthesized when it is a temporal operator, an "
               "`exists` or a negation: write `formerly within 1h (!P)`");
MANDATE_EXPECT(g::let_binding,
               "`let` is not recognized; to bind an aggregation result, use `exists (var: Type). "
               "((count/sum …) == var && …)`");
MANDATE_EXPECT(g::missing_event_kind,
               "an event predicate needs its event kind: write `Ns::Action::\"Id\"::request{ ... }`");
MANDATE_EXPECT(g::missing_entity_id,
               "expected `::` and a quoted id: an entity is `Type::\"id\"`, an event predicate "
               "`Ns::Action::\"Id\"::kind{ ... }`");
MANDATE_EXPECT(g::not_equal, "there is no `!=` in temporal conditions; write `!(a == b)`");
MANDATE_EXPECT(g::single_equals, "`=` is not an operator; use `==` to compare");
MANDATE_EXPECT(g::no_disjunction,
               "there is no `||` in temporal conditions; write one policy for each alternative");
#undef MANDATE_EXPECT

// Rules whose message is complete: the offending text is part of the message already.
template <typename Rule>
constexpr bool says_what_was_found =
    std::is_same_v<Rule, g::atom_needs_parentheses> || std::is_same_v<Rule, g::let_binding> ||
    std::is_same_v<Rule, g::missing_event_kind> || std::is_same_v<Rule, g::missing_entity_id> ||
    std::is_same_v<Rule, g::not_equal> || std::is_same_v<Rule, g::single_equals> ||
    std::is_same_v<Rule, g::no_disjunction> || std::is_same_v<Rule, peg::one<'"'>>;

struct syntax_error : std::runtime_error {
  syntax_error(const std::string& message, std::size_t at) : std::runtime_error(message), offset(at) {}
  std::size_t offset;  // from the start of the parsed text
};

bool is_identifier_byte(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// What stands at `at`, for "expected X, found Y".
std::string describe_found(const char* at, const char* end) {
  if (at >= end) return "the end of the condition";
  const auto byte = static_cast<unsigned char>(*at);
  if (*at == '"') return "a string literal";
  if (byte < 0x20 || byte == 0x7F) return "a control character";
  std::size_t length = 1;
  if (is_identifier_byte(*at)) {
    while (at + length < end && length < 40 && is_identifier_byte(at[length])) ++length;
  } else if (byte >= 0x80) {
    while (at + length < end && length < 4 && (static_cast<unsigned char>(at[length]) & 0xC0) == 0x80)
      ++length;
  } else if (at + 1 < end) {
    static constexpr std::string_view pairs[] = {"&&", "||", "==", "!=", "<=", ">=", "::"};
    for (std::string_view pair : pairs)
      if (pair == std::string_view(at, 2)) length = 2;
  }
  return "`" + std::string(at, length) + "`";
}

template <typename Rule>
struct parser_control : peg::normal<Rule> {
  template <typename Input, typename... States>
  [[noreturn]] static void raise(const Input& in, States&&... /*unused*/) {
    const std::size_t at = in.position().byte;
    if constexpr (std::is_same_v<Rule, g::nesting_too_deep>) {
      throw syntax_error("temporal condition nested too deeply (more than " +
                             std::to_string(g::nesting_limit()) + " levels)",
                         at);
    } else if constexpr (says_what_was_found<Rule>) {
      throw syntax_error(error_message<Rule>, at);
    } else if constexpr (error_message<Rule> != nullptr) {
      throw syntax_error(
          std::string(error_message<Rule>) + ", found " + describe_found(in.current(), in.end()), at);
    } else {
      throw syntax_error("syntax error: expected " + std::string(peg::demangle<Rule>()) + ", found " +
                             describe_found(in.current(), in.end()),
                         at);
    }
  }
};

template <typename Rule>
using selector = peg::parse_tree::selector<
    Rule,
    peg::parse_tree::store_content::on<
        g::since_tail, g::negation, g::op_not, g::cmp_le, g::cmp_ge, g::cmp_eq, g::cmp_lt, g::cmp_gt,
        g::formerly_op, g::previous_op, g::window_literal, g::param_ref, g::fresh_ref, g::binder_name,
        g::exists_op, g::typed_binder, g::type_name, g::type_segment, g::tp_op, g::count_agg, g::sum_agg,
        g::for_list, g::decimal_lit, g::lit_string, g::context_field, g::principal_field, g::resource_field,
        g::field_name, g::lit_true, g::lit_false, g::lit_int, g::array_lit, g::wildcard, g::refinable_param,
        g::predicate, g::entity_ref, g::type_path, g::path_segment, g::event_kind, g::field_block,
        g::named_arg, g::field_path, g::call, g::call_name, g::interval_arg, g::variable>,
    peg::parse_tree::fold_one::on<g::condition, g::since_expr, g::relation>>;

constexpr std::int64_t ms_per_second = 1000;

std::int64_t unit_ms(char unit) noexcept {
  switch (unit) {
    case 's':
      return ms_per_second;
    case 'm':
      return 60 * ms_per_second;
    case 'h':
      return 60 * 60 * ms_per_second;
    default:
      return 24 * 60 * 60 * ms_per_second;
  }
}

// ---- parse tree -> syntax tree -------------------------------------------------------------

class tree_builder {
 public:
  tree_builder(source_span where, std::uint32_t max_depth, std::vector<node>& nodes, reporter& report)
      : where_(where), max_depth_(max_depth), nodes_(nodes), report_(report) {}

  std::uint32_t build(const parse_node& n) {
    if (n.is_type<g::condition>()) {
      node out;
      out.kind = form::conjunction;
      for (const auto& child : n.children) out.kids.push_back(build(*child));
      out.span = span_between(*n.children.front(), *n.children.back());
      return add(std::move(out));
    }
    if (n.is_type<g::since_expr>()) {  // [left, since_tail]; a lone operand was folded away
      const parse_node& tail = *n.children.at(1);
      node out;
      out.kind = form::since;
      out.kids.push_back(build(*n.children.at(0)));
      out.window = window(*tail.children.at(0));
      out.kids.push_back(build(*tail.children.at(1)));
      out.span = span_between(*n.children.front(), tail);
      return add(std::move(out));
    }
    if (n.is_type<g::negation>()) {  // [op_not..., operand]
      if (n.children.size() - 1 > max_depth_) {
        report_.error(span_of(n), "temporal condition nested too deeply (more than " +
                                      std::to_string(max_depth_) + " `!` in a row)");
        return build(*n.children.back());
      }
      std::uint32_t current = build(*n.children.back());
      for (std::size_t i = n.children.size() - 1; i-- > 0;) {
        node out;
        out.kind = form::negation;
        out.kids.push_back(current);
        out.span = nodes_[current].span;
        out.span.begin = span_of(*n.children[i]).begin;
        current = add(std::move(out));
      }
      return current;
    }
    if (n.is_type<g::relation>()) return comparison(n);
    if (n.is_type<g::formerly_op>() || n.is_type<g::previous_op>()) {
      node out;
      out.kind = n.is_type<g::formerly_op>() ? form::formerly : form::previous;
      out.window = window(*n.children.at(0));
      out.kids.push_back(build(*n.children.at(1)));
      out.span = span_of(n);
      return add(std::move(out));
    }
    if (n.is_type<g::exists_op>()) {
      node out;
      out.kind = form::exists;
      out.binders.push_back(binder_of(*n.children.at(0)));
      out.kids.push_back(build(*n.children.at(1)));
      out.span = span_of(n);
      return add(std::move(out));
    }
    if (n.is_type<g::tp_op>()) {
      node out;
      out.kind = form::timepoint;
      out.slot = slot_of(*n.children.at(0));
      out.span = span_of(n);
      return add(std::move(out));
    }
    if (n.is_type<g::count_agg>() || n.is_type<g::sum_agg>()) return aggregate(n);
    if (n.is_type<g::decimal_lit>()) return decimal(n);
    if (n.is_type<g::context_field>() || n.is_type<g::principal_field>() || n.is_type<g::resource_field>()) {
      node out;
      out.kind = n.is_type<g::context_field>()     ? form::context_path
                 : n.is_type<g::principal_field>() ? form::principal
                                                   : form::resource;
      for (const auto& child : n.children) out.path.push_back(intern(child->string_view()));
      out.span = span_of(n);
      return add(std::move(out));
    }
    if (n.is_type<g::lit_true>() || n.is_type<g::lit_false>())
      return constant(n, value::of_bool(n.is_type<g::lit_true>()));
    if (n.is_type<g::lit_string>()) return constant(n, value::of_string(intern(string_literal(n))));
    if (n.is_type<g::lit_int>()) return integer(n);
    if (n.is_type<g::array_lit>()) {
      node out;
      out.kind = form::array;
      for (const auto& child : n.children) out.kids.push_back(build(*child));
      out.span = span_of(n);
      return add(std::move(out));
    }
    if (n.is_type<g::wildcard>()) {
      node out;
      out.kind = form::wildcard;
      out.span = span_of(n);
      return add(std::move(out));
    }
    if (n.is_type<g::refinable_param>()) {  // [param_ref, field_block...]
      node out;
      out.kind = n.children.size() > 1 ? form::refine : form::variable;
      out.slot = slot_of(*n.children.at(0));
      for (std::size_t i = 1; i < n.children.size(); ++i) add_fields(*n.children[i], out.fields);
      out.span = span_of(n);
      return add(std::move(out));
    }
    if (n.is_type<g::fresh_ref>() || n.is_type<g::variable>()) {
      node out;
      out.kind = form::variable;
      out.slot = slot_of(n);
      out.span = span_of(n);
      return add(std::move(out));
    }
    if (n.is_type<g::predicate>()) return predicate(n);
    if (n.is_type<g::entity_ref>()) {
      const entity_uid e{intern(type_name(*n.children.at(0))), intern(string_literal(*n.children.at(1)))};
      return constant(n, value::of_entity(e));
    }
    if (n.is_type<g::call>()) {
      node out;
      out.kind = form::call;
      out.name = std::string(n.children.at(0)->string_view());
      for (std::size_t i = 1; i < n.children.size(); ++i) {
        const parse_node& arg = *n.children[i];
        if (arg.is_type<g::interval_arg>()) {
          node interval;
          interval.kind = form::interval;
          interval.window = window(arg);
          interval.span = span_of(arg);
          out.kids.push_back(add(std::move(interval)));
        } else {
          out.kids.push_back(build(arg));
        }
      }
      out.span = span_of(n);
      return add(std::move(out));
    }
    report_.error(span_of(n), "internal error: unexpected temporal syntax node " + std::string(n.type));
    node out;
    out.kind = form::wildcard;
    return add(std::move(out));
  }

 private:
  source_span span_of(const parse_node& n) const {
    return {where_.file, where_.begin + static_cast<std::uint32_t>(n.begin().byte),
            where_.begin + static_cast<std::uint32_t>(n.end().byte)};
  }
  // For nodes kept by fold_one, which lose their end.
  source_span span_between(const parse_node& first, const parse_node& last) const {
    return {where_.file, span_of(first).begin, span_of(last).end};
  }
  std::uint32_t add(node&& n) {
    nodes_.push_back(std::move(n));
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }
  std::uint32_t constant(const parse_node& n, value v) {
    node out;
    out.kind = form::constant;
    out.constant = v;
    out.span = span_of(n);
    return add(std::move(out));
  }

  std::string string_literal(const parse_node& n) {
    const std::string_view raw = n.string_view();
    std::string out;
    std::string message;
    if (!unescape_cedar(raw.substr(1, raw.size() - 2), out, message)) report_.error(span_of(n), message);
    return out;
  }

  static std::string type_name(const parse_node& n) {
    std::string name;
    for (const auto& segment : n.children) {
      if (!name.empty()) name += "::";
      name += segment->string_view();
    }
    return name;
  }

  std::uint32_t integer(const parse_node& n) {
    std::string_view text = n.string_view();
    const bool negative = !text.empty() && text.front() == '-';
    while (!text.empty() && (text.front() < '0' || text.front() > '9'))
      text.remove_prefix(1);  // `-` and blanks
    std::uint64_t magnitude = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), magnitude);
    const std::uint64_t limit =
        static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + (negative ? 1 : 0);
    if (ec != std::errc() || ptr != text.data() + text.size() || magnitude > limit) {
      report_.error(span_of(n), "integer literal `" + std::string(n.string_view()) +
                                    "` is out of range for a 64-bit Long");
      magnitude = 0;
    }
    const std::int64_t v =
        negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
    return constant(n, value::of_int(v));
  }

  std::uint32_t decimal(const parse_node& n) {
    const std::string text = string_literal(*n.children.at(0));
    std::int64_t scaled = 0;
    if (!parse_decimal(text, scaled))
      report_.error(span_of(n), "invalid decimal literal " + quote(text) +
                                    ": expected digits, a point and one to four digits, within the range "
                                    "of a decimal");
    return constant(n, value::of_scalar(value_kind::decimal, scaled));
  }

  // A `window_literal` ([amount, unit]), an `interval_arg` (its text) or a `param_ref`.
  window_spec window(const parse_node& n) {
    window_spec out;
    out.span = span_of(n);
    if (n.is_type<g::param_ref>()) {
      out.is_param = true;
      out.param = std::string(n.string_view().substr(1));
      out.text = std::string(n.string_view());
      return out;
    }
    std::string_view text = n.string_view();
    std::string compact;
    for (char c : text)
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') compact += c;
    out.text = compact;
    const char unit = compact.back();
    std::string_view digits(compact);
    digits.remove_suffix(1);
    const bool negative = !digits.empty() && digits.front() == '-';
    if (negative) digits.remove_prefix(1);
    std::uint64_t amount = 0;
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), amount);
    const auto multiplier = static_cast<std::uint64_t>(unit_ms(unit));
    if (negative || (ec == std::errc() && amount == 0)) {
      report_.error(out.span,
                    "window `" + compact + "` must be positive: a temporal operator looks back from now");
    } else if (ec != std::errc() || ptr != digits.data() + digits.size() ||
               amount > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) / multiplier) {
      report_.error(out.span, "window `" + compact + "` is too long");
    } else {
      out.ms = static_cast<std::int64_t>(amount * multiplier);
    }
    return out;
  }

  name_ref slot_of(const parse_node& n) const {
    name_ref out;
    out.span = span_of(n);
    const std::string_view text = n.string_view();
    if (n.is_type<g::param_ref>()) {
      out.mark = sigil::param;
      out.name = std::string(text.substr(1));
    } else if (n.is_type<g::fresh_ref>()) {
      out.mark = sigil::fresh;
      out.name = std::string(text.substr(1));
    } else {
      out.name = std::string(text);
    }
    return out;
  }

  binder binder_of(const parse_node& n) {  // typed_binder: [slot, type_name]
    binder out;
    out.slot = slot_of(*n.children.at(0));
    out.type = type_name(*n.children.at(1));
    out.span = span_of(n);
    return out;
  }

  std::uint32_t comparison(const parse_node& n) {  // [left, cmp_*, right]
    const parse_node& op = *n.children.at(1);
    node out;
    out.kind = form::comparison;
    out.op = op.is_type<g::cmp_le>()   ? compare_op::less_equal
             : op.is_type<g::cmp_ge>() ? compare_op::greater_equal
             : op.is_type<g::cmp_lt>() ? compare_op::less
             : op.is_type<g::cmp_gt>() ? compare_op::greater
                                       : compare_op::equal;
    out.kids.push_back(build(*n.children.at(0)));
    out.kids.push_back(build(*n.children.at(2)));
    out.span = span_between(*n.children.front(), *n.children.back());
    return add(std::move(out));
  }

  std::uint32_t aggregate(const parse_node& n) {  // count: [for_list, body]; sum: [slot, for_list, body]
    node out;
    std::size_t next = 0;
    if (n.is_type<g::sum_agg>()) {
      out.kind = form::sum;
      out.slot = slot_of(*n.children.at(next++));
    } else {
      out.kind = form::count;
    }
    for (const auto& b : n.children.at(next++)->children) out.binders.push_back(binder_of(*b));
    out.kids.push_back(build(*n.children.at(next)));
    out.span = span_of(n);
    return add(std::move(out));
  }

  void add_fields(const parse_node& block, std::vector<field>& out) {  // field_block: [named_arg...]
    for (const auto& arg : block.children) {
      field f;
      for (const auto& segment : arg->children.at(0)->children) f.path.emplace_back(segment->string_view());
      f.value = build(*arg->children.at(1));
      f.span = span_of(*arg);
      out.push_back(std::move(f));
    }
  }

  std::uint32_t predicate(const parse_node& n) {  // [type_path, lit_string, event_kind, field_block...]
    node out;
    out.kind = form::predicate;
    out.action = {intern(type_name(*n.children.at(0))), intern(string_literal(*n.children.at(1)))};
    out.kind_name = intern(n.children.at(2)->string_view());
    // `P{a: 1}{b: 2}` is `P{a: 1, b: 2}`: refinement blocks simply add fields.
    for (std::size_t i = 3; i < n.children.size(); ++i) add_fields(*n.children[i], out.fields);
    out.span = span_of(n);
    return add(std::move(out));
  }

  source_span where_;
  std::uint32_t max_depth_;
  std::vector<node>& nodes_;
  reporter& report_;
};

}  // namespace

void reporter::error(source_span span, std::string message, const char* code) {
  ++errors_;
  diagnostic d = make_diagnostic(ast_, span, code, std::move(message));
  for (const auto& seen : out_)
    if (seen.code == d.code && seen.message == d.message && seen.where.file == d.where.file &&
        seen.where.offset == d.where.offset && seen.where.length == d.where.length)
      return;
  out_.push_back(std::move(d));
}

std::optional<std::uint32_t> parse_text(std::string_view text, source_span where, std::uint32_t max_depth,
                                        std::vector<node>& nodes, reporter& report) {
  g::nesting_limit() = max_depth;
  peg::memory_input in(text.data(), text.data() + text.size(), "temporal");
  std::unique_ptr<parse_node> root;
  try {
    root = peg::parse_tree::parse<g::block, parse_node, selector, peg::nothing, parser_control>(in);
  } catch (const syntax_error& e) {
    const auto at = static_cast<std::uint32_t>(std::min(e.offset, text.size()));
    report.error({where.file, where.begin + at, where.begin + at + 1}, e.what());
    return std::nullopt;
  }
  if (!root || root->children.empty()) {
    report.error(where, "expected a temporal condition");
    return std::nullopt;
  }
  const std::size_t errors_before = report.errors();
  tree_builder builder(where, max_depth, nodes, report);
  const std::uint32_t top = builder.build(*root->children.front());
  if (report.errors() != errors_before) return std::nullopt;
  return top;
}

std::string window_text(std::int64_t ms) {
  static constexpr struct {
    char unit;
    std::int64_t ms;
  } units[] = {{'d', 86'400'000}, {'h', 3'600'000}, {'m', 60'000}, {'s', 1000}};
  // Days only from two on: Dogwood's default cap reads "24h", and so does a one-day window.
  for (const auto& u : units)
    if (ms > 0 && ms % u.ms == 0 && (u.unit != 'd' || ms >= 2 * u.ms))
      return std::to_string(ms / u.ms) + u.unit;
  return std::to_string(ms) + "ms";
}

}  // namespace syntax

// ---- syntax tree -> formula ----------------------------------------------------------------

namespace {

using syntax::form;
using syntax::sigil;

const char* operator_text(compare_op op) noexcept {
  switch (op) {
    case compare_op::less:
      return "<";
    case compare_op::less_equal:
      return "<=";
    case compare_op::equal:
      return "==";
    case compare_op::greater:
      return ">";
    case compare_op::greater_equal:
      return ">=";
  }
  return "?";
}

// Types a summand cannot have: only a Long adds up (Dogwood rejects the others at validation).
bool is_unsummable_type(std::string_view type) noexcept {
  static constexpr std::string_view types[] = {"String",   "Bool",     "Boolean", "decimal", "Decimal",
                                               "datetime", "duration", "ipaddr",  "Set"};
  for (std::string_view t : types)
    if (t == type) return true;
  return false;
}

class lowerer {
 public:
  lowerer(const std::vector<syntax::node>& nodes, temporal_program& program, leaf& target,
          const temporal_options& options, syntax::reporter& report)
      : nodes_(nodes), program_(program), leaf_(target), options_(options), report_(report) {}

  node_id lower_condition(std::uint32_t id) {
    const syntax::node& s = nodes_[id];
    switch (s.kind) {
      case form::conjunction: {
        node_id left = lower_condition(s.kids.at(0));
        for (std::size_t i = 1; i < s.kids.size(); ++i) {
          const node_id right = lower_condition(s.kids[i]);
          node n;
          n.kind = node_kind::conjunction;
          n.a = left;
          n.b = right;
          n.span = program_.nodes[left].span;
          n.span.end = program_.nodes[right].span.end;
          left = add(n);
        }
        return left;
      }
      case form::negation: {
        node n = make(node_kind::negation, s);
        n.a = lower_condition(s.kids.at(0));
        return add(n);
      }
      case form::formerly:
      case form::previous: {
        node n = make(s.kind == form::formerly ? node_kind::formerly : node_kind::previous, s);
        n.window_ms = window(s.window);
        n.a = lower_condition(s.kids.at(0));
        return add(n);
      }
      case form::since: {
        node n = make(node_kind::since, s);
        n.window_ms = window(s.window);
        n.a = lower_condition(s.kids.at(0));
        n.b = lower_condition(s.kids.at(1));
        return add(n);
      }
      case form::exists: {
        node n = make(node_kind::exists, s);
        n.var = declare(s.binders.at(0));
        scope_.emplace_back(s.binders[0].slot.name, n.var);
        n.a = lower_condition(s.kids.at(0));
        scope_.pop_back();
        return add(n);
      }
      case form::timepoint: {
        node n = make(node_kind::timepoint, s);
        if (auto v = resolve(s.slot)) {
          n.var = *v;
          const variable_info& info = leaf_.variables[*v];
          if (!info.is_timepoint)
            error(s.span, "`tp(" + s.slot.name + ")` binds a timepoint, but `" + s.slot.name +
                              "` is declared `" + info.type_name + "`; declare it `(" + s.slot.name +
                              ": Timepoint)`");
        }
        return add(n);
      }
      case form::comparison: {
        node n = make(node_kind::comparison, s);
        n.op = s.op;
        n.left = lower_term(s.kids.at(0), place::comparison);
        n.right = lower_term(s.kids.at(1), place::comparison);
        return add(n);
      }
      case form::predicate: {
        predicate p;
        p.action = s.action;
        p.kind = s.kind_name;
        p.span = s.span;
        for (const auto& f : s.fields) {
          field_pattern fp;
          for (const auto& segment : f.path) fp.path.push_back(intern(segment));
          fp.pattern = lower_term(f.value, place::field);
          fp.span = f.span;
          p.fields.push_back(std::move(fp));
        }
        program_.predicates.push_back(std::move(p));
        node n = make(node_kind::predicate, s);
        n.index = static_cast<std::uint32_t>(program_.predicates.size() - 1);
        return add(n);
      }
      case form::expansion: {
        if (syntax::is_term_form(unwrap(s.kids.at(0)).kind)) {
          error(s.span, "macro `" + s.name + "` yields a value" +
                            (is_aggregate(unwrap(s.kids[0]).kind) ? std::string(" (an aggregate)") : "") +
                            ", not a condition: compare it, as in `" + s.name + "(...) == n`");
          return placeholder(s);
        }
        macros_.push_back(s.name);
        const node_id result = lower_condition(s.kids[0]);
        macros_.pop_back();
        return result;
      }
      case form::interval:
        error(s.span,
              "an interval such as `" + s.window.text +
                  "` is not a condition; it can only be a macro argument that fills a `within` window");
        return placeholder(s);
      case form::refine:
      case form::call:
        // Expansion replaced every call and refinement; one left here was already reported.
        error(s.span, "internal error: unexpanded macro syntax in a temporal condition");
        return placeholder(s);
      case form::count:
      case form::sum:
        error(s.span,
              "an aggregate (`sum`/`count`) may appear only as the immediate operand of a comparison, as in "
              "`(count for (t: Timepoint). where ...) == n`");
        return placeholder(s);
      case form::variable:
        error(s.span,
              "`" + s.slot.name +
                  "` is a variable, not a condition: compare it (`==`, `<`, `<=`, `>`, `>=`) with a value");
        return placeholder(s);
      default:
        error(s.span,
              "a value is not a condition: expected a comparison operator (`==`, `<`, `<=`, `>`, `>=`) after "
              "it");
        return placeholder(s);
    }
  }

  [[nodiscard]] bool failed() const noexcept { return report_.failed(); }

 private:
  enum class place : std::uint8_t { comparison, field, element };

  static bool is_aggregate(form f) noexcept { return f == form::count || f == form::sum; }

  const syntax::node& unwrap(std::uint32_t id) const {
    while (nodes_[id].kind == form::expansion) id = nodes_[id].kids.at(0);
    return nodes_[id];
  }

  void error(source_span span, std::string message) {
    if (!macros_.empty()) message += " (in the expansion of macro `" + macros_.back() + "`)";
    report_.error(span, std::move(message));
  }

  static node make(node_kind kind, const syntax::node& s) {
    node n;
    n.kind = kind;
    n.span = s.span;
    return n;
  }
  node_id add(const node& n) {
    program_.nodes.push_back(n);
    return static_cast<node_id>(program_.nodes.size() - 1);
  }
  node_id placeholder(const syntax::node& s) { return add(make(node_kind::predicate, s)); }
  term_id add(const term& t) {
    program_.terms.push_back(t);
    return static_cast<term_id>(program_.terms.size() - 1);
  }

  std::int64_t window(const syntax::window_spec& w) {
    if (w.is_param) {
      error(w.span, "stray macro parameter reference `?" + w.param + "` outside a macro body");
      return 0;
    }
    if (w.ms > options_.max_window_ms)
      error(w.span, "window `" + w.text + "` exceeds max_window (" +
                        syntax::window_text(options_.max_window_ms) +
                        "): a temporal operator may look back at most that far");
    return w.ms;
  }

  var_id declare(const syntax::binder& b) {
    if (b.slot.mark != sigil::none)
      error(b.slot.span,
            std::string("stray macro ") +
                (b.slot.mark == sigil::param ? "parameter reference `?" : "binder reference `$") +
                b.slot.name + "` outside a macro body");
    variable_info info;
    info.name = b.slot.name;
    info.type_name = b.type;
    info.is_timepoint = b.type == "Timepoint";
    info.span = b.span;
    leaf_.variables.push_back(std::move(info));
    return static_cast<var_id>(leaf_.variables.size() - 1);
  }

  std::optional<var_id> resolve(const syntax::name_ref& ref) {
    if (ref.mark != sigil::none) {
      error(ref.span, std::string("stray macro ") +
                          (ref.mark == sigil::param ? "parameter reference `?" : "binder reference `$") +
                          ref.name + "` outside a macro body");
      return std::nullopt;
    }
    for (auto it = scope_.rbegin(); it != scope_.rend(); ++it)
      if (it->first == ref.name) return it->second;
    if (aggregate_depth_ > 0)
      error(ref.span, "variable `" + ref.name +
                          "` is used in the aggregation body but is bound by neither its `for` list nor an "
                          "enclosing binder");
    else
      error(ref.span, "variable `" + ref.name +
                          "` is free in this temporal condition: bind it with `exists (" + ref.name +
                          ": Type). ...`, or write `*` to match any value");
    return std::nullopt;
  }

  term_id lower_term(std::uint32_t id, place where) {
    const syntax::node& s = nodes_[id];
    term t;
    t.span = s.span;
    switch (s.kind) {
      case form::constant:
        t.kind = term_kind::constant;
        t.constant = s.constant;
        return add(t);
      case form::context_path:
      case form::principal:
      case form::resource:
        t.kind = s.kind == form::context_path ? term_kind::context_path
                 : s.kind == form::principal  ? term_kind::principal
                                              : term_kind::resource;
        t.path = s.path;
        return add(t);
      case form::wildcard:
        t.kind = term_kind::wildcard;
        return add(t);
      case form::variable:
        t.kind = term_kind::variable;
        if (auto v = resolve(s.slot)) t.var = *v;
        return add(t);
      case form::array:
        t.kind = term_kind::array;
        for (std::uint32_t kid : s.kids) t.elements.push_back(lower_term(kid, place::element));
        return add(t);
      case form::count:
      case form::sum:
        if (where != place::comparison) {
          error(s.span,
                std::string("an aggregate (`sum`/`count`) may appear only as the immediate operand of a "
                            "comparison, not ") +
                    (where == place::field ? "as a predicate's field value" : "inside an array") +
                    "; bind it first: `exists (n: Long). ((count ...) == n && ...)`");
          return add(t);
        }
        return aggregate_term(s);
      case form::expansion: {
        if (!syntax::is_term_form(unwrap(s.kids.at(0)).kind)) {
          error(s.span, "macro `" + s.name + "` yields a condition, not a value");
          return add(t);
        }
        macros_.push_back(s.name);
        const term_id result = lower_term(s.kids[0], where);
        macros_.pop_back();
        return result;
      }
      case form::interval:
        error(s.span, "an interval such as `" + s.window.text +
                          "` is not a value; it can only be a macro argument that fills a `within` window");
        return add(t);
      default:
        error(s.span,
              "expected a value (a literal, an entity, `context.…`, `principal`, `resource`, a variable, "
              "`*` or an aggregate), found a condition");
        return add(t);
    }
  }

  term_id aggregate_term(const syntax::node& s) {
    aggregate agg;
    agg.is_sum = s.kind == form::sum;
    agg.span = s.span;
    const std::size_t scope_mark = scope_.size();
    std::string binder_names;
    for (std::size_t i = 0; i < s.binders.size(); ++i) {
      const syntax::binder& b = s.binders[i];
      for (std::size_t j = 0; j < i; ++j)
        if (s.binders[j].slot.name == b.slot.name)
          error(b.span, "`" + b.slot.name + "` is bound twice in this `for` list");
      const var_id v = declare(b);
      agg.domain.push_back(v);
      scope_.emplace_back(b.slot.name, v);
      binder_names += (i == 0 ? "" : ", ") + b.slot.name;
    }
    if (agg.is_sum) {
      bool found = false;
      for (std::size_t i = s.binders.size(); i-- > 0;) {
        if (s.binders[i].slot.name != s.slot.name) continue;
        found = true;
        agg.summand = agg.domain[i];
        const std::string& type = s.binders[i].type;
        if (type == "Timepoint")
          error(s.slot.span,
                "cannot sum `" + s.slot.name + "`: sum requires a `Long` summand, but `" + s.slot.name +
                    "` is `Timepoint`. Timepoints are ordinal positions, not quantities — use a "
                    "Timepoint in the `for (…)` binders to keep per-timepoint rows, not as the value "
                    "being summed.");
        else if (is_unsummable_type(type))
          error(s.slot.span, "cannot sum `" + s.slot.name + "`: sum requires a `Long` summand, but `" +
                                 s.slot.name + "` is `" + type + "`.");
        break;
      }
      if (!found) {
        if (s.slot.mark != sigil::none)
          (void)resolve(s.slot);  // reports the stray sigil
        else
          error(s.slot.span, "aggregation sums `" + s.slot.name +
                                 "`, which is not one of its `for` binders (" + binder_names +
                                 "); the summed variable must appear in the `for` list (the sum is computed "
                                 "over the `for` columns)");
      }
    }
    ++aggregate_depth_;
    agg.body = lower_condition(s.kids.at(0));
    --aggregate_depth_;
    scope_.resize(scope_mark);
    program_.aggregates.push_back(std::move(agg));
    term t;
    t.kind = s.kind == form::sum ? term_kind::sum : term_kind::count;
    t.aggregate = static_cast<std::uint32_t>(program_.aggregates.size() - 1);
    t.span = s.span;
    return add(t);
  }

  const std::vector<syntax::node>& nodes_;
  temporal_program& program_;
  leaf& leaf_;
  const temporal_options& options_;
  syntax::reporter& report_;
  std::vector<std::pair<std::string, var_id>> scope_;
  std::vector<std::string> macros_;  // the expansions being lowered, innermost last
  std::uint32_t aggregate_depth_ = 0;
};

// ---- horizon -------------------------------------------------------------------------------

std::int64_t saturating_add(std::int64_t a, std::int64_t b) noexcept {
  return a > std::numeric_limits<std::int64_t>::max() - b ? std::numeric_limits<std::int64_t>::max() : a + b;
}

struct horizon_scan {
  const temporal_program& program;
  bool uses_previous = false;

  std::int64_t of_node(node_id id) {
    const node& n = program.nodes[id];
    switch (n.kind) {
      case node_kind::conjunction:
        return std::max(of_node(n.a), of_node(n.b));
      case node_kind::negation:
      case node_kind::exists:
        return of_node(n.a);
      case node_kind::previous:
        uses_previous = true;
        return saturating_add(n.window_ms, of_node(n.a));
      case node_kind::formerly:
        return saturating_add(n.window_ms, of_node(n.a));
      case node_kind::since:
        return saturating_add(n.window_ms, std::max(of_node(n.a), of_node(n.b)));
      case node_kind::comparison:
        return std::max(of_term(n.left), of_term(n.right));
      case node_kind::predicate: {
        std::int64_t h = 0;
        for (const auto& f : program.predicates[n.index].fields) h = std::max(h, of_term(f.pattern));
        return h;
      }
      case node_kind::timepoint:
        return 0;
    }
    return 0;
  }

  std::int64_t of_term(term_id id) {
    const term& t = program.terms[id];
    if (t.kind == term_kind::count || t.kind == term_kind::sum)
      return of_node(program.aggregates[t.aggregate].body);
    std::int64_t h = 0;
    for (term_id e : t.elements) h = std::max(h, of_term(e));
    return h;
  }
};

// ---- to_text -------------------------------------------------------------------------------

struct printer {
  const temporal_program& program;
  const leaf& target;
  std::string out;

  void name(var_id v) {
    if (v < target.variables.size()) {
      out += target.variables[v].name;
    } else {
      out += '?';
      out += std::to_string(v);
    }
  }
  void binder(var_id v) {
    out += '(';
    name(v);
    out += ": ";
    out += v < target.variables.size() ? target.variables[v].type_name : "?";
    out += ')';
  }
  void path(const std::vector<symbol>& p) {
    for (symbol s : p) {
      out += '.';
      out += symbol_text(s);
    }
  }
  // Bodies after a window: a comparison is parenthesized so the operator's reach is plain.
  void operand(node_id id) {
    const node_kind k = program.nodes[id].kind;
    const bool wrap = k == node_kind::comparison || k == node_kind::formerly || k == node_kind::previous;
    if (wrap) out += '(';
    print(id);
    if (wrap) out += ')';
  }

  void print(node_id id) {
    const node& n = program.nodes[id];
    switch (n.kind) {
      case node_kind::conjunction:
        out += '(';
        print(n.a);
        out += " && ";
        print(n.b);
        out += ')';
        return;
      case node_kind::negation:
        out += '!';
        operand(n.a);
        return;
      case node_kind::formerly:
      case node_kind::previous:
        out += n.kind == node_kind::formerly ? "formerly within " : "previous within ";
        out += syntax::window_text(n.window_ms);
        out += ' ';
        operand(n.a);
        return;
      case node_kind::since:
        out += '(';
        operand(n.a);
        out += " since within " + syntax::window_text(n.window_ms) + " ";
        operand(n.b);
        out += ')';
        return;
      case node_kind::predicate: {
        const predicate& p = program.predicates[n.index];
        out += to_cedar(p.action);
        out += "::";
        out += symbol_text(p.kind);
        out += '{';
        for (std::size_t i = 0; i < p.fields.size(); ++i) {
          if (i > 0) out += ", ";
          for (std::size_t j = 0; j < p.fields[i].path.size(); ++j) {
            if (j > 0) out += '.';
            out += symbol_text(p.fields[i].path[j]);
          }
          out += ": ";
          print_term(p.fields[i].pattern);
        }
        out += '}';
        return;
      }
      case node_kind::comparison:
        print_term(n.left);
        out += ' ';
        out += operator_text(n.op);
        out += ' ';
        print_term(n.right);
        return;
      case node_kind::exists:
        out += "(exists ";
        binder(n.var);
        out += ". ";
        print(n.a);
        out += ')';
        return;
      case node_kind::timepoint:
        out += "tp(";
        name(n.var);
        out += ')';
        return;
    }
  }

  void print_term(term_id id) {
    const term& t = program.terms[id];
    switch (t.kind) {
      case term_kind::constant:
        out += t.constant.kind == value_kind::decimal ? format_extension(t.constant) : to_cedar(t.constant);
        return;
      case term_kind::context_path:
        out += "context";
        path(t.path);
        return;
      case term_kind::principal:
        out += "principal";
        path(t.path);
        return;
      case term_kind::resource:
        out += "resource";
        path(t.path);
        return;
      case term_kind::variable:
        name(t.var);
        return;
      case term_kind::wildcard:
        out += '*';
        return;
      case term_kind::array:
        out += '[';
        for (std::size_t i = 0; i < t.elements.size(); ++i) {
          if (i > 0) out += ", ";
          print_term(t.elements[i]);
        }
        out += ']';
        return;
      case term_kind::count:
      case term_kind::sum: {
        const aggregate& agg = program.aggregates[t.aggregate];
        out += agg.is_sum ? "(sum " : "(count ";
        if (agg.is_sum) {
          name(agg.summand);
          out += ' ';
        }
        out += "for ";
        for (std::size_t i = 0; i < agg.domain.size(); ++i) {
          if (i > 0) out += ", ";
          binder(agg.domain[i]);
        }
        out += ". where ";
        print(agg.body);
        out += ')';
        return;
      }
    }
  }
};

struct program_sizes {
  std::size_t nodes, terms, predicates, aggregates, leaves;
  explicit program_sizes(const temporal_program& p)
      : nodes(p.nodes.size()),
        terms(p.terms.size()),
        predicates(p.predicates.size()),
        aggregates(p.aggregates.size()),
        leaves(p.leaves.size()) {}
  void restore(temporal_program& p) const {
    p.nodes.resize(nodes);
    p.terms.resize(terms);
    p.predicates.resize(predicates);
    p.aggregates.resize(aggregates);
    p.leaves.resize(leaves);
  }
};

}  // namespace

std::optional<std::uint32_t> parse_temporal_block(
    const policy_set_ast& ast, std::uint32_t file, std::uint32_t begin, std::uint32_t end,
    std::uint32_t policy, std::span<const macro_definition> macros, temporal_program& program,
    std::vector<mandate::diagnostic>& diagnostics, const temporal_options& options) {
  const source_span block_span{file, begin, end};
  const program_sizes before(program);
  try {
    syntax::reporter report(ast, diagnostics);
    if (file >= ast.files.size() || begin > end || end > ast.files[file].text.size()) {
      report.error(block_span, "internal error: the temporal block lies outside its file");
      return std::nullopt;
    }
    const std::string_view text = std::string_view(ast.files[file].text).substr(begin, end - begin);
    std::vector<syntax::node> nodes;
    const auto root = syntax::parse_text(text, block_span, options.max_nesting_depth, nodes, report);
    if (!root) return std::nullopt;
    const auto expanded = syntax::expand_block(*root, nodes, macros, options, report);
    if (!expanded || report.failed()) return std::nullopt;

    leaf target;
    target.policy = policy;
    target.span = block_span;
    lowerer lower(nodes, program, target, options, report);
    target.root = lower.lower_condition(*expanded);
    if (lower.failed()) {
      before.restore(program);
      return std::nullopt;
    }
    horizon_scan scan{program};
    target.horizon_ms = scan.of_node(target.root);
    target.needs_previous = scan.uses_previous;
    program.leaves.push_back(std::move(target));
    const auto index = static_cast<std::uint32_t>(program.leaves.size() - 1);
    if (!check_well_formed(ast, program, index, diagnostics)) {
      before.restore(program);
      return std::nullopt;
    }
    return index;
  } catch (const std::exception& e) {
    before.restore(program);
    diagnostics.push_back(make_diagnostic(
        ast, block_span, "temporal", std::string("internal error in a temporal condition: ") + e.what()));
    return std::nullopt;
  }
}

std::string to_text(const temporal_program& program, std::uint32_t leaf_index) {
  if (leaf_index >= program.leaves.size()) return {};
  printer p{program, program.leaves[leaf_index], {}};
  p.print(program.leaves[leaf_index].root);
  return std::move(p.out);
}

}  // namespace mandate::detail::temporal
