// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The formatter. The real parser decides whether the text is valid; the layout then works on
// the token stream (format/tokens.hpp), not on the AST, because the AST has neither comments
// nor the original spelling of literals, and macros are expanded in it. Tokens are grouped by
// their brackets into a tree and each top-level item (a policy, an `ordered enum`, a `def`) is
// turned into a document (format/doc.hpp) whose groups break only when a line would be too
// long. Finally the output is lexed again and must hold the same tokens and comments: a layout
// bug becomes an `internal` diagnostic, never changed policy text.
#include "mandate/format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "format/doc.hpp"
#include "format/tokens.hpp"
#include "parse/parser.hpp"

namespace mandate {
inline namespace v0 {

namespace {

using detail::formatting::doc_builder;
using detail::formatting::doc_id;
using detail::formatting::lex;
using detail::formatting::lex_error;
using detail::formatting::token;
using detail::formatting::token_kind;

// Deeper bracket nesting than this is refused: the parsers reject 128 levels anyway, and the
// layout recurses once per level.
constexpr std::uint32_t max_format_depth = 200;

constexpr std::uint32_t no_token = 0xFFFFFFFF;

// A token, or a bracketed group of nodes between an opening and its closing token.
struct node {
  std::uint32_t tok = no_token;    // the token, or the group's opening token
  std::uint32_t close = no_token;  // set for a group
  std::vector<node> children;
  [[nodiscard]] bool is_group() const noexcept { return close != no_token; }
};

// The non-comment tokens with the comments attached to them: own-line comments before a
// token are its `leading`, a comment on the same line after it its `trailing`.
struct token_stream {
  std::vector<token> tokens;
  std::vector<token> comments;
  std::vector<std::vector<std::uint32_t>> leading;  // per token, indices into comments
  std::vector<std::uint32_t> trailing;              // per token, an index into comments or no_token
  std::vector<std::uint32_t> end_comments;          // own-line comments after the last token
};

token_stream attach_comments(const std::vector<token>& lexed) {
  token_stream s;
  std::vector<std::uint32_t> pending;
  for (const token& t : lexed) {
    if (t.kind == token_kind::comment) {
      const auto index = static_cast<std::uint32_t>(s.comments.size());
      s.comments.push_back(t);
      if (!t.own_line && !s.tokens.empty() && s.trailing.back() == no_token) {
        s.trailing.back() = index;
      } else {
        pending.push_back(index);
      }
      continue;
    }
    s.tokens.push_back(t);
    s.leading.push_back(std::move(pending));
    pending.clear();
    s.trailing.push_back(no_token);
  }
  s.end_comments = std::move(pending);
  return s;
}

bool is_punct(const token& t, std::string_view text) { return t.kind == token_kind::punct && t.text == text; }
bool is_word(const token& t, std::string_view text) { return t.kind == token_kind::word && t.text == text; }

bool is_keyword(std::string_view w, bool temporal) {
  static constexpr std::string_view cedar[] = {"if",   "then",   "else",    "in",     "like",
                                               "has",  "is",     "permit",  "forbid", "require_approval",
                                               "when", "unless", "temporal"};
  static constexpr std::string_view dogwood[] = {"formerly", "previous", "since", "within", "exists",
                                                 "for",      "where",    "count", "sum"};
  for (std::string_view k : cedar)
    if (k == w) return true;
  if (temporal)
    for (std::string_view k : dogwood)
      if (k == w) return true;
  return false;
}

class layout {
 public:
  layout(const token_stream& s, doc_builder& b) : s_(s), b_(b) {}

  doc_id item(std::span<const node> nodes) {
    if (nodes.empty()) return b_.concat({});
    std::optional<doc_id> d;
    if (is_word(tok_at(nodes[0]), "ordered")) {
      d = enum_decl(nodes);
    } else if (is_word(tok_at(nodes[0]), "def")) {
      d = macro_decl(nodes);
    } else {
      d = policy(nodes);
    }
    if (d) return *d;
    // Not a shape the parser accepts: keep the tokens, in a plain layout.
    return seq(nodes, false);
  }

 private:
  const token& tok_at(const node& n) const { return s_.tokens[n.tok]; }
  bool node_is(const node& n, std::string_view text) const {
    return !n.is_group() && s_.tokens[n.tok].text == text && s_.tokens[n.tok].kind != token_kind::string;
  }

  void comment_line(std::vector<doc_id>& parts, std::uint32_t c) {
    parts.push_back(b_.hardline());
    parts.push_back(b_.text(s_.comments[c].text));
    parts.push_back(b_.hardline());
  }

  // A token with its comments. A closing bracket's own-line comments are printed by the
  // bracket, inside its indentation, so they line up with the elements they follow.
  doc_id tok(std::uint32_t i, bool with_leading = true, bool with_trailing = true) {
    std::vector<doc_id> parts;
    if (with_leading)
      for (std::uint32_t c : s_.leading[i]) comment_line(parts, c);
    parts.push_back(b_.text(s_.tokens[i].text));
    if (with_trailing) trailing_comment(parts, i);
    return parts.size() == 1 ? parts[0] : b_.concat(std::move(parts));
  }

  void trailing_comment(std::vector<doc_id>& parts, std::uint32_t i) {
    if (s_.trailing[i] == no_token) return;
    parts.push_back(b_.space());
    parts.push_back(b_.text(s_.comments[s_.trailing[i]].text));
    parts.push_back(b_.hardline());
  }

  // A group closed by token `close`: a comment after the closing token comes after the group,
  // so that it does not force the group itself to break.
  doc_id closed_group(std::vector<doc_id> parts, std::uint32_t close) {
    parts.push_back(tok(close, false, false));
    const doc_id g = b_.group(std::move(parts));
    if (s_.trailing[close] == no_token) return g;
    std::vector<doc_id> out{g};
    trailing_comment(out, close);
    return b_.concat(std::move(out));
  }

  void close_comments(std::vector<doc_id>& parts, std::uint32_t close) {
    for (std::uint32_t c : s_.leading[close]) comment_line(parts, c);
  }

  // ---- expressions -------------------------------------------------------------------------

  // An expression: broken first at `||`, then at `&&` (operator first on the continuation
  // lines), `if`/`then`/`else` and Dogwood's `since`. `line_start` says the expression begins
  // a line of its own when broken, so continuation lines need no extra indentation.
  doc_id expr(std::span<const node> nodes, bool temporal, bool line_start) {
    if (nodes.empty()) return b_.concat({});
    if (!temporal && node_is(nodes[0], "if"))
      if (auto d = if_then_else(nodes, line_start)) return *d;
    for (std::string_view op : {"||", "&&"}) {
      std::vector<std::size_t> at;
      for (std::size_t i = 0; i < nodes.size(); ++i)
        if (node_is(nodes[i], op)) at.push_back(i);
      if (!at.empty()) return chain(nodes, at, temporal, line_start);
    }
    if (temporal)
      if (auto d = since(nodes, line_start)) return *d;
    return seq(nodes, temporal);
  }

  doc_id chain(std::span<const node> nodes, const std::vector<std::size_t>& at, bool temporal,
               bool line_start) {
    std::vector<doc_id> rest;
    std::size_t begin = 0;
    doc_id first = 0;
    for (std::size_t k = 0; k <= at.size(); ++k) {
      const std::size_t end = k < at.size() ? at[k] : nodes.size();
      const doc_id operand = expr(nodes.subspan(begin, end - begin), temporal, false);
      if (k == 0) {
        first = operand;
      } else {
        rest.push_back(b_.line());
        rest.push_back(tok(nodes[at[k - 1]].tok));
        rest.push_back(b_.space());
        rest.push_back(operand);
      }
      begin = end + 1;
    }
    return b_.group({first, line_start ? b_.concat(std::move(rest)) : b_.indent(std::move(rest))});
  }

  std::optional<doc_id> if_then_else(std::span<const node> nodes, bool line_start) {
    // Find this `if`'s own `then` and `else`: every `if` nested without parentheses has one
    // of each, so count the ones still open.
    std::size_t open = 0;
    std::size_t then_at = 0;
    std::size_t else_at = 0;
    for (std::size_t i = 0; i < nodes.size() && else_at == 0; ++i) {
      if (node_is(nodes[i], "if")) {
        ++open;
      } else if (node_is(nodes[i], "then") && open == 1 && then_at == 0) {
        then_at = i;
      } else if (node_is(nodes[i], "else")) {
        if (open == 1) {
          else_at = i;
        } else {
          --open;
        }
      }
    }
    if (then_at == 0 || else_at <= then_at + 1 || else_at + 1 >= nodes.size()) return std::nullopt;
    std::vector<doc_id> rest{
        b_.line(),  tok(nodes[then_at].tok),
        b_.space(), expr(nodes.subspan(then_at + 1, else_at - then_at - 1), false, false),
        b_.line(),  tok(nodes[else_at].tok),
        b_.space(), expr(nodes.subspan(else_at + 1), false, false)};
    const doc_id head =
        b_.concat({tok(nodes[0].tok), b_.space(), expr(nodes.subspan(1, then_at - 1), false, false)});
    return b_.group({head, line_start ? b_.concat(std::move(rest)) : b_.indent(std::move(rest))});
  }

  // `B since within W A`, broken as Dogwood's documentation writes it: B, then
  // `since within W`, then A, each on its own line.
  std::optional<doc_id> since(std::span<const node> nodes, bool line_start) {
    std::size_t at = 0;
    while (at < nodes.size() && !node_is(nodes[at], "since")) ++at;
    if (at == 0 || at + 2 >= nodes.size() || !node_is(nodes[at + 1], "within") || nodes[at + 2].is_group())
      return std::nullopt;
    std::size_t window_end = at + 3;
    if (tok_at(nodes[at + 2]).kind == token_kind::number && window_end < nodes.size() &&
        !nodes[window_end].is_group() && tok_at(nodes[window_end]).kind == token_kind::word)
      ++window_end;
    if (window_end >= nodes.size()) return std::nullopt;
    std::vector<doc_id> rest{b_.line(), seq(nodes.subspan(at, window_end - at), true), b_.line(),
                             expr(nodes.subspan(window_end), true, false)};
    const doc_id head = expr(nodes.subspan(0, at), true, false);
    return b_.group({head, line_start ? b_.concat(std::move(rest)) : b_.indent(std::move(rest))});
  }

  static bool operator_like(const token& t, bool temporal) {
    if (t.kind == token_kind::punct) return t.text != ")" && t.text != "]" && t.text != "}";
    return t.kind == token_kind::word && is_keyword(t.text, temporal);
  }

  // Whether a blank goes between two adjacent tokens of one line. `before_a` is the token
  // before `a`, and `a_unary` says `a` is a prefix `-`.
  static bool need_space(const token& a, const token* before_a, bool a_unary, const token& b, bool temporal) {
    const std::string_view ta = a.kind == token_kind::punct ? a.text : std::string_view{};
    const std::string_view tb = b.kind == token_kind::punct ? b.text : std::string_view{};
    if (tb == "," || tb == ";" || tb == ":" || tb == ")" || tb == "]" || tb == "}") return false;
    if (ta == "(" || ta == "[" || ta == "{") return false;
    if (ta == "::" || tb == "::" || tb == ".") return false;
    // In Dogwood, `.` after a binder list opens the body: `exists (a: Long). P`.
    if (ta == ".") return temporal && before_a != nullptr && is_punct(*before_a, ")");
    if (ta == "!" || (ta == "-" && a_unary)) return false;
    const bool name = is_call_name(a, temporal);
    if (tb == "(") return !(name || a.kind == token_kind::annotation);
    if (tb == "[")  // `context["a"]` indexes; `in [...]` is a set
      return temporal || !(name || a.kind == token_kind::string || a.kind == token_kind::number ||
                           ta == ")" || ta == "]" || ta == "}");
    if (tb == "{")  // Dogwood field blocks hug their predicate: `request{ a: b }`
      return !(temporal && (a.kind == token_kind::word || a.kind == token_kind::param || ta == "}"));
    return true;
  }

  const token& last_token(const node& n) const { return s_.tokens[n.is_group() ? n.close : n.tok]; }

  // Nodes on one line, with the blanks Cedar's and Dogwood's documentation use.
  doc_id seq(std::span<const node> nodes, bool temporal) {
    std::vector<doc_id> parts;
    const token* prev = nullptr;
    const token* before_prev = nullptr;
    bool prev_unary = false;
    for (const node& n : nodes) {
      const token& first = tok_at(n);
      if (prev != nullptr && need_space(*prev, before_prev, prev_unary, first, temporal))
        parts.push_back(b_.space());
      const bool unary = is_punct(first, "-") && (prev == nullptr || operator_like(*prev, temporal));
      parts.push_back(n.is_group() ? bracket_for(n, prev, temporal) : tok(n.tok));
      before_prev = n.is_group() ? nullptr : prev;
      prev = &last_token(n);
      prev_unary = !n.is_group() && unary;
    }
    return parts.size() == 1 ? parts[0] : b_.concat(std::move(parts));
  }

  doc_id bracket_for(const node& g, const token* prev, bool temporal) {
    const token& open = tok_at(g);
    if (open.text == "{") {
      if (temporal) return bracket(g, true, true);
      if (prev != nullptr && is_word(*prev, "temporal")) return bracket(g, true, true);
      return bracket(g, false, false);  // a record
    }
    if (prev != nullptr && open.text == "(" && is_call_name(*prev, temporal)) return call_args(g, temporal);
    return bracket(g, false, temporal);
  }

  static bool is_call_name(const token& t, bool temporal) {
    return t.kind == token_kind::word && !is_keyword(t.text, temporal);
  }

  bool has_comments(std::uint32_t i) const { return !s_.leading[i].empty() || s_.trailing[i] != no_token; }

  // Call arguments. Too long for one line, and with only plain arguments before a last one
  // that ends in a bracket, the call hugs that bracket, which alone breaks:
  //   count_within(1m, Action::"search"::request{
  //     callerPrincipal: principal
  //   }) > 10
  // and otherwise every argument takes a line of its own.
  doc_id call_args(const node& g, bool temporal) {
    // Both alternatives share the arguments' layouts: built twice, nested calls would cost
    // 2^depth layout nodes (a file of 25 nested `contains(` took minutes and gigabytes).
    const std::vector<doc_id> elements = elements_of(g, temporal);
    const doc_id expanded = bracket_of(g, false, elements);
    const auto& ch = g.children;
    if (ch.empty() || ch.back().is_group() == false || has_comments(g.tok) || has_comments(g.close))
      return expanded;
    std::size_t last_begin = 0;  // where the last argument starts
    for (std::size_t i = 0; i < ch.size(); ++i) {
      if (node_is(ch[i], ",")) last_begin = i + 1;
    }
    for (std::size_t i = 0; i < ch.size(); ++i) {
      const node& n = ch[i];
      if (n.is_group()) {
        if (i + 1 != ch.size()) return expanded;  // only the last node may be a bracket
        continue;
      }
      if (node_is(n, "&&") || node_is(n, "||") || node_is(n, "if") || (temporal && node_is(n, "since")))
        return expanded;
      if (i < last_begin && has_comments(n.tok)) return expanded;
    }
    std::vector<doc_id> parts{tok(g.tok)};
    std::size_t begin = 0;
    std::size_t next_element = 0;
    for (std::size_t i = 0; i <= ch.size(); ++i) {
      if (i < ch.size() && !node_is(ch[i], ",")) continue;
      // Calls take no empty argument (no trailing comma), so every argument has its layout.
      if (i > begin) parts.push_back(elements[next_element++]);
      if (i < ch.size()) {
        parts.push_back(tok(ch[i].tok));
        parts.push_back(b_.space());
      }
      begin = i + 1;
    }
    parts.push_back(tok(g.close));
    return b_.choice(b_.concat(std::move(parts)), expanded);
  }

  // One element of a bracket: `key: value` (records, Dogwood fields and binders) or an
  // expression.
  doc_id element(std::span<const node> nodes, bool temporal) {
    for (std::size_t k = 1; k + 1 < nodes.size(); ++k) {
      if (node_is(nodes[k], ":")) {
        return b_.concat({seq(nodes.subspan(0, k), temporal), tok(nodes[k].tok), b_.space(),
                          expr(nodes.subspan(k + 1), temporal, false)});
      }
    }
    return expr(nodes, temporal, true);
  }

  // A bracketed list, flat when it fits, else one element a line. `padded` puts blanks inside
  // the brackets when flat: `{ a: 1 }` in Dogwood, `temporal { ... }`.
  doc_id bracket(const node& g, bool padded, bool temporal) {
    return bracket_of(g, padded, elements_of(g, temporal));
  }

  // The layout of each non-empty comma-separated element of `g`, in order.
  std::vector<doc_id> elements_of(const node& g, bool temporal) {
    std::vector<doc_id> out;
    std::size_t begin = 0;
    const auto& ch = g.children;
    for (std::size_t i = 0; i <= ch.size(); ++i) {
      if (i < ch.size() && !node_is(ch[i], ",")) continue;
      if (i > begin) out.push_back(element(std::span(ch).subspan(begin, i - begin), temporal));
      begin = i + 1;
    }
    return out;
  }

  // `bracket` over elements laid out already (by elements_of), so a caller that also needs them
  // for another alternative builds them once.
  doc_id bracket_of(const node& g, bool padded, const std::vector<doc_id>& elements) {
    if (g.children.empty() && s_.leading[g.close].empty()) return closed_group({tok(g.tok)}, g.close);
    std::vector<doc_id> inner{padded ? b_.line() : b_.softline()};
    std::size_t begin = 0;
    std::size_t next_element = 0;
    const auto& ch = g.children;
    for (std::size_t i = 0; i <= ch.size(); ++i) {
      if (i < ch.size() && !node_is(ch[i], ",")) continue;
      if (i > begin) inner.push_back(elements[next_element++]);
      if (i < ch.size()) {
        inner.push_back(tok(ch[i].tok));
        if (i + 1 < ch.size()) inner.push_back(b_.line());
      }
      begin = i + 1;
    }
    close_comments(inner, g.close);
    return closed_group({tok(g.tok), b_.indent(std::move(inner)), padded ? b_.line() : b_.softline()},
                        g.close);
  }

  // `{ body }` of a condition or a macro: on the line of its keyword when it fits.
  doc_id block(std::vector<doc_id> head, const node& g, bool temporal) {
    head.push_back(b_.space());
    head.push_back(tok(g.tok));
    std::vector<doc_id> inner{b_.line(), expr(g.children, temporal, true)};
    close_comments(inner, g.close);
    head.push_back(b_.indent(std::move(inner)));
    head.push_back(b_.line());
    return closed_group(std::move(head), g.close);
  }

  // ---- items -------------------------------------------------------------------------------

  std::optional<doc_id> policy(std::span<const node> nodes) {
    std::vector<doc_id> parts;
    std::size_t i = 0;
    while (i < nodes.size() && !nodes[i].is_group() && tok_at(nodes[i]).kind == token_kind::annotation) {
      const bool valued = i + 1 < nodes.size() && nodes[i + 1].is_group() && node_is_open(nodes[i + 1], "(");
      parts.push_back(seq(nodes.subspan(i, valued ? 2 : 1), false));
      parts.push_back(b_.hardline());
      i += valued ? 2 : 1;
    }
    if (i + 2 >= nodes.size() || nodes[i].is_group() || !nodes[i + 1].is_group() ||
        !node_is_open(nodes[i + 1], "("))
      return std::nullopt;
    parts.push_back(tok(nodes[i].tok));
    parts.push_back(b_.space());
    const auto scope = scope_doc(nodes[i + 1]);
    if (!scope) return std::nullopt;
    parts.push_back(*scope);
    i += 2;
    while (i + 1 < nodes.size() && (node_is(nodes[i], "when") || node_is(nodes[i], "unless"))) {
      std::vector<doc_id> head{tok(nodes[i].tok)};
      bool temporal = false;
      ++i;
      if (node_is(nodes[i], "temporal") || node_is(nodes[i], "guardrails")) {
        temporal = node_is(nodes[i], "temporal");
        head.push_back(b_.space());
        head.push_back(tok(nodes[i].tok));
        ++i;
      }
      if (i >= nodes.size() || !nodes[i].is_group() || !node_is_open(nodes[i], "{")) return std::nullopt;
      parts.push_back(b_.hardline());
      parts.push_back(block(std::move(head), nodes[i], temporal));
      ++i;
    }
    if (i + 1 != nodes.size() || !node_is(nodes[i], ";")) return std::nullopt;
    parts.push_back(tok(nodes[i].tok));
    return b_.concat(std::move(parts));
  }

  bool node_is_open(const node& n, std::string_view open) const {
    return n.is_group() && s_.tokens[n.tok].text == open;
  }

  // The scope always takes one line per element, as `cedar format` writes it.
  std::optional<doc_id> scope_doc(const node& g) {
    std::vector<doc_id> inner;
    std::size_t begin = 0;
    int elements = 0;
    const auto& ch = g.children;
    for (std::size_t i = 0; i <= ch.size(); ++i) {
      if (i < ch.size() && !node_is(ch[i], ",")) continue;
      if (i == begin) return std::nullopt;
      inner.push_back(b_.hardline());
      inner.push_back(expr(std::span(ch).subspan(begin, i - begin), false, true));
      ++elements;
      if (i < ch.size()) inner.push_back(tok(ch[i].tok));
      begin = i + 1;
    }
    if (elements != 3) return std::nullopt;
    close_comments(inner, g.close);
    return b_.concat({tok(g.tok), b_.indent(std::move(inner)), b_.hardline(), tok(g.close, false)});
  }

  // `ordered enum Name ["a", "b"];`
  std::optional<doc_id> enum_decl(std::span<const node> nodes) {
    if (nodes.size() < 4 || !node_is_open(nodes[nodes.size() - 2], "[") || !node_is(nodes.back(), ";"))
      return std::nullopt;
    return b_.concat({seq(nodes.subspan(0, nodes.size() - 2), false), b_.space(),
                      bracket(nodes[nodes.size() - 2], false, false), tok(nodes.back().tok)});
  }

  // `def temporal name(?a, ?b) { body };`
  std::optional<doc_id> macro_decl(std::span<const node> nodes) {
    if (nodes.size() != 6 || !node_is_open(nodes[3], "(") || !node_is_open(nodes[4], "{") ||
        !node_is(nodes[5], ";"))
      return std::nullopt;
    const bool temporal = node_is(nodes[1], "temporal");
    return b_.concat({block({seq(nodes.subspan(0, 4), false)}, nodes[4], temporal), tok(nodes[5].tok)});
  }

  const token_stream& s_;
  doc_builder& b_;
};

struct tree_error {
  std::uint32_t offset;
  std::string message;
};

// Groups tokens [begin, end) by their brackets. The parser has matched the brackets of the
// Cedar text already; those inside a `temporal { ... }` body it has not, so a stray `)` there
// is reported here.
std::optional<tree_error> build_tree(const std::vector<token>& tokens, std::size_t begin, std::size_t end,
                                     std::vector<node>& out) {
  std::vector<node> stack(1);
  for (std::size_t i = begin; i < end; ++i) {
    const token& t = tokens[i];
    const auto index = static_cast<std::uint32_t>(i);
    if (t.kind == token_kind::punct && (t.text == "(" || t.text == "[" || t.text == "{")) {
      if (stack.size() > max_format_depth)
        return tree_error{
            t.offset,
            fmt::format("nested too deeply to format (more than {} levels of brackets)", max_format_depth)};
      stack.push_back(node{index, no_token, {}});
      continue;
    }
    if (t.kind == token_kind::punct && (t.text == ")" || t.text == "]" || t.text == "}")) {
      const char want = t.text == ")" ? '(' : t.text == "]" ? '[' : '{';
      if (stack.size() == 1 || tokens[stack.back().tok].text[0] != want)
        return tree_error{t.offset, stack.size() == 1
                                        ? fmt::format("unmatched `{}`", t.text)
                                        : fmt::format("unmatched `{}`: the `{}` before it is never closed",
                                                      t.text, tokens[stack.back().tok].text)};
      node group = std::move(stack.back());
      stack.pop_back();
      group.close = index;
      stack.back().children.push_back(std::move(group));
      continue;
    }
    stack.back().children.push_back(node{index, no_token, {}});
  }
  if (stack.size() > 1)
    return tree_error{tokens[stack.back().tok].offset,
                      fmt::format("`{}` is never closed", tokens[stack.back().tok].text)};
  out = std::move(stack.front().children);
  return std::nullopt;
}

// The same tokens and the same comments, in the same order.
bool same_tokens(const std::vector<token>& a, const std::vector<token>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].kind != b[i].kind || a[i].text != b[i].text) return false;
  return true;
}

}  // namespace

expected<std::string, std::vector<diagnostic>> format_policies(std::string_view text,
                                                               std::string_view source_name,
                                                               const format_options& options) {
  detail::policy_set_ast ast;
  ast.files.emplace_back(std::string(source_name), std::string(text));
  std::vector<diagnostic> diagnostics;
  const detail::parse_limits limits;
  detail::collect_macros(ast, 0, limits, diagnostics);
  detail::parse_policies(ast, 0, limits, diagnostics);
  if (has_errors(diagnostics)) return unexpected(std::move(diagnostics));

  auto error_at = [&](std::uint32_t offset, std::string code, std::string message) {
    const auto at = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text.size()));
    const detail::source_span span{0, at, at + 1};
    return unexpected(
        std::vector<diagnostic>{detail::make_diagnostic(ast, span, std::move(code), std::move(message))});
  };

  std::vector<token> lexed;
  lex_error lexing;
  if (!lex(text, lexed, lexing)) return error_at(lexing.offset, "parse", lexing.message);
  const token_stream stream = attach_comments(lexed);
  const std::vector<token>& tokens = stream.tokens;

  // Top-level blocks of output: items, and runs of comments that stand apart from them.
  struct block_text {
    std::string text;
    bool blank_before;
  };
  std::vector<block_text> blocks;
  // Comments followed by a blank line stand apart from what follows them: they become blocks
  // of their own. Returns how many of `indices` did; the rest stay with the next token.
  auto split_comments = [&](const std::vector<std::uint32_t>& indices, bool blank_after) -> std::size_t {
    std::size_t start = 0;
    for (std::size_t j = 0; j < indices.size(); ++j) {
      const bool blank_next =
          j + 1 < indices.size() ? stream.comments[indices[j + 1]].blank_before : blank_after;
      if (!blank_next) continue;
      block_text b{"", stream.comments[indices[start]].blank_before};
      for (std::size_t k = start; k <= j; ++k) {
        if (k > start) b.text += '\n';
        b.text += stream.comments[indices[k]].text;
      }
      blocks.push_back(std::move(b));
      start = j + 1;
    }
    return start;
  };

  token_stream attached = stream;
  doc_builder builder;
  layout lay(attached, builder);
  std::size_t begin = 0;
  while (begin < tokens.size()) {
    // An item ends at the first `;` outside brackets.
    std::size_t end = begin;
    int depth = 0;
    while (end < tokens.size()) {
      const token& t = tokens[end++];
      if (t.kind != token_kind::punct) continue;
      if (t.text == "(" || t.text == "[" || t.text == "{") ++depth;
      if (t.text == ")" || t.text == "]" || t.text == "}") --depth;
      if (t.text == ";" && depth <= 0) break;
    }
    auto& leading = attached.leading[begin];
    const std::size_t kept = split_comments(leading, tokens[begin].blank_before);
    leading.erase(leading.begin(), leading.begin() + static_cast<std::ptrdiff_t>(kept));
    std::vector<node> nodes;
    if (auto bad = build_tree(tokens, begin, end, nodes)) return error_at(bad->offset, "parse", bad->message);
    blocks.push_back({builder.print(lay.item(nodes), options.line_width, options.indent), true});
    begin = end;
  }
  split_comments(stream.end_comments, true);

  std::string out;
  for (const block_text& b : blocks) {
    if (!out.empty()) out += b.blank_before ? "\n\n" : "\n";
    out += b.text;
  }
  if (!out.empty()) out += '\n';

  std::vector<token> again;
  if (!lex(out, again, lexing) || !same_tokens(lexed, again))
    return error_at(0, "internal",
                    "the formatter would have changed the meaning of this file; it was left as it is "
                    "(please report this as a bug in `mandate fmt`)");
  return out;
}

}  // namespace v0
}  // namespace mandate
