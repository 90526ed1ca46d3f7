// YamlDocument: the first YAML document of a text as a tree of scalars, sequences and mappings,
// built from libyaml's event parser, with the position of every node. An alias is the node its
// anchor names (shared, never copied: a "billion laughs" builds a few dozen nodes, but its tree is
// a graph, possibly with cycles, so whoever walks it bounds the walk). A document owns every node;
// a YamlNode is a view into it, valid while the document lives (moving the document keeps it
// valid). Built by one thread, then any thread may read it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/source_pos.h"

namespace faultline::scenario {

namespace yaml_internal {
struct Tree;
struct NodeData;
}  // namespace yaml_internal

// A node of a YamlDocument, or no node at all (a default YamlNode, what Find returns for a missing
// key): every query of a missing node answers false, 0, "" or {}.
class YamlNode {
 public:
  struct Entry;

 private:
  // A sequence's item i, and a mapping's entry i (its children 2i and 2i+1).
  static YamlNode ItemAt(const YamlNode& n, size_t i) { return n.Child(i); }
  static Entry EntryAt(const YamlNode& n, size_t i);

 public:
  // A collection's children as a range: element i is Read(node, i).
  template <typename T, T (*Read)(const YamlNode&, size_t)>
  class Range;
  using Items = Range<YamlNode, &YamlNode::ItemAt>;
  using Entries = Range<Entry, &YamlNode::EntryAt>;

  YamlNode() = default;

  bool IsDefined() const { return tree_ != nullptr; }
  // Every scalar, a null one too (see IsNull).
  bool IsScalar() const;
  bool IsSequence() const;
  bool IsMap() const;
  // A plain (unquoted, untagged) scalar that YAML 1.1 reads as null: "", "~", "null", "Null" or
  // "NULL", as an empty `key:` is. "null" in quotes, or `!!str null`, is a string.
  bool IsNull() const;
  // Written without quotes or a block indicator (| or >).
  bool IsPlain() const;
  // Written with a tag (!!str, !foo).
  bool IsTagged() const;
  // The text of a scalar (escapes resolved, as YAML reads it); "" for anything else.
  std::string_view Scalar() const;
  // Where the node starts: its anchor or tag if it has one, else its first character (the opening
  // quote of a quoted scalar, the '[' of a flow sequence, the first key of a block mapping). Lines
  // are counted by '\n' and columns in bytes, both from 1; {} for no node.
  SourcePos Pos() const;

  // The items of a sequence or the entries of a mapping (0 for anything else).
  size_t size() const;
  // Item `i` of a sequence; no node when out of range or not a sequence.
  YamlNode operator[](size_t i) const;
  // The value of the first entry whose key is the non-null scalar `key`; no node if none.
  YamlNode Find(std::string_view key) const;
  // A sequence's items, in document order (empty for anything else).
  Items items() const;
  // A mapping's entries, in document order, duplicate keys included (empty for anything else).
  Entries entries() const;

  // The same node: an alias and its anchor, or the same child reached twice.
  bool SameAs(const YamlNode& other) const { return tree_ == other.tree_ && id_ == other.id_; }

 private:
  friend class YamlDocument;
  YamlNode(const yaml_internal::Tree* tree, uint32_t id) : tree_(tree), id_(id) {}
  const yaml_internal::NodeData* Data() const;
  YamlNode Child(size_t i) const;  // the i-th child id of a collection (a mapping's are k, v, ...)

  const yaml_internal::Tree* tree_ = nullptr;
  uint32_t id_ = 0;
};

struct YamlNode::Entry {
  YamlNode first;   // the key
  YamlNode second;  // the value
};

inline YamlNode::Entry YamlNode::EntryAt(const YamlNode& n, size_t i) {
  return {n.Child(2 * i), n.Child(2 * i + 1)};
}

// for (YamlNode item : n.items()) and for (const auto& [key, value] : n.entries()).
template <typename T, T (*Read)(const YamlNode&, size_t)>
class YamlNode::Range {
 public:
  class iterator {
   public:
    T operator*() const { return Read(node_, i_); }
    iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator!=(const iterator& o) const { return i_ != o.i_; }

   private:
    friend class Range;
    iterator(YamlNode node, size_t i) : node_(node), i_(i) {}
    YamlNode node_;
    size_t i_;
  };
  iterator begin() const { return {node_, 0}; }
  iterator end() const { return {node_, size_}; }

 private:
  friend class YamlNode;
  Range(YamlNode node, size_t size) : node_(node), size_(size) {}
  YamlNode node_;
  size_t size_;
};

// Why a text is not a YAML document: libyaml's words, where it found the problem and, when it
// says, where the construct it was reading began.
struct YamlSyntaxError {
  std::string problem;  // "did not find expected ',' or ']'"
  SourcePos pos;
  std::string context;  // "while parsing a flow sequence", or ""
  SourcePos context_pos;
  // "invalid YAML: <problem> (<context> that starts at L:C)".
  std::string Message() const;
};

struct YamlParseOptions {
  // Asked every few thousand events; when it returns true the parse stops (interrupted()).
  std::function<bool()> interrupted;
  // Collections nested deeper than this are a syntax error (as yaml-cpp's 500: no reader of the
  // tree need worry about the stack for what the file itself nests; aliases are theirs to bound).
  int max_depth = 500;
};

class YamlDocument {
 public:
  // Parses the first document of `text` (UTF-8). A syntax error anywhere in it, an alias to an
  // anchor not defined before it, or nesting past max_depth leaves error() set and no root. A
  // second document is not parsed (second_document() says where it starts); an empty text or
  // one of comments only has no document and no root. Never throws (but std::bad_alloc); frees
  // whatever libyaml allocated on every path.
  static YamlDocument Parse(std::string_view text, const YamlParseOptions& options = {});

  YamlDocument(YamlDocument&&) noexcept;
  YamlDocument& operator=(YamlDocument&&) noexcept;
  ~YamlDocument();

  // The root of the first document; no node when there is none, on an error or an interrupt.
  YamlNode root() const;
  const std::optional<YamlSyntaxError>& error() const { return error_; }
  bool interrupted() const { return interrupted_; }
  // Where a second document starts ({} when there is none).
  SourcePos second_document() const { return second_document_; }
  // Nodes built (an alias adds none).
  size_t node_count() const;

 private:
  YamlDocument();
  friend class YamlBuilder;

  std::unique_ptr<yaml_internal::Tree> tree_;
  std::optional<YamlSyntaxError> error_;
  bool interrupted_ = false;
  SourcePos second_document_;
};

}  // namespace faultline::scenario
