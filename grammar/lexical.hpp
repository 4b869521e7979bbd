// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The lexical rules Cedar's policy language and its schema language share: `//` comments,
// blanks, identifiers and keywords. Both PEGTL grammars build on these.
#pragma once

#include <tao/pegtl.hpp>

#include <cstddef>

namespace mandate::lexical {

namespace peg = tao::pegtl;

struct line_comment : peg::seq<peg::two<'/'>, peg::until<peg::eolf>> {};
struct whitespace : peg::sor<peg::space, line_comment> {};
/// Any run of blanks and comments, possibly empty.
struct sep : peg::star<whitespace> {};

struct ident_first : peg::ranges<'a', 'z', 'A', 'Z', '_'> {};
struct ident_other : peg::ranges<'a', 'z', 'A', 'Z', '0', '9', '_'> {};
struct identifier_chars : peg::seq<ident_first, peg::star<ident_other>> {};

/// One character of a string literal between its quotes: an escape (checked when the literal
/// is decoded, so one bad escape gets its own message), or anything but `"` and `\`.
struct string_char : peg::sor<peg::seq<peg::one<'\\'>, peg::any>, peg::not_one<'"', '\\'>> {};

/// Wraps a rule that nests (parentheses, brackets, braces, records) and counts the depth on
/// the input, with PEGTL's own depth counter, so 10,000 `(` raise `TooDeep` rather than
/// overflow the stack. `Limit::get()` is the deepest nesting allowed.
template <typename Rule, typename TooDeep, typename Limit>
struct depth_guarded {
  using rule_t = depth_guarded;
  using subs_t = peg::type_list<Rule>;

  template <peg::apply_mode A, peg::rewind_mode M, template <typename...> class Action,
            template <typename...> class Control, typename ParseInput, typename... States>
  [[nodiscard]] static bool match(ParseInput& in, States&&... st) {
    struct guard {
      std::size_t& depth;
      explicit guard(std::size_t& d) : depth(++d) {}
      ~guard() { --depth; }
      guard(const guard&) = delete;
      guard& operator=(const guard&) = delete;
    } depth_guard(in.private_depth);
    if (in.private_depth > Limit::get()) Control<TooDeep>::raise(in, st...);
    return Control<Rule>::template match<A, M, Action, Control>(in, st...);
  }
};

/// A nesting limit fixed when the grammar is written.
template <std::size_t N>
struct fixed_limit {
  static constexpr std::size_t get() noexcept { return N; }
};

/// A word that is not the start of a longer identifier (`in` but not `inner`).
template <char... Cs>
struct keyword : peg::seq<peg::string<Cs...>, peg::not_at<ident_other>> {};

}  // namespace mandate::lexical
