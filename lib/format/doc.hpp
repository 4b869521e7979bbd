// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// A Wadler/Oppen-style document: text, line breaks that a group may keep flat, groups and
// indentation. A group is printed flat when it fits in what is left of the line, otherwise
// its lines break. The printer is iterative and looks ahead at most a line's width per group,
// so deep or huge input costs linear time and no recursion.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mandate::detail::formatting {

using doc_id = std::uint32_t;

enum class doc_kind : std::uint8_t {
  text,      // verbatim; may hold a line break (a multi-line string), which breaks its groups
  space,     // one blank, dropped at the start of a line
  line,      // a blank when flat, a line break when broken
  softline,  // nothing when flat, a line break when broken
  hardline,  // always a line break; breaks every enclosing group
  concat,
  group,
  indent,  // children one level deeper
  // Two layouts of the same text: children[0] ("hugged": no line break of its own, only its
  // last group may break) when its first line fits, else children[1] (a group).
  choice,
};

class doc_builder {
 public:
  doc_id text(std::string_view s);
  doc_id space() { return leaf(doc_kind::space); }
  doc_id line() { return leaf(doc_kind::line); }
  doc_id softline() { return leaf(doc_kind::softline); }
  doc_id hardline() { return leaf(doc_kind::hardline); }
  doc_id concat(std::vector<doc_id> children) { return node(doc_kind::concat, std::move(children)); }
  doc_id group(std::vector<doc_id> children) { return node(doc_kind::group, std::move(children)); }
  doc_id indent(std::vector<doc_id> children) { return node(doc_kind::indent, std::move(children)); }
  doc_id choice(doc_id hugged, doc_id expanded) { return node(doc_kind::choice, {hugged, expanded}); }

  /// Prints `root` (broken at the top) with lines of at most `width` bytes where possible.
  /// Never emits trailing blanks or blank lines.
  [[nodiscard]] std::string print(doc_id root, std::uint32_t width, std::uint32_t indent_step) const;

 private:
  struct doc_node {
    doc_kind kind;
    bool hard = false;  // contains a hardline or a multi-line text: can never be flat
    std::string_view text;
    std::vector<doc_id> children;
  };
  struct command {
    std::uint32_t indent;
    bool flat;
    doc_id id;
  };
  doc_id leaf(doc_kind kind);
  doc_id node(doc_kind kind, std::vector<doc_id> children);
  [[nodiscard]] bool fits(doc_id next, std::int64_t width, const std::vector<command>& rest,
                          bool next_flat = true) const;

  std::vector<doc_node> nodes_;
};

}  // namespace mandate::detail::formatting
