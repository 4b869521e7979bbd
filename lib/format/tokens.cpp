// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
#include "format/tokens.hpp"

#include <fmt/format.h>

#include <string_view>

namespace mandate::detail::formatting {
namespace {

bool ident_first(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool ident_other(char c) { return ident_first(c) || (c >= '0' && c <= '9'); }
bool digit(char c) { return c >= '0' && c <= '9'; }
// The grammar's whitespace (PEGTL `space`): ASCII only, as REFERENCE.md section 8 says.
bool blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

std::string describe_byte(unsigned char c) {
  if (c >= 0x80)
    return fmt::format("unexpected byte 0x{:02X}: only ASCII whitespace may stand between tokens", c);
  if (c < 0x20 || c == 0x7F) return fmt::format("unexpected control character 0x{:02X}", c);
  return fmt::format("unexpected character `{}`", static_cast<char>(c));
}

}  // namespace

bool lex(std::string_view text, std::vector<token>& out, lex_error& error) {
  const std::size_t n = text.size();
  std::size_t i = 0;
  std::uint32_t newlines = 0;  // since the previous token
  bool at_start = true;
  auto push = [&](token_kind kind, std::size_t begin, std::size_t end) {
    token t;
    t.kind = kind;
    t.text = text.substr(begin, end - begin);
    t.offset = static_cast<std::uint32_t>(begin);
    t.own_line = at_start || newlines > 0;
    t.blank_before = newlines > 1;
    out.push_back(t);
    at_start = false;
    newlines = 0;
  };
  while (i < n) {
    const char c = text[i];
    if (blank(c)) {
      if (c == '\n') ++newlines;
      ++i;
      continue;
    }
    const std::size_t begin = i;
    if (c == '/' && i + 1 < n && text[i + 1] == '/') {
      while (i < n && text[i] != '\n') ++i;
      std::size_t end = i;
      // Trailing blanks (and the CR of a CRLF) are whitespace, not part of the comment.
      while (end > begin + 2 && blank(text[end - 1])) --end;
      push(token_kind::comment, begin, end);
      continue;
    }
    if (c == '"') {
      ++i;
      while (i < n && text[i] != '"') i += text[i] == '\\' ? 2 : 1;
      if (i >= n) {
        error = {static_cast<std::uint32_t>(begin), "unterminated string literal"};
        return false;
      }
      ++i;
      push(token_kind::string, begin, i);
      continue;
    }
    if (ident_first(c)) {
      while (i < n && ident_other(text[i])) ++i;
      push(token_kind::word, begin, i);
      continue;
    }
    if (digit(c)) {
      while (i < n && digit(text[i])) ++i;
      // `1h` is one Dogwood token; `1in` is the number 1 and the word `in`.
      if (i < n && (text[i] == 's' || text[i] == 'm' || text[i] == 'h' || text[i] == 'd') &&
          (i + 1 >= n || !ident_other(text[i + 1]))) {
        ++i;
        push(token_kind::duration, begin, i);
      } else {
        push(token_kind::number, begin, i);
      }
      continue;
    }
    if ((c == '@' || c == '?' || c == '$') && i + 1 < n && ident_first(text[i + 1])) {
      ++i;
      while (i < n && ident_other(text[i])) ++i;
      push(c == '@' ? token_kind::annotation : c == '?' ? token_kind::param : token_kind::fresh, begin, i);
      continue;
    }
    if (i + 1 < n) {
      const std::string_view two = text.substr(i, 2);
      if (two == "==" || two == "!=" || two == "<=" || two == ">=" || two == "&&" || two == "||" ||
          two == "::") {
        i += 2;
        push(token_kind::punct, begin, i);
        continue;
      }
    }
    if (std::string_view("()[]{},;:.<>!-+*=").find(c) != std::string_view::npos) {
      ++i;
      push(token_kind::punct, begin, i);
      continue;
    }
    error = {static_cast<std::uint32_t>(begin), describe_byte(static_cast<unsigned char>(c))};
    return false;
  }
  return true;
}

}  // namespace mandate::detail::formatting
