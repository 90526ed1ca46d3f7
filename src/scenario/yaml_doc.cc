// YamlDocument: libyaml's events (yaml_parser_parse) into one vector of nodes. libyaml's own
// document loader is not used: it copies nothing for an alias either, but gives no plain/quoted
// style of a scalar, rejects a reused anchor, and allocates per node.
#include "scenario/yaml_doc.h"

#include <fmt/format.h>
#include <yaml.h>

#include <algorithm>
#include <limits>
#include <unordered_map>

namespace faultline::scenario {
namespace yaml_internal {

enum class Kind : uint8_t { kScalar, kSequence, kMap };
enum Flag : uint8_t { kPlain = 1, kTagged = 2, kNull = 4 };

struct NodeData {
  Kind kind;
  uint8_t flags;
  SourcePos pos;
  uint32_t begin;  // a scalar's offset in Tree::text; a collection's first index in children
  uint32_t size;   // a scalar's length; a collection's children (two per mapping entry)
};

struct Tree {
  static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
  std::vector<NodeData> nodes;
  std::vector<uint32_t> children;  // the ids of each collection's children, one run each
  std::string text;                // every scalar's text, end to end
  uint32_t root = kNone;
};

}  // namespace yaml_internal

using yaml_internal::Flag;
using yaml_internal::Kind;
using yaml_internal::NodeData;
using yaml_internal::Tree;

namespace {

// Larger texts would overflow the 32-bit offsets and counts of the tree.
constexpr size_t kMaxText = size_t{1} << 30;
// How many events between two questions to YamlParseOptions::interrupted.
constexpr size_t kInterruptCheckEvery = 4096;

bool IsNullString(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

// libyaml counts a mark's index in characters and breaks lines at "\r", NEL, LS and PS as well as
// "\n"; positions here are bytes on '\n'-separated lines (what the carets of diagnostics and the
// loader's offsets use). For ASCII without a lone "\r" the two agree but at the very end; otherwise
// a cursor walks the text from one mark to the next (they come nearly in order, so the walks add up
// to the text).
class Positions {
 public:
  explicit Positions(std::string_view text) : text_(text) {
    exact_ = true;
    for (size_t i = 0; i < text.size() && exact_; ++i) {
      auto c = static_cast<unsigned char>(text[i]);
      if (c >= 0x80 || (c == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))) {
        exact_ = false;
      }
    }
  }

  SourcePos OfMark(const yaml_mark_t& m) {
    // At the end of the text libyaml starts a line of its own (for the stream's end).
    if (exact_ && m.index < text_.size()) {
      return {static_cast<int>(m.line + 1), static_cast<int>(m.column + 1)};
    }
    while (chars_ < m.index && bytes_ < text_.size()) Forward();
    while (chars_ > m.index && bytes_ > 0) Back();
    return {line_, static_cast<int>(bytes_ - line_start_ + 1)};
  }

  SourcePos OfByte(size_t offset) const {
    offset = std::min(offset, text_.size());
    std::string_view before = text_.substr(0, offset);
    size_t nl = before.rfind('\n');
    size_t start = nl == std::string_view::npos ? 0 : nl + 1;
    return {static_cast<int>(std::count(before.begin(), before.end(), '\n') + 1),
            static_cast<int>(offset - start + 1)};
  }

 private:
  void Forward() {
    auto c = static_cast<unsigned char>(text_[bytes_]);
    size_t width = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (c == '\n') {
      ++line_;
      line_start_ = bytes_ + 1;
    }
    bytes_ = std::min(bytes_ + width, text_.size());
    ++chars_;
  }
  void Back() {
    do {
      --bytes_;
    } while (bytes_ > 0 && (static_cast<unsigned char>(text_[bytes_]) & 0xC0) == 0x80);
    --chars_;
    if (text_[bytes_] == '\n') {
      --line_;
      size_t nl = bytes_ == 0 ? std::string_view::npos : text_.rfind('\n', bytes_ - 1);
      line_start_ = nl == std::string_view::npos ? 0 : nl + 1;
    }
  }

  std::string_view text_;
  bool exact_;
  size_t chars_ = 0;  // the cursor: character chars_ starts at byte bytes_,
  size_t bytes_ = 0;
  int line_ = 1;           // on line line_,
  size_t line_start_ = 0;  // which starts at this byte
};

// Owns the parser and the current event, so both are freed on every path (an exception too).
struct Parser {
  yaml_parser_t parser;
  yaml_event_t event;
  bool has_event = false;

  Parser() { yaml_parser_initialize(&parser); }
  ~Parser() {
    ClearEvent();
    yaml_parser_delete(&parser);
  }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
  void ClearEvent() {
    if (has_event) yaml_event_delete(&event);
    has_event = false;
  }
  // The next event, or false with parser.error set.
  bool Next() {
    ClearEvent();
    has_event = yaml_parser_parse(&parser, &event) != 0;
    return has_event;
  }
};

std::string_view Chars(const yaml_char_t* s) {
  return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view();
}

}  // namespace

// Builds the tree event by event with an explicit stack (no recursion, whatever the nesting).
class YamlBuilder {
 public:
  YamlBuilder(std::string_view text, const YamlParseOptions& options, YamlDocument& doc)
      : text_(text), options_(options), doc_(doc), tree_(*doc.tree_), positions_(text) {}

  void Run() {
    if (text_.size() > kMaxText) {
      Fail("the text is larger than 1 GiB", {});
      return;
    }
    yaml_parser_set_input_string(&p_.parser, reinterpret_cast<const unsigned char*>(text_.data()),
                                 text_.size());
    // Not detected from the first bytes: faultline's files are UTF-8 (a UTF-8 BOM is skipped).
    yaml_parser_set_encoding(&p_.parser, YAML_UTF8_ENCODING);
    for (size_t events = 1;; ++events) {
      if (!p_.Next()) {
        FailFromParser();
        return;
      }
      if (events % kInterruptCheckEvery == 0 && options_.interrupted && options_.interrupted()) {
        doc_.interrupted_ = true;
        tree_.root = Tree::kNone;
        return;
      }
      if (!Step(p_.event)) return;
    }
  }

 private:
  struct Open {
    uint32_t id;
    size_t first_pending;  // where its children start in pending_
  };

  // Takes one event; false when the build is over (done or failed).
  bool Step(const yaml_event_t& e) {
    switch (e.type) {
      case YAML_DOCUMENT_START_EVENT:
        if (documents_++ == 0) return true;
        doc_.second_document_ = positions_.OfMark(e.start_mark);
        return false;
      case YAML_STREAM_END_EVENT:
        return false;
      case YAML_SCALAR_EVENT:
        return Scalar(e);
      case YAML_SEQUENCE_START_EVENT:
        return Start(Kind::kSequence, e, e.data.sequence_start.anchor, e.data.sequence_start.tag);
      case YAML_MAPPING_START_EVENT:
        return Start(Kind::kMap, e, e.data.mapping_start.anchor, e.data.mapping_start.tag);
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        End();
        return true;
      case YAML_ALIAS_EVENT: {
        auto it = anchors_.find(std::string(Chars(e.data.alias.anchor)));
        if (it == anchors_.end()) {
          Fail(fmt::format("the alias *{} names no anchor defined before it",
                           Chars(e.data.alias.anchor)),
               positions_.OfMark(e.start_mark));
          return false;
        }
        Attach(it->second);
        return true;
      }
      default:  // the stream's start, a document's end
        return true;
    }
  }

  bool Scalar(const yaml_event_t& e) {
    std::string_view value(reinterpret_cast<const char*>(e.data.scalar.value),
                           e.data.scalar.length);
    uint8_t flags = 0;
    if (e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE) flags |= Flag::kPlain;
    if (e.data.scalar.tag) flags |= Flag::kTagged;
    if (flags == Flag::kPlain && IsNullString(value)) flags |= Flag::kNull;
    uint32_t id =
        Add({Kind::kScalar, flags, positions_.OfMark(e.start_mark),
             static_cast<uint32_t>(tree_.text.size()), static_cast<uint32_t>(value.size())});
    tree_.text.append(value);
    Anchor(e.data.scalar.anchor, id);
    Attach(id);
    return true;
  }

  bool Start(Kind kind, const yaml_event_t& e, const yaml_char_t* anchor, const yaml_char_t* tag) {
    SourcePos pos = positions_.OfMark(e.start_mark);
    if (open_.size() >= static_cast<size_t>(std::max(options_.max_depth, 0))) {
      Fail(fmt::format("collections nest deeper than {} levels", options_.max_depth), pos);
      return false;
    }
    uint32_t id = Add({kind, static_cast<uint8_t>(tag ? Flag::kTagged : 0), pos, 0, 0});
    // Registered before its children, so an alias inside refers to it (a cycle, as in yaml-cpp).
    Anchor(anchor, id);
    Attach(id);
    open_.push_back({id, pending_.size()});
    return true;
  }

  void End() {
    Open o = open_.back();
    open_.pop_back();
    NodeData& n = tree_.nodes[o.id];
    n.begin = static_cast<uint32_t>(tree_.children.size());
    n.size = static_cast<uint32_t>(pending_.size() - o.first_pending);
    tree_.children.insert(tree_.children.end(), pending_.begin() + o.first_pending, pending_.end());
    pending_.resize(o.first_pending);
  }

  uint32_t Add(const NodeData& n) {
    tree_.nodes.push_back(n);
    return static_cast<uint32_t>(tree_.nodes.size() - 1);
  }
  void Attach(uint32_t id) {
    if (open_.empty()) {
      tree_.root = id;
    } else {
      pending_.push_back(id);
    }
  }
  // A later anchor of the same name replaces the earlier one for the aliases after it.
  void Anchor(const yaml_char_t* anchor, uint32_t id) {
    if (anchor) anchors_.insert_or_assign(std::string(Chars(anchor)), id);
  }

  void Fail(std::string problem, SourcePos pos) {
    doc_.error_ = YamlSyntaxError{std::move(problem), pos, "", {}};
    tree_.root = Tree::kNone;
  }

  void FailFromParser() {
    const yaml_parser_t& p = p_.parser;
    YamlSyntaxError e;
    e.problem = p.problem ? p.problem : "libyaml failed";
    switch (p.error) {
      case YAML_MEMORY_ERROR:
        e.problem = "out of memory";
        e.pos = positions_.OfMark(p.mark);
        break;
      case YAML_READER_ERROR:
        // A reader error has a byte offset, not a mark.
        if (p.problem_value != -1) e.problem += fmt::format(" (0x{:02x})", p.problem_value);
        e.pos = positions_.OfByte(p.problem_offset);
        break;
      default:
        e.pos = positions_.OfMark(p.problem_mark);
        if (p.context) {
          e.context = p.context;
          e.context_pos = positions_.OfMark(p.context_mark);
        }
        break;
    }
    doc_.error_ = std::move(e);
    tree_.root = Tree::kNone;
  }

  std::string_view text_;
  const YamlParseOptions& options_;
  YamlDocument& doc_;
  Tree& tree_;
  Positions positions_;
  Parser p_;
  int documents_ = 0;
  std::vector<Open> open_;
  std::vector<uint32_t> pending_;  // children of the open collections, innermost last
  std::unordered_map<std::string, uint32_t> anchors_;
};

std::string YamlSyntaxError::Message() const {
  std::string out = "invalid YAML: " + problem;
  if (!context.empty()) {
    out += fmt::format(" ({} that starts at {}:{})", context, context_pos.line, context_pos.column);
  }
  return out;
}

YamlDocument::YamlDocument() : tree_(std::make_unique<Tree>()) {}
YamlDocument::YamlDocument(YamlDocument&&) noexcept = default;
YamlDocument& YamlDocument::operator=(YamlDocument&&) noexcept = default;
YamlDocument::~YamlDocument() = default;

YamlDocument YamlDocument::Parse(std::string_view text, const YamlParseOptions& options) {
  YamlDocument doc;
  YamlBuilder(text, options, doc).Run();
  return doc;
}

YamlNode YamlDocument::root() const {
  if (!tree_ || tree_->root == Tree::kNone) return {};
  return YamlNode(tree_.get(), tree_->root);
}

size_t YamlDocument::node_count() const { return tree_ ? tree_->nodes.size() : 0; }

const NodeData* YamlNode::Data() const { return tree_ ? &tree_->nodes[id_] : nullptr; }

bool YamlNode::IsScalar() const { return tree_ && Data()->kind == Kind::kScalar; }
bool YamlNode::IsSequence() const { return tree_ && Data()->kind == Kind::kSequence; }
bool YamlNode::IsMap() const { return tree_ && Data()->kind == Kind::kMap; }
bool YamlNode::IsNull() const { return tree_ && (Data()->flags & Flag::kNull); }
bool YamlNode::IsPlain() const { return tree_ && (Data()->flags & Flag::kPlain); }
bool YamlNode::IsTagged() const { return tree_ && (Data()->flags & Flag::kTagged); }

std::string_view YamlNode::Scalar() const {
  if (!IsScalar()) return {};
  const NodeData* n = Data();
  return std::string_view(tree_->text).substr(n->begin, n->size);
}

SourcePos YamlNode::Pos() const { return tree_ ? Data()->pos : SourcePos{}; }

size_t YamlNode::size() const {
  if (IsSequence()) return Data()->size;
  if (IsMap()) return Data()->size / 2;
  return 0;
}

YamlNode YamlNode::Child(size_t i) const {
  return YamlNode(tree_, tree_->children[Data()->begin + i]);
}

YamlNode YamlNode::operator[](size_t i) const {
  return IsSequence() && i < size() ? Child(i) : YamlNode();
}

YamlNode YamlNode::Find(std::string_view key) const {
  for (const auto& [k, v] : entries()) {
    if (k.IsScalar() && !k.IsNull() && k.Scalar() == key) return v;
  }
  return {};
}

YamlNode::Items YamlNode::items() const { return Items(*this, IsSequence() ? size() : 0); }
YamlNode::Entries YamlNode::entries() const { return Entries(*this, IsMap() ? size() : 0); }

}  // namespace faultline::scenario
