// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The formatter's lexer. It covers both languages of a policy file, Cedar and the Dogwood
// temporal sublanguage (`1h`, `$t`, `?w`), and keeps what the PEGTL grammar throws away:
// comments and where line breaks were. The formatter lays out these tokens, then lexes its own
// output again to prove that only whitespace changed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mandate::detail::formatting {

enum class token_kind : std::uint8_t {
  word,        // identifier or keyword
  number,      // 42
  duration,    // 1h, 30m: Dogwood windows
  string,      // "text", verbatim with its quotes and escapes
  punct,       // operators and brackets
  annotation,  // @id
  param,       // ?principal, ?w
  fresh,       // $t
  comment,     // `// ...`, without trailing blanks
};

struct token {
  token_kind kind = token_kind::punct;
  std::string_view text;
  std::uint32_t offset = 0;
  /// Only blanks stand between the start of this token's line and the token (always true
  /// for the first token of the file).
  bool own_line = false;
  /// A blank line stands between the previous token or comment and this one.
  bool blank_before = false;
};

struct lex_error {
  std::uint32_t offset = 0;
  std::string message;
};

/// Splits `text` into tokens, comments included. Returns false and fills `error` at the first
/// byte no token can start with, or at an unterminated string.
bool lex(std::string_view text, std::vector<token>& out, lex_error& error);

}  // namespace mandate::detail::formatting
