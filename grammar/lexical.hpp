// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The lexical rules Cedar's policy language and its schema language share: `//` comments,
// blanks, identifiers and keywords. Both PEGTL grammars build on these.
#pragma once

#include <tao/pegtl.hpp>

namespace mandate::lexical {

namespace peg = tao::pegtl;

struct line_comment : peg::seq<peg::two<'/'>, peg::until<peg::eolf>> {};
struct whitespace : peg::sor<peg::space, line_comment> {};
/// Any run of blanks and comments, possibly empty.
struct sep : peg::star<whitespace> {};

struct ident_first : peg::ranges<'a', 'z', 'A', 'Z', '_'> {};
struct ident_other : peg::ranges<'a', 'z', 'A', 'Z', '0', '9', '_'> {};
struct identifier_chars : peg::seq<ident_first, peg::star<ident_other>> {};

/// A word that is not the start of a longer identifier (`in` but not `inner`).
template <char... Cs>
struct keyword : peg::seq<peg::string<Cs...>, peg::not_at<ident_other>> {};

}  // namespace mandate::lexical
