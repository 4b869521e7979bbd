// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Dogwood trace lines -> events. Each line is parsed on its own, so a position is a column of
// that line. PEGTL actions build the values as the match goes: a frame is opened at each `{`,
// `[` and envelope and closed into a record, set or envelope at its end, so nothing recurses
// beyond the grammar's nesting cap. PEGTL reports a syntax error by throwing, and an action
// reports a bad value (a duplicate key, a bad escape) the same way; both stay inside this file
// and become the error string.
#include "dogwood/trace.hpp"

#include <tao/pegtl.hpp>

#include <algorithm>
#include <exception>
#include <limits>
#include <new>
#include <type_traits>
#include <utility>

#include "dogwood_trace_grammar.hpp"
#include "parse/parser.hpp"
#include "value/extensions.hpp"

namespace mandate::detail::dogwood {
namespace {

namespace peg = tao::pegtl;
namespace g = mandate::dogwood_trace_grammar;

static_assert(g::max_value_nesting == max_trace_value_nesting);

// ---- error messages for the rules a `must` can fail on -----------------------------------

template <typename Rule>
constexpr const char* error_message = nullptr;
#define MANDATE_EXPECT(rule, text) \
  template <>                      \
  constexpr const char* error_message<rule> = text
MANDATE_EXPECT(peg::one<'@'>, "expected `@` and a timestamp at the start of the line");
MANDATE_EXPECT(g::timestamp, "expected a timestamp (whole seconds) after `@`");
MANDATE_EXPECT(g::gap, "expected a blank after the timestamp");
MANDATE_EXPECT(g::close_quote, "unterminated string literal");
MANDATE_EXPECT(g::colon, "expected `:`");
MANDATE_EXPECT(g::value,
               "expected a value: a string, a number, `true`, `false`, `null`, an entity `Type::\"id\"`, "
               "an array `[...]` or a record `{...}`");
MANDATE_EXPECT(g::ext_arg, "expected a string literal argument");
MANDATE_EXPECT(g::ext_close, "expected `)` after the argument");
MANDATE_EXPECT(g::record_close, "expected a field `name: value`, `,` or `}` in the record");
MANDATE_EXPECT(g::array_close, "expected a value, `,` or `]` in the array");
MANDATE_EXPECT(g::scope_close,
               "unterminated `scope(...)`: expected `principal: ...`, `resource: ...`, `,` or `)`");
MANDATE_EXPECT(g::entity_record, "expected the entity's attribute record `{ ... }`");
MANDATE_EXPECT(g::parent_list, "expected a list `[...]` of parent entities after `in`");
MANDATE_EXPECT(g::parent_close, "expected a parent entity `Type::\"id\"`, `,` or `]`");
MANDATE_EXPECT(g::entities_close,
               "unterminated `entities(...)`: expected an entry `Type::\"id\": { ... }`, `,` or `)`");
MANDATE_EXPECT(g::request_context_close,
               "unterminated `request_context(...)`: expected a field `name: value`, `,` or `)`");
MANDATE_EXPECT(g::misplaced_envelope,
               "envelope out of order or repeated: `scope(...)`, `entities(...)` and `request_context(...)` "
               "each appear at most once, in that order, before the event");
MANDATE_EXPECT(g::event_or_misplaced, "expected the event `Ns::Action::\"Id\"::kind(...)`");
MANDATE_EXPECT(g::double_colon, "expected `::` and the event kind after the action");
MANDATE_EXPECT(g::event_kind, "expected the event kind (`request`, `response`, ...) after `::`");
MANDATE_EXPECT(g::event_open, "expected `(` and the event's fields after the event kind");
MANDATE_EXPECT(g::event_close, "unterminated event group: expected a field `name: value`, `,` or `)`");
MANDATE_EXPECT(g::end_of_line, "unexpected text after the event");
MANDATE_EXPECT(peg::one<'('>, "expected `(time point N)`");
MANDATE_EXPECT(g::kw_time, "expected `(time point N)`");
MANDATE_EXPECT(g::kw_point, "expected `(time point N)`");
MANDATE_EXPECT(g::verdict_point, "expected the time point's number");
MANDATE_EXPECT(peg::one<')'>, "expected `)` after the time point");
MANDATE_EXPECT(g::verdict, "expected `true` or `false`");
MANDATE_EXPECT(peg::eof, "unexpected text after the verdict");
#undef MANDATE_EXPECT

template <typename Rule>
struct trace_control : peg::normal<Rule> {
  template <typename Input, typename... States>
  [[noreturn]] static void raise(const Input& in, States&&... /*unused*/) {
    if constexpr (std::is_same_v<Rule, g::value_nesting_too_deep>) {
      throw peg::parse_error(
          "value nested too deeply (more than " + std::to_string(g::max_value_nesting) + " levels)", in);
    } else if constexpr (error_message<Rule> != nullptr) {
      throw peg::parse_error(error_message<Rule>, in);
    } else {
      throw peg::parse_error("syntax error: expected " + std::string(peg::demangle<Rule>()), in);
    }
  }
};

// ---- text helpers -------------------------------------------------------------------------

constexpr bool is_blank(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

/// Byte offset of the first byte that is not valid UTF-8, or npos.
std::size_t invalid_utf8_at(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    std::uint32_t cp = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      length = 2;
      cp = b0 & 0x1FU;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      length = 3;
      cp = b0 & 0x0FU;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      length = 4;
      cp = b0 & 0x07U;
    } else {
      return i;
    }
    if (i + length > s.size()) return i;
    for (std::size_t k = 1; k < length; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0U) != 0x80U) return i;
      cp = (cp << 6U) | (b & 0x3FU);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
    if ((length == 3 && cp < 0x800) || (length == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += length;
  }
  return std::string_view::npos;
}

bool decode_string(std::string_view literal, std::string& out, std::string& error) {
  // `literal` includes its quotes (the grammar guarantees both).
  const std::string_view body = literal.substr(1, literal.size() - 2);
  if (body.find('\\') == std::string_view::npos) {
    out.assign(body);
    return true;
  }
  // Cedar's escapes, including `\u{0_1_2_3}` (Rust allows `_` between the hex digits).
  return unescape_cedar(body, out, error);
}

/// Parses `[-]digits` into an int64; false on overflow.
bool parse_int64(std::string_view text, std::int64_t& out) noexcept {
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  if (text.empty()) return false;
  const std::uint64_t limit = negative ? std::uint64_t{1} << 63U
                                       : static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  std::uint64_t magnitude = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (magnitude > (limit - digit) / 10) return false;
    magnitude = magnitude * 10 + digit;
  }
  out = negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
  return true;
}

std::string located(std::uint32_t line, std::size_t column, std::string_view message) {
  return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + std::string(message);
}

// ---- actions: values as the match goes --------------------------------------------------

/// A semantic error met by an action (a duplicate key, a bad escape): thrown to parse_line.
struct line_error {
  std::size_t column;
  std::string message;
};

/// Values being collected for one open record, array, envelope or event group.
struct frame {
  std::vector<symbol> keys;  // records and groups: one per value; arrays and lists: none
  std::vector<std::size_t> key_columns;
  std::vector<value> values;
};

struct line_state {
  const char* line_begin = nullptr;
  trace_event* out = nullptr;
  arena* storage = nullptr;         // where records, sets and ip values go: the event's or the entities'
  std::vector<frame> frames;        // frames[0] holds the event's action uid
  std::vector<entity_uid> parents;  // of the entity entry being read
  bool has_parents = false;
  std::size_t action_column = 1;  // of the uid in frames[0], for a message about it
  std::string scratch;

  [[nodiscard]] std::size_t column(const char* at) const noexcept {
    return static_cast<std::size_t>(at - line_begin) + 1;
  }
  [[noreturn]] void fail(const char* at, std::string message) const {
    throw line_error{column(at), std::move(message)};
  }

  frame& top() { return frames.back(); }
  void open() { frames.emplace_back(); }
  frame close() {
    frame f = std::move(frames.back());
    frames.pop_back();
    return f;
  }

  std::string decode(std::string_view literal, const char* at) {
    std::string message;
    if (!decode_string(literal, scratch, message)) fail(at, message);
    return scratch;
  }

  /// A closed frame's keys and values as a record; `what` names the group for messages.
  value record_of(frame& f, std::string_view what) {
    // A duplicate is reported at its second occurrence, where a reader of the line finds it.
    if (f.keys.size() > 1) {
      std::vector<std::size_t> order(f.keys.size());
      for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::stable_sort(order.begin(), order.end(),
                       [&](std::size_t a, std::size_t b) { return f.keys[a] < f.keys[b]; });
      std::size_t first_repeat = order.size();
      for (std::size_t i = 1; i < order.size(); ++i)
        if (f.keys[order[i]] == f.keys[order[i - 1]]) first_repeat = std::min(first_repeat, order[i]);
      if (first_repeat < order.size())
        throw line_error{
            f.key_columns[first_repeat],
            "duplicate key `" + std::string(symbol_text(f.keys[first_repeat])) + "` in " + std::string(what)};
    }
    value record;
    if (f.keys.size() != f.values.size() || !make_record(*storage, f.keys, f.values, record))
      throw line_error{1, "malformed " + std::string(what)};
    return record;
  }

  /// `Ns::Type::"id"`, already matched: the type's segments (blanks dropped) and the decoded id.
  entity_uid uid(std::string_view text, const char* at) {
    const std::size_t quote_at = text.find('"');
    std::string type;
    const std::string_view head = text.substr(0, quote_at);
    for (const char c : head)
      if (!is_blank(c)) type += c;
    while (type.ends_with(':')) type.pop_back();  // the `::` before the id
    const std::string id = decode(text.substr(quote_at), at);
    return {intern(type), intern(id)};
  }

  value decimal(std::string_view text, const char* at) const {
    std::int64_t scaled = 0;
    if (!parse_decimal(text, scaled)) {
      const std::size_t point = text.find('.');
      const bool too_precise = point != std::string_view::npos && text.size() - point - 1 > 4;
      fail(at, "invalid decimal `" + std::string(text) + "`: " +
                   (too_precise ? "more than 4 digits after the decimal point" : "out of the decimal range"));
    }
    return value::of_scalar(value_kind::decimal, scaled);
  }
};

template <typename Rule>
struct trace_action : peg::nothing<Rule> {};

template <>
struct trace_action<g::timestamp> {
  template <typename Input>
  static void apply(const Input& in, line_state& st) {
    constexpr std::int64_t ms_per_second = 1000;
    std::int64_t seconds = 0;
    if (!parse_int64(in.string_view(), seconds) ||
        seconds > std::numeric_limits<std::int64_t>::max() / ms_per_second ||
        seconds < std::numeric_limits<std::int64_t>::min() / ms_per_second)
      st.fail(in.begin(), "timestamp `" + in.string() + "` is out of range");
    st.out->event.time_ms = seconds * ms_per_second;
  }
};

// Every rule that opens a frame: records, arrays, envelopes, the event group, a parent list.
template <typename Rule>
struct open_frame {
  template <typename Input>
  static void apply(const Input& /*unused*/, line_state& st) {
    st.open();
  }
};
template <>
struct trace_action<g::record_open> : open_frame<g::record_open> {};
template <>
struct trace_action<g::array_open> : open_frame<g::array_open> {};
template <>
struct trace_action<g::scope_open> : open_frame<g::scope_open> {};
template <>
struct trace_action<g::request_context_open> : open_frame<g::request_context_open> {};
template <>
struct trace_action<g::event_open> : open_frame<g::event_open> {};
template <>
struct trace_action<g::parent_open> : open_frame<g::parent_open> {};

template <>
struct trace_action<g::entities_open> {
  template <typename Input>
  static void apply(const Input& /*unused*/, line_state& st) {
    st.open();
    st.out->entities = std::make_shared<entity_data>();
    st.storage = &st.out->entities->storage;  // attribute values live with the entities
  }
};

template <>
struct trace_action<g::key_ident> {
  template <typename Input>
  static void apply(const Input& in, line_state& st) {
    st.top().keys.push_back(intern(in.string_view()));
    st.top().key_columns.push_back(st.column(in.begin()));
  }
};

template <>
struct trace_action<g::key_string> {
  template <typename Input>
  static void apply(const Input& in, line_state& st) {
    st.top().keys.push_back(intern(st.decode(in.string_view(), in.begin())));
    st.top().key_columns.push_back(st.column(in.begin()));
  }
};

template <>
struct trace_action<g::str_value> {
  template <typename Input>
  static void apply(const Input& in, line_state& st) {
    st.top().values.push_back(value::of_string(intern(st.decode(in.string_view(), in.begin()))));
  }
};

template <>
struct trace_action<g::integer> {
  template <typename Input>
  static void apply(const Input& in, line_state& st) {
    std::int64_t i = 0;
    if (!parse_int64(in.string_view(), i))
      st.fail(in.begin(), "integer `" + in.string() + "` is out of range for a 64-bit Long");
    st.top().values.push_back(value::of_int(i));
  }
};

template <>
struct trace_action<g::decimal_number> {
  template <typename Input>
  static void apply(const Input& in, line_state& st) {
    st.top().values.push_back(st.decimal(in.string_view(), in.begin()));
  }
};

template <>
struct trace_action<g::lit_true> {
  template <typename Input>
  static void apply(const Input& /*unused*/, line_state& st) {
    st.top().values.push_back(value::of_bool(true));
  }
};

template <>
struct trace_action<g::lit_false> {
  template <typename Input>
  static void apply(const Input& /*unused*/, line_state& st) {
    st.top().values.push_back(value::of_bool(false));
  }
};

template <>
struct trace_action<g::lit_null> {
  template <typename Input>
  static void apply(const Input& /*unused*/, line_state& st) {
    // Dogwood has no null value in Cedar terms; its replay reads `null` as the empty string.
    st.top().values.push_back(value::of_string(empty_symbol));
  }
};

template <>
struct trace_action<g::entity_ref> {
  template <typename Input>
  static void apply(const Input& in, line_state& st) {
    if (st.frames.size() == 1) st.action_column = st.column(in.begin());
    st.top().values.push_back(value::of_entity(st.uid(in.string_view(), in.begin())));
  }
};

template <>
struct trace_action<g::ext_call> {
  template <typename Input>
  static void apply(const Input& in, line_state& st) {
    const std::string_view text = in.string_view();
    const std::size_t paren = text.find('(');
    std::string_view name = text.substr(0, paren);
    while (!name.empty() && is_blank(name.back())) name.remove_suffix(1);
    if (!is_extension_function(name))
      st.fail(in.begin(), "unknown function `" + std::string(name) +
                              "`; the extension constructors are decimal, ip, datetime and duration");
    const std::size_t open_quote = text.find('"', paren);
    const std::size_t close_paren = text.rfind(')');
    std::string_view literal = text.substr(open_quote, close_paren - open_quote);
    while (!literal.empty() && is_blank(literal.back())) literal.remove_suffix(1);
    const char* arg_at = in.begin() + open_quote;
    const std::string argument = st.decode(literal, arg_at);
    if (name == "decimal") {
      st.top().values.push_back(st.decimal(argument, arg_at));
      return;
    }
    const value arg = value::of_string(intern(argument));
    value out;
    std::string message;
    if (!call_extension_function(name, {&arg, 1}, *st.storage, out, message)) st.fail(in.begin(), message);
    st.top().values.push_back(out);
  }
};

template <>
struct trace_action<g::record> {
  template <typename Input>
  static void apply(const Input& /*unused*/, line_state& st) {
    frame f = st.close();
    st.top().values.push_back(st.record_of(f, "the record"));
  }
};

template <>
struct trace_action<g::array> {
  template <typename Input>
  static void apply(const Input& /*unused*/, line_state& st) {
    frame f = st.close();
    st.top().values.push_back(make_set(*st.storage, f.values));
  }
};

template <>
struct trace_action<g::scope_env> {
  template <typename Input>
  static void apply(const Input& /*unused*/, line_state& st) {
    frame f = st.close();
    temporal::event& ev = st.out->event;
    bool seen[2] = {false, false};
    for (std::size_t i = 0; i < f.keys.size() && i < f.values.size(); ++i) {
      const std::string_view name = symbol_text(f.keys[i]);
      const int slot = name == "principal" ? 0 : name == "resource" ? 1 : -1;
      if (slot < 0)
        throw line_error{f.key_columns[i], "unknown key `" + std::string(name) +
                                               "` in `scope(...)`; expected `principal` or `resource`"};
      if (seen[slot])
        throw line_error{f.key_columns[i], "duplicate key `" + std::string(name) + "` in `scope(...)`"};
      seen[slot] = true;
      if (f.values[i].kind != value_kind::entity)
        throw line_error{f.key_columns[i],
                         "the scope's `" + std::string(name) + "` must be an entity `Type::\"id\"`"};
      (slot == 0 ? ev.principal : ev.resource) = f.values[i].entity;
      (slot == 0 ? ev.has_principal : ev.has_resource) = true;
    }
  }
};

template <>
struct trace_action<g::parent_list> {
  template <typename Input>
  static void apply(const Input& /*unused*/, line_state& st) {
    frame f = st.close();
    st.parents.clear();
    for (const value& v : f.values) st.parents.push_back(v.entity);  // the grammar admits uids only
    st.has_parents = true;
  }
};

template <>
struct trace_action<g::entity_entry> {
  template <typename Input>
  static void apply(const Input& in, line_state& st) {
    // The entities frame ends with this entry's uid and attribute record.
    frame& f = st.top();
    if (f.values.size() < 2) st.fail(in.begin(), "malformed entity entry");
    entity_data& data = *st.out->entities;
    entity_record record;
    record.uid = f.values[f.values.size() - 2].entity;
    record.attributes = f.values.back();
    record.tags = empty_record();
    f.values.resize(f.values.size() - 2);
    if (st.has_parents) record.parents = std::move(st.parents);
    st.parents.clear();
    st.has_parents = false;
    if (data.index.count(record.uid.key()) != 0)
      st.fail(in.begin(), "duplicate entity `" + to_cedar(record.uid) + "` in `entities(...)`");
    data.index.emplace(record.uid.key(), static_cast<std::uint32_t>(data.records.size()));
    data.records.push_back(std::move(record));
  }
};

template <>
struct trace_action<g::entities_env> {
  template <typename Input>
  static void apply(const Input& in, line_state& st) {
    st.close();
    if (auto limit = st.out->entities->compute_ancestors()) st.fail(in.begin(), std::move(limit->message));
    st.storage = st.out->event.storage.get();
  }
};

template <>
struct trace_action<g::request_context_env> {
  template <typename Input>
  static void apply(const Input& /*unused*/, line_state& st) {
    frame f = st.close();
    st.out->event.context = st.record_of(f, "`request_context(...)`");
  }
};

template <>
struct trace_action<g::event_kind> {
  template <typename Input>
  static void apply(const Input& in, line_state& st) {
    // The action uid before it went into the line's first frame.
    temporal::event& ev = st.out->event;
    frame& head = st.frames.front();
    if (head.values.empty() || head.values.back().kind != value_kind::entity)
      st.fail(in.begin(), "expected the event's action");
    ev.action = head.values.back().entity;
    const std::string_view type = symbol_text(ev.action.type);
    // Dogwood names events by a fully qualified action: `Action::"x"` or `Ns::Action::"x"`.
    if (type != "Action" && !type.ends_with("::Action"))
      throw line_error{st.action_column,
                       "the event's action must be an action entity `Ns::Action::\"Id\"`, not `" +
                           to_cedar(ev.action) + "`"};
    ev.kind = intern(in.string_view());
  }
};

template <>
struct trace_action<g::event> {
  template <typename Input>
  static void apply(const Input& /*unused*/, line_state& st) {
    frame f = st.close();
    st.out->event.fields = st.record_of(f, "the event's fields");
  }
};

/// Parses one non-blank line into `out`.
bool parse_line(std::string_view text, std::uint32_t line, std::uint64_t position, trace_event& out,
                std::string& error) {
  if (const std::size_t bad = invalid_utf8_at(text); bad != std::string_view::npos) {
    error = located(line, bad + 1, "invalid UTF-8");
    return false;
  }
  temporal::event& ev = out.event;
  // Enough for a typical line's records at once; an arena grows when a line needs more.
  ev.storage = std::make_shared<arena>(256 + text.size() * 2);
  ev.position = position;
  ev.context = empty_record();
  ev.fields = empty_record();
  out.line = line;

  line_state st;
  st.line_begin = text.data();
  st.out = &out;
  st.storage = ev.storage.get();
  st.open();
  try {
    peg::memory_input in(text.data(), text.data() + text.size(), "trace");
    if (!peg::parse<g::line, trace_action, trace_control>(in, st)) {
      error = located(line, 1, "expected an event line `@<ts> Ns::Action::\"Id\"::kind(...)`");
      return false;
    }
  } catch (const peg::parse_error& e) {
    const std::size_t column = e.positions().empty() ? 1 : e.positions().front().column;
    error = located(line, column, e.message());
    return false;
  } catch (const line_error& e) {
    error = located(line, e.column, e.message);
    return false;
  }
  return true;
}

// ---- expected verdicts -------------------------------------------------------------------

struct expected_state {
  expected_verdict verdict;
  bool out_of_range = false;
};

template <typename Rule>
struct expected_action : peg::nothing<Rule> {};

template <>
struct expected_action<g::timestamp> {
  template <typename Input>
  static void apply(const Input& in, expected_state& st) {
    if (!parse_int64(in.string_view(), st.verdict.time_seconds)) st.out_of_range = true;
  }
};

template <>
struct expected_action<g::verdict_point> {
  template <typename Input>
  static void apply(const Input& in, expected_state& st) {
    std::int64_t point = 0;
    if (!parse_int64(in.string_view(), point)) st.out_of_range = true;
    st.verdict.point = static_cast<std::uint64_t>(point);
  }
};

template <>
struct expected_action<g::verdict_true> {
  template <typename Input>
  static void apply(const Input& /*unused*/, expected_state& st) {
    st.verdict.allow = true;
  }
};

/// Calls `each(line_text, line_number)` for every line that is not blank or a comment.
template <typename F>
bool for_each_line(std::string_view text, F&& each) {
  // A byte-order mark is an artefact of the editor, not part of the first line.
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::uint32_t number = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t newline = text.find('\n', start);
    const std::size_t end = newline == std::string_view::npos ? text.size() : newline;
    const std::string_view raw = text.substr(start, end - start);
    ++number;
    const std::string_view trimmed = trim(raw);
    if (!trimmed.empty() && !trimmed.starts_with("//") && !each(raw, number)) return false;
    if (newline == std::string_view::npos) break;
    start = newline + 1;
  }
  return true;
}

}  // namespace

bool parse_trace(std::string_view text, std::vector<trace_event>& out, std::string& error) {
  out.clear();
  error.clear();
  try {
    const bool ok = for_each_line(text, [&](std::string_view line, std::uint32_t number) {
      trace_event ev;
      if (!parse_line(line, number, out.size(), ev, error)) return false;
      out.push_back(std::move(ev));
      return true;
    });
    if (!ok) out.clear();
    return ok;
  } catch (const std::bad_alloc&) {
    error = "out of memory while reading the trace";
  } catch (const std::exception& e) {
    error = std::string("cannot read the trace: ") + e.what();
  }
  out.clear();
  return false;
}

bool parse_expected(std::string_view text, std::vector<expected_verdict>& out, std::string& error) {
  out.clear();
  error.clear();
  try {
    const bool ok = for_each_line(text, [&](std::string_view raw, std::uint32_t number) {
      const std::string_view line = trim(raw);
      expected_state st;
      st.verdict.line = number;
      try {
        peg::memory_input in(line.data(), line.data() + line.size(), "expected");
        if (!peg::parse<g::expected_line, expected_action, trace_control>(in, st)) st.out_of_range = true;
      } catch (const peg::parse_error& e) {
        const std::size_t column = e.positions().empty() ? 1 : e.positions().front().column;
        // Columns count in the untrimmed line, as an editor shows it.
        error = located(number, column + static_cast<std::size_t>(line.data() - raw.data()), e.message());
        return false;
      }
      if (st.out_of_range) {
        error = located(number, 1, "a number is out of range");
        return false;
      }
      out.push_back(st.verdict);
      return true;
    });
    if (!ok) out.clear();
    return ok;
  } catch (const std::bad_alloc&) {
    error = "out of memory while reading the expected verdicts";
  } catch (const std::exception& e) {
    error = std::string("cannot read the expected verdicts: ") + e.what();
  }
  out.clear();
  return false;
}

std::string format_verdict(std::int64_t ts_seconds, std::uint64_t point, bool allow) {
  return "@" + std::to_string(ts_seconds) + " (time point " + std::to_string(point) +
         "): " + (allow ? "true" : "false");
}

}  // namespace mandate::detail::dogwood
